// A compliance report for a period: every tool call counted in total, by decision, per server and per person
// (from the counts kept as events arrive), with the exports that list each call of exactly that period.
import type { ComplianceReport } from '../shared/admin-api.js';
import type { ComplianceCount, Storage } from './storage/storage.js';

/** Rows per list: the busiest servers and people; the exports hold every call. */
const TOP = 200;

/** Decisions that refused the call. */
const DENIED = new Set(['rejected', 'expired']);

function rowsOf(counts: readonly ComplianceCount[]) {
  const bySubject = new Map<string, { calls: number; allowed: number; denied: number }>();
  for (const count of counts) {
    const row = bySubject.get(count.subject) ?? bySubject.set(count.subject, { calls: 0, allowed: 0, denied: 0 }).get(count.subject)!;
    row.calls += count.count;
    if (DENIED.has(count.decision)) row.denied += count.count;
    else row.allowed += count.count;
  }
  // The busiest first, then by name.
  return [...bySubject].sort(([a, x], [b, y]) => y.calls - x.calls || (a < b ? -1 : a > b ? 1 : 0));
}

export async function complianceReport(storage: Storage, from: string, to: string): Promise<ComplianceReport> {
  const [servers, humans] = await Promise.all([storage.complianceCounts('server', from, to), storage.complianceCounts('human', from, to)]);
  const byDecision = new Map<string, number>();
  for (const count of servers) byDecision.set(count.decision, (byDecision.get(count.decision) ?? 0) + count.count);
  const byServer = rowsOf(servers).map(([serverKey, row]) => ({ serverKey, ...row }));
  const byHuman = rowsOf(humans).map(([human, row]) => ({ human, ...row }));
  const exportQuery = new URLSearchParams({ type: 'tool-call', from, to }).toString();
  return {
    from,
    to,
    firstDay: from.slice(0, 10),
    lastDay: to.slice(0, 10),
    totals: byServer.reduce(
      (sum, row) => ({ calls: sum.calls + row.calls, allowed: sum.allowed + row.allowed, denied: sum.denied + row.denied }),
      { calls: 0, allowed: 0, denied: 0 },
    ),
    byDecision: [...byDecision].map(([decision, calls]) => ({ decision, calls })).sort((a, b) => b.calls - a.calls),
    byServer: byServer.slice(0, TOP),
    byHuman: byHuman.slice(0, TOP),
    servers: byServer.length,
    humans: byHuman.length,
    exports: { csv: `/v1/admin/events.csv?${exportQuery}`, jsonl: `/v1/admin/events.jsonl?${exportQuery}` },
  };
}
