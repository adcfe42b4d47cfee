// Migration 0002: admin accounts with roles, their hashed API tokens, single sign-on sessions, and the
// history of admin actions.
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './storage.js';

export async function adminSchema(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  const schema = db.schema;
  await schema
    .createTable('admins')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('email', 'text', (column) => column.notNull().unique())
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('created_at', time, (column) => column.notNull())
    .addColumn('created_by', 'text', (column) => column.notNull())
    .execute();
  await schema
    .createTable('admin_tokens')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('admin_id', 'text', (column) => column.notNull().references('admins.id').onDelete('cascade'))
    .addColumn('name', 'text', (column) => column.notNull())
    .addColumn('token_hash', 'text', (column) => column.notNull().unique())
    .addColumn('created_at', time, (column) => column.notNull())
    .addColumn('last_used_at', time)
    .addColumn('revoked_at', time)
    .execute();
  await schema.createIndex('admin_tokens_admin').ifNotExists().on('admin_tokens').columns(['admin_id', 'name']).execute();

  // A signed-in browser: the cookie's sha256, whose role it holds (from the account, or the identity
  // provider's claim), its CSRF token, and when it was made, last used and at the latest ends.
  await schema
    .createTable('admin_sessions')
    .ifNotExists()
    .addColumn('id_hash', 'text', (column) => column.primaryKey())
    .addColumn('email', 'text', (column) => column.notNull())
    .addColumn('role', 'text', (column) => column.notNull())
    .addColumn('role_source', 'text', (column) => column.notNull())
    .addColumn('csrf_token', 'text', (column) => column.notNull())
    .addColumn('created_at', time, (column) => column.notNull())
    .addColumn('last_seen_at', time, (column) => column.notNull())
    .addColumn('expires_at', time, (column) => column.notNull())
    .execute();
  await schema.createIndex('admin_sessions_expires').ifNotExists().on('admin_sessions').column('expires_at').execute();

  // Appended once per admin change, never rewritten; ids are time-ordered, so (at, id) pages in order.
  await schema
    .createTable('admin_actions')
    .ifNotExists()
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('at', time, (column) => column.notNull())
    .addColumn('admin', 'text', (column) => column.notNull())
    .addColumn('action', 'text', (column) => column.notNull())
    .addColumn('server_key', 'text')
    // The rule's agents as `,cursor,vscode,` (or `,*,`), so that one agent's history is a LIKE away.
    .addColumn('agents', 'text')
    .addColumn('capability', 'text')
    .addColumn('subject', 'text', (column) => column.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .execute();
  for (const [name, columns] of [
    ['admin_actions_at', ['at', 'id']],
    ['admin_actions_server', ['server_key', 'at', 'id']],
    ['admin_actions_admin', ['admin', 'at', 'id']],
  ] as const)
    await schema
      .createIndex(name)
      .ifNotExists()
      .on('admin_actions')
      .columns([...columns])
      .execute();
}
