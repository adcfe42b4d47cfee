// Migration 0008: which devices run each server, as server_devices. SQLite keeps it in a file of its own,
// written off the writer's thread from the changes reports append here (server-index.ts), instead of an index
// on device_servers that every report wrote a dozen scattered pages of. PostgreSQL keeps that index, and
// server_devices is a view of device_servers, so that both answer the same queries.
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './storage.js';

export async function serverIndexSchema(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') {
    await sql`create or replace view server_devices as
      select server_key, first_seen, device_id, server_id, client from device_servers`.execute(db);
    return;
  }
  await db.schema.dropIndex('device_servers_first_seen').ifExists().execute();
  await sql`create table if not exists server_device_changes (id integer primary key autoincrement, change text not null)`.execute(db);
}
