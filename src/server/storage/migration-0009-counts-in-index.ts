// Migration 0009: SQLite keeps the fleet's counts (fleet_servers, agent_stats) in the index file beside the
// database, written off the writer's thread (server-index.ts, fleet-fold.ts), and builds them there from the
// database's rows: its own copies go, so that the unqualified names are the index's. The changes reports
// appended and the writer had not folded yet stay: the counts built from the rows hold them already.
// PostgreSQL keeps its tables.
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './storage.js';

export async function countsInIndexSchema(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect === 'postgres') return;
  await sql`drop table if exists main.fleet_servers`.execute(db);
  await sql`drop table if exists main.agent_stats`.execute(db);
}
