// The fleet's counts (fleet_servers: one row per serverKey and agent with its device count; agent_stats), kept
// as reports arrive. A report yields a FleetChange (fleet-fold.ts), appended to fleet_changes in the report's
// own transaction (nothing is lost should the process stop), and the appended changes are folded into the
// counts in batches: merged, and written in key order. Folding many reports at once writes a count row that
// many of them share once for all of them. Before any read of the counts everything appended so far is folded,
// so a read always sees every report accepted before it. PostgreSQL folds here, every fraction of a second, one
// process at a time (every laptop shares the rows of its common servers: written per report, they would queue
// every report behind the one before it). SQLite folds off its one writer, in the index file (fleet-fold.ts).
import { type Kysely, type SqlBool, type Transaction, sql } from 'kysely';
import type { RiskSignal, ServerEntry } from '../../shared/inventory.js';
import { severityRank } from '../../shared/present.js';
import { compiledOnce } from './compiled-once.js';
import { type FleetChange, SEVERITY_RANKS, fleetEntry, mergeFleetChanges } from './fleet-fold.js';
import type { AgentStatsTable, FleetServersTable, WardenDatabase } from './schema.js';
import type { StatementPieces } from './statement-pieces.js';

type Trx = Transaction<WardenDatabase>;

/** The worst severity of some risks, as stored (present.ts's severityRank). */
export const worstRank = (risks: readonly RiskSignal[]): number => Math.max(0, ...risks.map((risk) => severityRank(risk.severity)));

/** The entry's columns that have an index of their own (name and access type: the list's sorts). */
const INDEXED = ['name', 'access_type'] as const satisfies readonly (keyof FleetServersTable)[];

type Row = { server_key: string; client: string };
const pairKey = (serverKey: string, client: string) => `${serverKey}\0${client}`;

export function pairsIn(pairs: readonly (readonly [string, string])[]) {
  if (pairs.length === 0) return sql<SqlBool>`1 = 0`;
  return sql<SqlBool>`(server_key, client) in (values ${sql.join(pairs.map(([key, client]) => sql`(${key}, ${client})`))})`;
}

/** One device's change: its server rows before and after, and the entries it added or changed. */
export function fleetChange(
  before: readonly Row[],
  after: readonly Row[],
  changed: readonly ServerEntry[],
  probeRisks: [string, number][],
  at: string,
): FleetChange {
  const pairsBefore = new Set(before.map((row) => pairKey(row.server_key, row.client)));
  const pairsAfter = new Set(after.map((row) => pairKey(row.server_key, row.client)));
  const pairs = new Map<string, FleetChange['pairs'][number]>();
  for (const server of changed) {
    const key = pairKey(server.serverKey, server.client);
    pairs.set(key, [server.serverKey, server.client, pairsBefore.has(key) ? 0 : 1, fleetEntry(server, SEVERITY_RANKS)]);
  }
  for (const key of pairsBefore) {
    if (pairsAfter.has(key)) continue;
    const [serverKey, client] = key.split('\0') as [string, string];
    pairs.set(key, [serverKey, client, -1]);
  }
  const perClient = (rows: readonly Row[]) => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.client, (counts.get(row.client) ?? 0) + 1);
    return counts;
  };
  const clientsBefore = perClient(before);
  const clientsAfter = perClient(after);
  const agents = [...new Set([...clientsBefore.keys(), ...clientsAfter.keys()])]
    .map((client): [string, number, number] => [
      client,
      Number(clientsAfter.has(client)) - Number(clientsBefore.has(client)),
      (clientsAfter.get(client) ?? 0) - (clientsBefore.get(client) ?? 0),
    ])
    .filter(([, devices, servers]) => devices !== 0 || servers !== 0);
  return { at, pairs: [...pairs.values()], agents, probeRisks };
}

export const isEmptyChange = (change: FleetChange) => change.pairs.length + change.agents.length + change.probeRisks.length === 0;

/** Writes the fleet's counts; the statements every batch runs are compiled once (compiled-once.ts). */
export class FleetCounts {
  private readonly storedEntries;
  private readonly upsertServers;
  private readonly upsertServersKeepingIndexed;
  private readonly upsertAgents;

  constructor(
    db: Kysely<WardenDatabase>,
    private readonly pieces: StatementPieces,
  ) {
    this.storedEntries = compiledOnce(
      (pairs: [string, string][]) =>
        db
          .selectFrom('fleet_servers')
          .select(['server_key', 'client', ...INDEXED])
          .where(pairsIn(pairs)),
      (pairs) => pairs.length,
    );
    // A row whose name and access type stay as they were is written without setting them: SQLite rewrites an
    // index's entry whenever an update sets one of its columns, even to the value it had, and setting those two
    // on every report wrote a fifth of the pages a new device's first report changed.
    const upsertServers = (keepIndexed: boolean) =>
      compiledOnce(
        (rows: FleetServersTable[]) =>
          db
            .insertInto('fleet_servers')
            .values(rows)
            .onConflict((conflict) =>
              conflict.columns(['server_key', 'client']).doUpdateSet((eb) => ({
                ...(keepIndexed ? {} : { name: eb.ref('excluded.name'), access_type: eb.ref('excluded.access_type') }),
                search_text: eb.ref('excluded.search_text'),
                transport: eb.ref('excluded.transport'),
                url: eb.ref('excluded.url'),
                findings: eb.ref('excluded.findings'),
                findings_risk: eb.ref('excluded.findings_risk'),
                risk: sql<number>`case when excluded.findings_risk > fleet_servers.probe_risk then excluded.findings_risk else fleet_servers.probe_risk end`,
                device_count: sql<number>`fleet_servers.device_count + excluded.device_count`,
                last_updated: eb.ref('excluded.last_updated'),
              })),
            ),
        (rows) => rows.length,
      );
    this.upsertServers = upsertServers(false);
    this.upsertServersKeepingIndexed = upsertServers(true);
    this.upsertAgents = compiledOnce(
      (rows: AgentStatsTable[]) =>
        db
          .insertInto('agent_stats')
          .values(rows)
          .onConflict((conflict) =>
            conflict.column('client').doUpdateSet({
              device_count: sql<number>`agent_stats.device_count + excluded.device_count`,
              server_count: sql<number>`agent_stats.server_count + excluded.server_count`,
            }),
          ),
      (rows) => rows.length,
    );
  }

  /** Writes changes, oldest first, as one: counts summed, the latest entry and probe risk kept. */
  async apply(trx: Trx, changes: readonly FleetChange[]): Promise<void> {
    const { pairs: sorted, agents, probeRisks } = mergeFleetChanges(changes);
    const upserts = sorted.flatMap((pair) =>
      pair.entry
        ? [
            {
              server_key: pair.serverKey,
              client: pair.client,
              ...pair.entry,
              risk: pair.entry.findings_risk,
              probe_risk: 0,
              device_count: pair.devices,
              first_detected: pair.first,
              last_updated: pair.last,
            },
          ]
        : [],
    );
    const stored = new Map<string, Pick<FleetServersTable, (typeof INDEXED)[number]>>();
    for (const part of this.pieces(upserts))
      for (const row of await this.storedEntries(
        trx,
        part.map((row): [string, string] => [row.server_key, row.client]),
      ))
        stored.set(pairKey(row.server_key, row.client), row);
    const keepsIndexed = (row: FleetServersTable) => {
      const before = stored.get(pairKey(row.server_key, row.client));
      return before !== undefined && INDEXED.every((column) => before[column] === row[column]);
    };
    for (const part of this.pieces(upserts.filter((row) => !keepsIndexed(row)))) await this.upsertServers(trx, part);
    for (const part of this.pieces(upserts.filter(keepsIndexed))) await this.upsertServersKeepingIndexed(trx, part);
    // Servers that only lost devices, grouped by how many.
    const losses = new Map<number, [string, string][]>();
    for (const pair of sorted)
      if (!pair.entry && pair.devices !== 0) losses.set(pair.devices, [...(losses.get(pair.devices) ?? []), [pair.serverKey, pair.client]]);
    for (const [devices, lost] of losses)
      for (const part of this.pieces(lost))
        await trx
          .updateTable('fleet_servers')
          .set({ device_count: sql<number>`device_count + ${devices}` })
          .where(pairsIn(part))
          .execute();
    // A server no device loads any more leaves the list (a batch may add and drop it again: net zero, no row).
    const touched = sorted.filter((pair) => pair.devices < 0 || (pair.entry && pair.devices === 0));
    for (const part of this.pieces(touched.map((pair): [string, string] => [pair.serverKey, pair.client])))
      await trx.deleteFrom('fleet_servers').where('device_count', '<=', 0).where(pairsIn(part)).execute();

    const agentRows = agents.map(([client, devices, servers]) => ({ client, device_count: devices, server_count: servers }));
    if (agentRows.length) await this.upsertAgents(trx, agentRows);

    for (const [serverKey, probeRisk] of probeRisks)
      await trx
        .updateTable('fleet_servers')
        .set({ probe_risk: probeRisk, risk: sql<number>`case when findings_risk > ${probeRisk} then findings_risk else ${probeRisk} end` })
        .where('server_key', '=', serverKey)
        .where('probe_risk', '!=', probeRisk)
        .execute();
  }
}

/** Any number below 2^63 that no other part of MCP Warden takes as an advisory lock. */
const FOLD_LOCK = 7_307_101;
/** Changes folded at most in one go (one merge, one set of statements). */
const FOLD_BATCH = 2000;
const FOLD_EVERY_MS = 250;

/** Appends reports' changes, oldest first, to be folded later. */
export async function appendChanges(trx: Trx, pieces: StatementPieces, changes: readonly FleetChange[]): Promise<void> {
  for (const part of pieces(changes))
    await trx
      .insertInto('fleet_changes')
      .values(part.map((change) => ({ change: JSON.stringify(change) })))
      .execute();
}

/** Takes the oldest appended changes (at most FOLD_BATCH) and folds them, oldest first; says whether more are left. */
async function foldOldest(trx: Trx, counts: FleetCounts): Promise<boolean> {
  const taken = await trx
    .deleteFrom('fleet_changes')
    .where('id', 'in', trx.selectFrom('fleet_changes').select('id').orderBy('id').limit(FOLD_BATCH))
    .returning(['id', 'change'])
    .execute();
  const changes = taken.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1)).map((row) => JSON.parse(row.change) as FleetChange);
  await counts.apply(trx, changes);
  return taken.length === FOLD_BATCH;
}

const hasAppendedChanges = async (db: Kysely<WardenDatabase>) =>
  (await db.selectFrom('fleet_changes').select('id').limit(1).executeTakeFirst()) !== undefined;

/** What reads of the counts call first, and what the storage stops on closing. */
export interface CountSettler {
  /** Folds everything appended so far. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** PostgreSQL: folds appended changes into the counts, one process at a time. */
export class CountFolder implements CountSettler {
  private readonly timer: NodeJS.Timeout;
  private background: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<WardenDatabase>,
    private readonly counts: FleetCounts,
  ) {
    this.timer = setInterval(() => {
      this.background = this.background.then(() => this.fold(false)).catch(() => {});
    }, FOLD_EVERY_MS);
    this.timer.unref();
  }

  /** Before a read of the counts: folds everything appended so far, waiting for a fold already running. */
  async settle(): Promise<void> {
    if (await hasAppendedChanges(this.db)) await this.fold(true);
  }

  private async fold(wait: boolean): Promise<void> {
    for (let more = true; more;) {
      more = await this.db.transaction().execute(async (trx) => {
        if (wait) await sql`select pg_advisory_xact_lock(${FOLD_LOCK})`.execute(trx);
        else {
          const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${FOLD_LOCK}) as locked`.execute(trx);
          if (!rows[0]?.locked) return false;
        }
        return foldOldest(trx, this.counts);
      });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.background;
  }
}
