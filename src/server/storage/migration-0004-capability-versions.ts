// Migration 0004 (also: an index for sorting Audit Data by access type, and the credential of each browser
// session): each definition a capability was seen with, once (its hash is the agent's sha256 of what
// the server declared), and each capability whose definition changed, with the definitions before and after:
// what an admin looks at in "Changed tools" before deciding whether it runs on.
import { type Kysely, sql } from 'kysely';
import { addColumn } from './migration-helpers.js';
import type { Dialect } from './storage.js';

export async function capabilityVersionsSchema(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  await db.schema
    .createTable('capability_versions')
    .ifNotExists()
    .addColumn('server_key', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('hash', 'text', (column) => column.notNull())
    .addColumn('definition', 'text', (column) => column.notNull())
    .addColumn('first_seen', time, (column) => column.notNull())
    .addPrimaryKeyConstraint('capability_versions_pk', ['server_key', 'kind', 'name', 'hash'])
    .execute();
  // The credential a browser session was made from (an account token's id, or the bootstrap token's hash):
  // revoking it ends the session too.
  await addColumn(db, dialect, 'admin_sessions', 'credential');
  // Audit Data sorted by access type.
  await db.schema
    .createIndex('fleet_servers_access_type')
    .ifNotExists()
    .on('fleet_servers')
    .columns(['access_type', 'server_key', 'client'])
    .execute();
  // A capability whose definition changed, once per capability: the definition before and the one after.
  await db.schema
    .createTable('capability_changes')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('server_key', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('before_hash', 'text', (column) => column.notNull())
    .addColumn('after_hash', 'text', (column) => column.notNull())
    .addColumn('changed_at', time, (column) => column.notNull())
    .execute();
  for (const [name, columns] of [
    ['capability_changes_at', ['changed_at', 'id']],
    ['capability_changes_server', ['server_key', 'changed_at', 'id']],
  ] as const)
    await db.schema
      .createIndex(name)
      .ifNotExists()
      .on('capability_changes')
      .columns([...columns])
      .execute();
}
