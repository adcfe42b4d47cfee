// The queries every agent request runs (who is calling, a report, an event batch), each compiled once
// (compiled-once.ts) rather than built again for every request. Everything else builds its query as it goes.
import { type Kysely, sql } from 'kysely';
import { jsonArrayFrom as postgresJsonArray } from 'kysely/helpers/postgres';
import { jsonArrayFrom as sqliteJsonArray } from 'kysely/helpers/sqlite';
import { compiledOnce } from './compiled-once.js';
import type { DeviceServersTable, DevicesTable, EventsTable, WardenDatabase } from './schema.js';
import type { Dialect } from './storage.js';

/** A device's server row, as a report's changes are worked out against it. */
export type KnownServer = Pick<DeviceServersTable, 'server_id' | 'server_key' | 'client' | 'entry_hash' | 'first_seen'>;

/** The server rows `reportContextWithServers` read: parsed by PostgreSQL's driver, JSON text from SQLite. */
export const knownServersOf = (servers: KnownServer[] | string | null): KnownServer[] =>
  typeof servers === 'string' ? (JSON.parse(servers) as KnownServer[]) : (servers ?? []);

export type HotQueries = ReturnType<typeof hotQueries>;

/** What a report says of its device (`null`: unchanged, kept). */
interface ReportedDevice {
  now: string;
  ip: string | null;
  revision: number;
  deviceIps: string | null;
  sources: string | null;
  userEmail: string | null;
}

/** The device's columns a report sets: one list for a report applied in a transaction and an unchanged delta's one statement. */
const reportedDevice = (args: ReportedDevice) => ({
  last_seen: args.now,
  last_ip: sql<string | null>`coalesce(${args.ip}, last_ip)`,
  revision: args.revision,
  device_ips: sql<string>`coalesce(${args.deviceIps}, device_ips)`,
  sources: sql<string>`coalesce(${args.sources}, sources)`,
  user_email: sql<string | null>`coalesce(${args.userEmail}, user_email)`,
});

/**
 * What applying a report needs to know, in one query: the device's revision and server count, this report's
 * receipt if it came before, and (`withServers`) the device's server rows, as JSON (PostgreSQL parses it, SQLite
 * leaves it text).
 */
function reportContext(db: Kysely<WardenDatabase>, dialect: Dialect, withServers: boolean) {
  const asJson = dialect === 'postgres' ? postgresJsonArray : sqliteJsonArray;
  return compiledOnce((args: { id: string; reportId: string }) =>
    db
      .selectFrom('devices')
      .select(['revision', 'server_count'])
      .select((eb) => [
        eb.selectFrom('reports').select('outcome').where('report_id', '=', args.reportId).as('seen'),
        (withServers
          ? asJson(
              eb
                .selectFrom('device_servers')
                .select(['server_id', 'server_key', 'client', 'entry_hash', 'first_seen'])
                .whereRef('device_servers.device_id', '=', 'devices.id'),
            )
          : sql`null`
        )
          .$castTo<KnownServer[] | string | null>()
          .as('servers'),
      ])
      .where('id', '=', args.id),
  );
}

export function hotQueries(db: Kysely<WardenDatabase>, dialect: Dialect) {
  return {
    insertDevice: compiledOnce((row: DevicesTable) => db.insertInto('devices').values(row)),

    deviceByTokenHash: compiledOnce((tokenHash: string) => db.selectFrom('devices').selectAll().where('token_hash', '=', tokenHash)),

    /**
     * PostgreSQL: holds the device's row until the transaction ends, so one device's reports apply one after
     * another. Its own statement: the next one then reads what the report before it committed (a statement that
     * waited for the lock would still read from before it).
     */
    lockDevice: compiledOnce((id: string) => db.selectFrom('devices').select('id').where('id', '=', id).forUpdate()),

    reportContext: reportContext(db, dialect, false),
    reportContextWithServers: reportContext(db, dialect, true),

    /** When and from where a device was last seen (`ip` null: the one known). */
    touchDevice: compiledOnce((args: { id: string; now: string; ip: string | null }) =>
      db
        .updateTable('devices')
        .set({ last_seen: args.now, last_ip: sql<string | null>`coalesce(${args.ip}, last_ip)` })
        .where('id', '=', args.id),
    ),

    /** A report applied: revision, counts, and (null: unchanged) its addresses and sources. */
    recordReport: compiledOnce((args: ReportedDevice & { id: string; serverCount: number }) =>
      db
        .updateTable('devices')
        .set({ ...reportedDevice(args), server_count: args.serverCount })
        .where('id', '=', args.id),
    ),

    insertReceipt: compiledOnce(
      (row: { report_id: string; device_id: string; revision: number; kind: string; received_at: string; outcome: string }) =>
        db.insertInto('reports').values(row),
    ),

    /**
     * PostgreSQL: an unchanged delta applied in one statement, the device's row and the receipt together, when
     * the device holds the delta's base revision and the report is new. No row back means "not that simple"
     * (a retry, another base, no such device): the caller then takes the transaction that says which. Two
     * copies of one report racing each other both pass the receipt check, but the row lock makes the second
     * wait and then find the revision moved on: it changes nothing and takes the slow path, which answers
     * with the first one's outcome.
     */
    applyUnchangedDelta: compiledOnce((args: ReportedDevice & { id: string; reportId: string; baseRevision: number; outcome: string }) =>
      db
        .with('applied', (query) =>
          query
            .updateTable('devices')
            .set(reportedDevice(args))
            .where('id', '=', args.id)
            .where('revision', '=', args.baseRevision)
            .where((eb) => eb.not(eb.exists(eb.selectFrom('reports').select('report_id').where('report_id', '=', args.reportId))))
            .returning('id'),
        )
        .insertInto('reports')
        .columns(['report_id', 'device_id', 'revision', 'kind', 'received_at', 'outcome'])
        // Typed, since PostgreSQL cannot tell a bare parameter's type in a select list.
        .expression((eb) =>
          eb
            .selectFrom('applied')
            .select([
              sql<string>`${args.reportId}::text`.as('report_id'),
              'id',
              sql<number>`${args.revision}::integer`.as('revision'),
              sql<string>`'delta'`.as('kind'),
              sql<string>`${args.now}::text`.as('received_at'),
              sql<string>`${args.outcome}::text`.as('outcome'),
            ]),
        )
        .onConflict((conflict) => conflict.column('report_id').doNothing())
        .returning('report_id'),
    ),

    upsertDeviceServers: compiledOnce(
      (rows: DeviceServersTable[]) =>
        db
          .insertInto('device_servers')
          .values(rows)
          .onConflict((conflict) =>
            conflict.columns(['device_id', 'server_id']).doUpdateSet((eb) => ({
              server_key: eb.ref('excluded.server_key'),
              client: eb.ref('excluded.client'),
              entry_hash: eb.ref('excluded.entry_hash'),
              entry: eb.ref('excluded.entry'),
            })),
          ),
      (rows) => rows.length,
    ),

    /** SQLite: one report's changes to server_devices, for the server index (server-index.ts). */
    appendServerChange: compiledOnce((change: string) => db.insertInto('server_device_changes').values({ change })),

    insertEvents: compiledOnce(
      (rows: EventsTable[]) =>
        db
          .insertInto('events')
          .values(rows)
          .onConflict((conflict) => conflict.columns(['at', 'id']).doNothing())
          .returning(['id', 'at', 'client', 'type', 'decision']),
      (rows) => rows.length,
    ),
  };
}
