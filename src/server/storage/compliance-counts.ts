// Tool calls counted by day, per server and per person, with their decision, in the transaction that stores
// them: what a compliance report for a period sums, a few rows a day however many calls there were.
import { type Kysely, type Transaction, sql } from 'kysely';
import type { EventsTable, WardenDatabase } from './schema.js';
import type { ComplianceCount, ComplianceDimension } from './storage.js';

const CHUNK = 200;
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Adds the tool calls just stored to their day's counts (in key order, so two batches never deadlock). */
export async function countForCompliance(trx: Transaction<WardenDatabase>, calls: readonly EventsTable[]): Promise<void> {
  const counts = new Map<string, { day: string; dimension: ComplianceDimension; subject: string; decision: string; count: number }>();
  for (const call of calls)
    for (const [dimension, subject] of [
      ['server', call.server_key ?? ''],
      ['human', call.human ?? ''],
    ] as const) {
      const entry = { dimension, day: call.at.slice(0, 10), subject, decision: call.decision ?? '', count: 0 };
      const key = `${entry.dimension}\0${entry.day}\0${entry.subject}\0${entry.decision}`;
      (counts.get(key) ?? counts.set(key, entry).get(key)!).count++;
    }
  const sorted = [...counts].sort(([a], [b]) => byCodeUnits(a, b)).map(([, value]) => value);
  for (let start = 0; start < sorted.length; start += CHUNK)
    await trx
      .insertInto('compliance_counts')
      .values(sorted.slice(start, start + CHUNK))
      .onConflict((conflict) =>
        conflict
          .columns(['dimension', 'day', 'subject', 'decision'])
          .doUpdateSet({ count: sql<number>`compliance_counts.count + excluded.count` }),
      )
      .execute();
}

export async function complianceCounts(
  db: Kysely<WardenDatabase>,
  dimension: ComplianceDimension,
  from: string,
  to: string,
): Promise<ComplianceCount[]> {
  const rows = await db
    .selectFrom('compliance_counts')
    .select(['subject', 'decision', sql<string | number>`sum(count)`.as('count')])
    .where('dimension', '=', dimension)
    .where('day', '>=', from.slice(0, 10))
    .where('day', '<=', to.slice(0, 10))
    .groupBy(['subject', 'decision'])
    .execute();
  return rows.map((row) => ({ subject: row.subject, decision: row.decision, count: Number(row.count) }));
}
