// Tool calls counted by day, per server and per person, with their decision, in the transaction that stores
// them: what a compliance report for a period sums, a few rows a day however many calls there were.
import { type Kysely, type Transaction, sql } from 'kysely';
import { byCodeUnits } from './keyset-page.js';
import type { EventsTable, WardenDatabase } from './schema.js';
import type { StatementPieces } from './statement-pieces.js';
import type { ComplianceDimension, ComplianceTop } from './storage.js';

/** The decisions that refused a call: what a report counts as denied. */
export const DENIED_DECISIONS = ['rejected', 'expired'] as const;

/** Adds the tool calls just stored to their day's counts (in key order, so two batches never deadlock). */
export async function countForCompliance(
  trx: Transaction<WardenDatabase>,
  pieces: StatementPieces,
  calls: readonly EventsTable[],
): Promise<void> {
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
  for (const part of pieces(sorted))
    await trx
      .insertInto('compliance_counts')
      .values(part)
      .onConflict((conflict) =>
        conflict
          .columns(['dimension', 'day', 'subject', 'decision'])
          .doUpdateSet({ count: sql<number>`compliance_counts.count + excluded.count` }),
      )
      .execute();
}

/**
 * The busiest servers or people of a period, summed in the database (a fleet's people are many): each one's calls
 * and denials, the busiest first, and how many there were in all.
 */
export async function complianceTop(
  db: Kysely<WardenDatabase>,
  dimension: ComplianceDimension,
  from: string,
  to: string,
  limit: number,
): Promise<ComplianceTop> {
  const denied = sql<string | number>`sum(case when decision in (${sql.join(DENIED_DECISIONS)}) then count else 0 end)`;
  const rows = await db
    .selectFrom('compliance_counts')
    .select([
      'subject',
      sql<string | number>`sum(count)`.as('calls'),
      denied.as('denied'),
      sql<string | number>`count(*) over ()`.as('subjects'),
    ])
    .where('dimension', '=', dimension)
    .where('day', '>=', from.slice(0, 10))
    .where('day', '<=', to.slice(0, 10))
    .groupBy('subject')
    .orderBy(sql`sum(count)`, 'desc')
    .orderBy('subject')
    .limit(limit)
    .execute();
  return {
    rows: rows.map((row) => ({ subject: row.subject, calls: Number(row.calls), denied: Number(row.denied) })),
    subjects: Number(rows[0]?.subjects ?? 0),
  };
}

/** The period's calls by decision (every server's summed). */
export async function complianceByDecision(
  db: Kysely<WardenDatabase>,
  from: string,
  to: string,
): Promise<{ decision: string; calls: number }[]> {
  const rows = await db
    .selectFrom('compliance_counts')
    .select(['decision', sql<string | number>`sum(count)`.as('calls')])
    .where('dimension', '=', 'server')
    .where('day', '>=', from.slice(0, 10))
    .where('day', '<=', to.slice(0, 10))
    .groupBy('decision')
    .orderBy(sql`sum(count)`, 'desc')
    .execute();
  return rows.map((row) => ({ decision: row.decision, calls: Number(row.calls) }));
}
