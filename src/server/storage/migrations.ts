// The schema, as numbered migrations for both dialects, applied in order once each (Kysely's Migrator records
// them in kysely_migration, under a lock, so several processes can run `migrate` at once). PostgreSQL runs each
// migration in one transaction; SQLite cannot roll DDL back through Kysely, so every statement here is
// IF NOT EXISTS and an interrupted migration simply runs again. Never edit a shipped migration: add the next one.
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { adminSchema } from './migration-0002-admins.js';
import { peopleSchema } from './migration-0003-people.js';
import { registrySchema } from './migration-0005-registry.js';
import { webhookOutboxSchema } from './migration-0006-webhook-outbox.js';
import { complianceCountsSchema } from './migration-0007-compliance-counts.js';
import { serverIndexSchema } from './migration-0008-server-index.js';
import { countsInIndexSchema } from './migration-0009-counts-in-index.js';
import { capabilityVersionsSchema } from './migration-0004-capability-versions.js';
import type { Dialect } from './storage.js';

type Step = (db: Kysely<unknown>, dialect: Dialect) => Promise<void>;

const fleetSchema: Step = async (db, dialect) => {
  // Times are compared as text: byte order in PostgreSQL whatever the database's locale.
  const time = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  const schema = db.schema;
  // SQLite: tables looked up by their primary key keep their rows in that key's B-tree, not beside it in a
  // second one (one B-tree less to write for every row a report writes).
  const inKeyOrder = <T extends { modifyEnd(modifier: ReturnType<typeof sql>): T }>(table: T): T =>
    dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table;
  await schema
    .createTable('devices')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('token_hash', 'text', (column) => column.notNull().unique())
    .addColumn('hostname', 'text', (column) => column.notNull())
    .addColumn('platform', 'text', (column) => column.notNull())
    .addColumn('os_version', 'text', (column) => column.notNull())
    .addColumn('user_name', 'text', (column) => column.notNull())
    .addColumn('agent_version', 'text', (column) => column.notNull())
    .addColumn('enrolled_at', time, (column) => column.notNull())
    .addColumn('last_seen', time, (column) => column.notNull())
    .addColumn('last_ip', 'text')
    .addColumn('device_ips', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('revision', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('sources', 'text', (column) => column.notNull().defaultTo('[]'))
    .addColumn('server_count', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  // Only the orders admins page through most have an index: every index is written on every report.
  for (const [name, columns] of [
    ['devices_hostname', ['hostname', 'id']],
    ['devices_last_seen', ['last_seen', 'id']],
  ] as const)
    await schema
      .createIndex(name)
      .ifNotExists()
      .on('devices')
      .columns([...columns])
      .execute();

  await inKeyOrder(
    schema
      .createTable('device_servers')
      .ifNotExists()
      .addColumn('device_id', 'text', (column) => column.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('server_id', 'text', (column) => column.notNull())
      .addColumn('server_key', 'text', (column) => column.notNull())
      .addColumn('client', 'text', (column) => column.notNull())
      .addColumn('entry_hash', 'text', (column) => column.notNull())
      .addColumn('entry', 'text', (column) => column.notNull())
      .addColumn('first_seen', time, (column) => column.notNull())
      .addPrimaryKeyConstraint('device_servers_pk', ['device_id', 'server_id']),
  ).execute();
  // Which agents each device runs (the devices list's agent filter), kept as reports arrive.
  await inKeyOrder(
    schema
      .createTable('device_agents')
      .ifNotExists()
      .addColumn('client', 'text', (column) => column.notNull())
      .addColumn('device_id', 'text', (column) => column.notNull().references('devices.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('device_agents_pk', ['client', 'device_id']),
  ).execute();
  await schema
    .createIndex('device_servers_first_seen')
    .ifNotExists()
    .on('device_servers')
    .columns(['server_key', 'first_seen', 'device_id'])
    .execute();

  await inKeyOrder(
    schema
      .createTable('fleet_servers')
      .ifNotExists()
      .addColumn('server_key', 'text', (column) => column.notNull())
      .addColumn('client', 'text', (column) => column.notNull())
      .addColumn('name', 'text', (column) => column.notNull())
      .addColumn('search_text', 'text', (column) => column.notNull())
      .addColumn('access_type', 'text', (column) => column.notNull())
      .addColumn('transport', 'text', (column) => column.notNull())
      .addColumn('url', 'text')
      // risk = the worse of its latest findings (from the config) and its latest probe (from the serverKey's code).
      .addColumn('risk', 'integer', (column) => column.notNull())
      .addColumn('findings_risk', 'integer', (column) => column.notNull())
      .addColumn('probe_risk', 'integer', (column) => column.notNull().defaultTo(0))
      .addColumn('findings', 'text', (column) => column.notNull())
      .addColumn('device_count', 'integer', (column) => column.notNull())
      .addColumn('first_detected', time, (column) => column.notNull())
      .addColumn('last_updated', time, (column) => column.notNull())
      .addPrimaryKeyConstraint('fleet_servers_pk', ['server_key', 'client']),
  ).execute();
  for (const [name, columns] of [
    ['fleet_servers_name', ['name', 'server_key', 'client']],
    ['fleet_servers_device_count', ['device_count', 'server_key', 'client']],
    ['fleet_servers_last_updated', ['last_updated', 'server_key', 'client']],
  ] as const)
    await schema
      .createIndex(name)
      .ifNotExists()
      .on('fleet_servers')
      .columns([...columns])
      .execute();

  // Count changes appended by reports, folded into fleet_servers and agent_stats in batches (fleet-counts.ts).
  await sql`create table if not exists fleet_changes (
    id ${dialect === 'postgres' ? sql`bigint generated always as identity primary key` : sql`integer primary key autoincrement`},
    change text not null)`.execute(db);

  await schema
    .createTable('agent_stats')
    .ifNotExists()
    .addColumn('client', 'text', (column) => column.primaryKey())
    .addColumn('device_count', 'integer', (column) => column.notNull())
    .addColumn('server_count', 'integer', (column) => column.notNull())
    .execute();

  await inKeyOrder(
    schema
      .createTable('device_probes')
      .ifNotExists()
      .addColumn('device_id', 'text', (column) => column.notNull().references('devices.id').onDelete('cascade'))
      .addColumn('server_id', 'text', (column) => column.notNull())
      .addColumn('server_key', 'text', (column) => column.notNull())
      .addColumn('status', 'text', (column) => column.notNull())
      .addColumn('probed_at', time, (column) => column.notNull())
      .addColumn('fingerprint', 'text', (column) => column.notNull())
      .addPrimaryKeyConstraint('device_probes_pk', ['device_id', 'server_id']),
  ).execute();
  await schema.createIndex('device_probes_key').ifNotExists().on('device_probes').columns(['server_key', 'status', 'probed_at']).execute();
  await schema
    .createTable('probe_results')
    .ifNotExists()
    .addColumn('server_key', 'text', (column) => column.notNull())
    .addColumn('fingerprint', 'text', (column) => column.notNull())
    .addColumn('probe', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('probe_results_pk', ['server_key', 'fingerprint'])
    .execute();

  await inKeyOrder(
    schema
      .createTable('reports')
      .ifNotExists()
      .addColumn('report_id', 'text', (column) => column.primaryKey())
      .addColumn('device_id', 'text', (column) => column.notNull())
      .addColumn('revision', 'integer', (column) => column.notNull())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('received_at', time, (column) => column.notNull())
      .addColumn('outcome', 'text', (column) => column.notNull()),
  ).execute();
  await schema.createIndex('reports_received_at').ifNotExists().on('reports').column('received_at').execute();

  await schema
    .createTable('rules')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('rule', 'text', (column) => column.notNull())
    .addColumn('server_key', 'text', (column) => column.notNull())
    .addColumn('updated_at', time, (column) => column.notNull())
    .execute();
  await schema
    .createTable('settings')
    .ifNotExists()
    .addColumn('key', 'text', (column) => column.primaryKey())
    .addColumn('value', 'text', (column) => column.notNull())
    .execute();

  // The fastest-growing table: partitioned by day in PostgreSQL (event-partitions.ts adds and drops days),
  // one table in SQLite. The primary key holds the partition key, as PostgreSQL requires, first: new events
  // land at the end of its index rather than anywhere in it.
  const eventColumns = sql`
    id text not null,
    device_id text not null,
    type text not null,
    at ${time} not null,
    received_at ${time} not null,
    client text,
    server_key text,
    decision text,
    user_name text,
    capability text,
    search_text text not null,
    event text not null,
    primary key (at, id)`;
  await sql`create table if not exists events (${eventColumns}) ${dialect === 'postgres' ? sql`partition by range (at)` : sql``}`.execute(
    db,
  );
  for (const [name, columns] of [
    ['events_client', ['client', 'at', 'id']],
    ['events_device', ['device_id', 'at', 'id']],
    ['events_server', ['server_key', 'at', 'id']],
    ['events_type', ['type', 'at', 'id']],
  ] as const)
    await schema
      .createIndex(name)
      .ifNotExists()
      .on('events')
      .columns([...columns])
      .execute();
  await schema
    .createTable('event_counts')
    .ifNotExists()
    .addColumn('day', 'text', (column) => column.notNull())
    .addColumn('client', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('decision', 'text', (column) => column.notNull())
    .addColumn('count', 'integer', (column) => column.notNull())
    .addPrimaryKeyConstraint('event_counts_pk', ['day', 'client', 'type', 'decision'])
    .execute();

  // Shared rate-limit windows: rewritten on every request and worthless after a crash, so not WAL-logged.
  await sql`create ${dialect === 'postgres' ? sql`unlogged` : sql``} table if not exists rate_windows (
    key text primary key,
    window_start integer not null,
    count integer not null)`.execute(db);
};

/** In order; the name is what kysely_migration records. */
const STEPS: readonly (readonly [string, Step])[] = [
  ['0001-fleet-schema', fleetSchema],
  ['0002-admins', adminSchema],
  ['0003-people', peopleSchema],
  ['0004-capability-versions', capabilityVersionsSchema],
  ['0005-registry', registrySchema],
  ['0006-webhook-outbox', webhookOutboxSchema],
  ['0007-compliance-counts', complianceCountsSchema],
  ['0008-server-index', serverIndexSchema],
  ['0009-counts-in-index', countsInIndexSchema],
];

export const LATEST_MIGRATION = STEPS.at(-1)![0];

export function migrationProvider(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: async () =>
      Object.fromEntries(STEPS.map(([name, step]): [string, Migration] => [name, { up: (db) => step(db as Kysely<unknown>, dialect) }])),
  };
}
