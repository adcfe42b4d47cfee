// PostgreSQL keeps events in one partition per day (events_YYYYMMDD), so that ingest stays flat however many
// rows a table holds and a day past its retention goes with one DROP TABLE. Partitions are made as events for
// a day first arrive; two processes making the same one at once is expected.
import { type Kysely, sql } from 'kysely';
import type { WardenDatabase } from './schema.js';

/** The days known to have their partition, per database (a process may hold several: tests, `migrate`). */
const madeIn = new WeakMap<Kysely<WardenDatabase>, Set<string>>();
const madeFor = (db: Kysely<WardenDatabase>) => madeIn.get(db) ?? madeIn.set(db, new Set()).get(db)!;
const DUPLICATE = new Set(['42P07', '23505']);

const partitionName = (day: string) => `events_${day.replaceAll('-', '')}`;

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Makes sure a partition exists for the day of each time (ISO 8601, UTC). */
export async function ensureEventDays(db: Kysely<WardenDatabase>, times: readonly string[]): Promise<void> {
  const made = madeFor(db);
  for (const day of new Set(times.map((time) => time.slice(0, 10)))) {
    if (made.has(day)) continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
    try {
      await sql`create table if not exists ${sql.id(partitionName(day))} partition of events for values from (${sql.lit(day)}) to (${sql.lit(nextDay(day))})`.execute(
        db,
      );
    } catch (error) {
      if (!DUPLICATE.has(String((error as { code?: unknown }).code))) throw error;
    }
    made.add(day);
  }
}

/** Drops every day's partition before the given day. */
export async function dropEventDaysBefore(db: Kysely<WardenDatabase>, day: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select child.relname as name from pg_inherits
    join pg_class parent on parent.oid = pg_inherits.inhparent
    join pg_class child on child.oid = pg_inherits.inhrelid
    where parent.relname = 'events'`.execute(db);
  const cutoff = partitionName(day);
  const old = rows.map((row) => row.name).filter((name) => /^events_\d{8}$/.test(name) && name < cutoff);
  for (const name of old) {
    await sql`drop table if exists ${sql.id(name)}`.execute(db);
    madeFor(db).delete(`${name.slice(7, 11)}-${name.slice(11, 13)}-${name.slice(13, 15)}`);
  }
  return old;
}
