// Migration 0005: the organisation's MCP registry (each published version of each entry, with its status) and
// what following an upstream registry found (the upstream entries the fleet runs, and the alerts raised).
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './storage.js';

export async function registrySchema(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  const name = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  await db.schema
    .createTable('registry_entries')
    .ifNotExists()
    .addColumn('name', name, (column) => column.notNull())
    .addColumn('version', 'text', (column) => column.notNull())
    .addColumn('server_key', 'text', (column) => column.notNull())
    .addColumn('server_json', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('status_reason', 'text')
    // The block rule that deprecated it: lifting that block makes it active again.
    .addColumn('deprecated_by_rule', 'text')
    .addColumn('is_latest', 'integer', (column) => column.notNull())
    .addColumn('published_at', time, (column) => column.notNull())
    .addColumn('published_by', 'text', (column) => column.notNull())
    .addColumn('updated_at', time, (column) => column.notNull())
    .addPrimaryKeyConstraint('registry_entries_pk', ['name', 'version'])
    .execute();
  for (const [index, columns] of [
    ['registry_entries_updated', ['updated_at', 'name', 'version']],
    ['registry_entries_server', ['server_key', 'status']],
  ] as const)
    await db.schema
      .createIndex(index)
      .ifNotExists()
      .on('registry_entries')
      .columns([...columns])
      .execute();

  // The upstream entries whose packages or URL the fleet has run, as last seen: a later poll compares with it.
  await db.schema
    .createTable('upstream_entries')
    .ifNotExists()
    .addColumn('upstream', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('identity', 'text', (column) => column.notNull())
    .addColumn('server_keys', 'text', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('updated_at', time, (column) => column.notNull())
    .addPrimaryKeyConstraint('upstream_entries_pk', ['upstream', 'name'])
    .execute();
  await db.schema
    .createTable('registry_alerts')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('at', time, (column) => column.notNull())
    .addColumn('upstream', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('server_key', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('detail', 'text', (column) => column.notNull())
    .addColumn('rule_id', 'text')
    .execute();
  await db.schema.createIndex('registry_alerts_at').ifNotExists().on('registry_alerts').columns(['at', 'id']).execute();
}
