// Migration 0007: tool calls counted by day, per server and per person, with their decision, kept as events
// arrive (as event_counts are per agent), so a compliance report for any period is a read of a few rows per day
// rather than a scan of millions of events. The events already stored are counted once, here.
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './storage.js';

export async function complianceCountsSchema(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
  await sql`create table if not exists compliance_counts (
    day ${text} not null,
    dimension text not null,
    subject ${text} not null,
    decision text not null,
    count integer not null,
    primary key (dimension, day, subject, decision))`.execute(db);
  const counted = await sql<{ any: number }>`select 1 as any from compliance_counts limit 1`.execute(db);
  if (counted.rows.length) return;
  for (const [dimension, column] of [
    ['server', sql.ref('server_key')],
    ['human', sql.ref('human')],
  ] as const)
    await sql`insert into compliance_counts (day, dimension, subject, decision, count)
      select substr(at, 1, 10), ${dimension}, coalesce(${column}, ''), coalesce(decision, ''), count(*)
      from events where type = 'tool-call'
      group by substr(at, 1, 10), coalesce(${column}, ''), coalesce(decision, '')`.execute(db);
  // Otherwise PostgreSQL plans the first reports after an upgrade without statistics (autovacuum gathers them
  // later): taking the table for a few rows, it sorted a 30-day report's 310,000 rows on disk, 150 ms against 52.
  if (dialect === 'postgres') await sql`analyze compliance_counts`.execute(db);
}
