// Audit Data sorted by Remarks (the decision), which the policy computes rather than a column holds: the
// fleet is walked one decision at a time, in order, each part by name, and a cursor says which part and where
// in it the next page starts. A handful of queries a page, however large the fleet.
import type { DecisionStatus, Policy } from '../shared/policy.js';
import { decisionFilter, fleetDecision } from './fleet.js';
import type { FleetServer, Keyset, Page, PageRequest, ServerFilter, Storage } from './storage/storage.js';

/** From allowed to blocked; descending puts what is blocked first. */
export const DECISION_ORDER: readonly DecisionStatus[] = ['approved', 'conditional', 'pending', 'expired', 'rejected'];

export async function serversByDecision(
  storage: Storage,
  policy: Policy,
  filter: ServerFilter,
  /** A decision filter already asked for: only that part. */
  only: DecisionStatus | undefined,
  page: PageRequest<string>,
  now: Date,
): Promise<Page<FleetServer>> {
  const order = (page.descending ? [...DECISION_ORDER].reverse() : DECISION_ORDER).filter((status) => !only || status === only);
  const [afterRank, ...afterName] = page.after ?? [];
  const startAt = page.after ? order.findIndex((status) => DECISION_ORDER.indexOf(status) === afterRank) : 0;
  const items: FleetServer[] = [];
  let total = 0;
  let more = false;
  for (const [index, status] of order.entries()) {
    const part = { ...filter, ...(await decisionFilter(storage, policy, status, now)) };
    const passed = index < startAt;
    const wanted = passed ? 1 : Math.max(1, page.limit - items.length);
    const found = await storage.fleetServers(part, {
      sort: 'name',
      descending: false,
      limit: wanted,
      after: index === startAt && page.after ? (afterName as Keyset) : undefined,
    });
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
    next: more && last ? [DECISION_ORDER.indexOf(decisionOf(last, policy, now)), last.name, last.serverKey, last.agent] : undefined,
  };
}

const decisionOf = (server: FleetServer, policy: Policy, now: Date) =>
  fleetDecision(policy, { serverKey: server.serverKey, agent: server.agent, url: server.url }, now).status;
