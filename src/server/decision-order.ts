// Audit Data sorted by Remarks (the decision), which the policy computes rather than a column holds: the
// fleet is walked one decision at a time, in order, each part by name, and a cursor says which part and where
// in it the next page starts. A handful of queries a page, however large the fleet.
import type { DecisionStatus, Policy } from '../shared/policy.js';
import { decisionFilters, serverDecision } from './fleet.js';
import type { FleetServer, Keyset, Page, PageRequest, ServerFilter, Storage } from './storage/storage.js';

/** From allowed to blocked; descending puts what is blocked first. */
export const DECISION_ORDER: readonly DecisionStatus[] = ['approved', 'conditional', 'pending', 'expired', 'rejected'];

/** Pages of the fleet by decision; the decisions' filters are worked out once, for every page asked of it. */
export async function serversByDecision(
  storage: Storage,
  policy: Policy,
  filter: ServerFilter,
  /** A decision filter already asked for: only that part. */
  only: DecisionStatus | undefined,
  now: Date,
): Promise<(page: PageRequest<string>) => Promise<Page<FleetServer>>> {
  const filterOf = await decisionFilters(storage, policy, now);
  return async (page) => {
    const order = (page.descending ? [...DECISION_ORDER].reverse() : DECISION_ORDER).filter((status) => !only || status === only);
    const [afterRank, ...afterName] = page.after ?? [];
    const startAt = page.after ? order.findIndex((status) => DECISION_ORDER.indexOf(status) === afterRank) : 0;
    const items: FleetServer[] = [];
    let total = 0;
    let more = false;
    for (const [index, status] of order.entries()) {
      const passed = index < startAt;
      const found = await storage.fleetServers(
        { ...filter, ...filterOf(status) },
        {
          sort: 'name',
          descending: false,
          limit: passed ? 1 : Math.max(1, page.limit - items.length),
          after: index === startAt && page.after ? (afterName as Keyset) : undefined,
        },
      );
      total += found.total;
      if (passed) continue;
      if (items.length < page.limit) {
        items.push(...found.items.slice(0, page.limit - items.length));
        if (found.next) more = true;
      } else if (found.items.length) more = true;
    }
    const last = items.at(-1);
    return {
      items,
      total,
      totalExact: true,
      next:
        more && last
          ? [DECISION_ORDER.indexOf(serverDecision(policy, last, now).status), last.name, last.serverKey, last.agent]
          : undefined,
    };
  };
}
