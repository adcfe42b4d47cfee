// The SIEM webhook's outbox, for both dialects: events are added in the transaction that stores them, handed
// to the sender oldest first, and taken out only once the receiver has them; beyond its bound the oldest are
// dropped and counted. One process at a time delivers (PostgreSQL: an advisory lock), so several server
// processes on one database send each event once, in order.
import { type Kysely, type Transaction, sql } from 'kysely';
import type { Dialect, OutboxStatus, StoredEvent, WebhookOutbox } from './storage.js';
import type { EventsTable, WardenDatabase } from './schema.js';
import type { StatementPieces } from './statement-pieces.js';

type Db = Kysely<WardenDatabase>;
type Trx = Transaction<WardenDatabase>;

/** The advisory lock every process tries before it delivers (an arbitrary, fixed number). */
const DELIVERY_LOCK = 7_351_904_113;
const DROPPED = 'webhook_dropped';
/** SQLite takes at most 32,766 parameters a statement. (SQLite's runs: the power of two below it.) */
const ROWS_PER_INSERT = 1000;

/** The event as the admin API and the exports show it. */
export const storedEventOf = (row: Pick<EventsTable, 'event' | 'device_id' | 'received_at' | 'human' | 'agent'>): StoredEvent => ({
  ...(JSON.parse(row.event) as Omit<StoredEvent, 'deviceId' | 'receivedAt' | 'human'>),
  deviceId: row.device_id,
  receivedAt: row.received_at,
  human: row.human ?? '',
  ...(row.agent ? { agent: row.agent } : {}),
});

/** In the transaction that stores them: the events the webhook is to send. */
export async function enqueueForWebhook(trx: Trx, pieces: StatementPieces, rows: readonly EventsTable[]): Promise<void> {
  for (const part of pieces(rows, ROWS_PER_INSERT))
    await trx
      .insertInto('webhook_outbox')
      .values(part.map((row) => ({ event: JSON.stringify(storedEventOf(row)) })))
      .execute();
}

export class SqlWebhookOutbox implements WebhookOutbox {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
  ) {}

  /** Runs `work` as the only deliverer: in PostgreSQL under the lock (else 'busy'); SQLite has one process. */
  private async alone<T>(work: (db: Db | Trx) => Promise<T>): Promise<T | 'busy'> {
    if (this.dialect === 'sqlite') return work(this.db);
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${DELIVERY_LOCK}) as locked`.execute(trx);
      return rows[0]?.locked ? work(trx) : 'busy';
    });
  }

  async deliver(limit: number, send: (events: StoredEvent[]) => Promise<void>): Promise<number | 'busy'> {
    return this.alone(async (db) => {
      const rows = await db.selectFrom('webhook_outbox').select(['id', 'event']).orderBy('id').limit(limit).execute();
      if (rows.length === 0) return 0;
      // A send that fails throws here: nothing is taken out, and the next attempt sends the same events.
      await send(rows.map((row) => JSON.parse(row.event) as StoredEvent));
      await db.deleteFrom('webhook_outbox').where('id', '<=', rows.at(-1)!.id).execute();
      return rows.length;
    });
  }

  async trim(max: number): Promise<number> {
    const dropped = await this.alone(async (db) => {
      const cutoff = await db.selectFrom('webhook_outbox').select('id').orderBy('id', 'desc').offset(max).limit(1).executeTakeFirst();
      if (!cutoff) return 0;
      const gone = await db.deleteFrom('webhook_outbox').where('id', '<=', cutoff.id).executeTakeFirst();
      const count = Number(gone.numDeletedRows);
      await db
        .insertInto('settings')
        .values({ key: DROPPED, value: String(count) })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({ value: sql<string>`cast(cast(settings.value as integer) + ${count} as text)` }),
        )
        .execute();
      return count;
    });
    return dropped === 'busy' ? 0 : dropped;
  }

  async status(): Promise<OutboxStatus> {
    const waiting = await this.db
      .selectFrom('webhook_outbox')
      .select(sql<string | number>`count(*)`.as('count'))
      .executeTakeFirstOrThrow();
    const oldest = await this.db.selectFrom('webhook_outbox').select('event').orderBy('id').limit(1).executeTakeFirst();
    const dropped = await this.db.selectFrom('settings').select('value').where('key', '=', DROPPED).executeTakeFirst();
    return {
      waiting: Number(waiting.count),
      dropped: Number(dropped?.value ?? 0),
      ...(oldest ? { oldestReceivedAt: (JSON.parse(oldest.event) as StoredEvent).receivedAt } : {}),
    };
  }
}
