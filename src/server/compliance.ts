// A compliance report for a period: every tool call counted in total, by decision, per server and per person
// (from the counts kept as events arrive), with the exports that list each call of exactly that period.
import type { ComplianceReport } from '../shared/admin-api.js';
import { DENIED_DECISIONS } from './storage/compliance-counts.js';
import type { Storage } from './storage/storage.js';

/** Rows per list: the busiest servers and people; the exports hold every call. */
const TOP = 200;

const DENIED: ReadonlySet<string> = new Set(DENIED_DECISIONS);

const withAllowed = (row: { calls: number; denied: number }) => ({ calls: row.calls, allowed: row.calls - row.denied, denied: row.denied });

export async function complianceReport(storage: Storage, from: string, to: string): Promise<ComplianceReport> {
  const [servers, humans, byDecision] = await Promise.all([
    storage.complianceTop('server', from, to, TOP),
    storage.complianceTop('human', from, to, TOP),
    storage.complianceByDecision(from, to),
  ]);
  const calls = byDecision.reduce((sum, row) => sum + row.calls, 0);
  const denied = byDecision.filter((row) => DENIED.has(row.decision)).reduce((sum, row) => sum + row.calls, 0);
  const exportQuery = new URLSearchParams({ type: 'tool-call', from, to }).toString();
  return {
    from,
    to,
    firstDay: from.slice(0, 10),
    lastDay: to.slice(0, 10),
    totals: withAllowed({ calls, denied }),
    byDecision,
    byServer: servers.rows.map((row) => ({ serverKey: row.subject, ...withAllowed(row) })),
    byHuman: humans.rows.map((row) => ({ human: row.subject, ...withAllowed(row) })),
    servers: servers.subjects,
    humans: humans.subjects,
    exports: { csv: `/v1/admin/events.csv?${exportQuery}`, jsonl: `/v1/admin/events.jsonl?${exportQuery}` },
  };
}
