// Audit Data sorted by Marked By or Updated, which only a rule gives a server (the organisation's default has
// neither): the rows of servers some rule names are few, so they are ordered here, those with a value first;
// then every other row, by name, from the database. A cursor says which part and where the next page starts.
import type { FleetDecision } from '../shared/admin-api.js';
import type { Policy } from '../shared/policy.js';
import { fleetDecision } from './fleet.js';
import { PAGE_SIZE } from './paging.js';
import type { FleetServer, Keyset, Page, PageRequest, ServerFilter, Storage } from './storage/storage.js';

export const RULE_VALUES = {
  markedBy: (decision: FleetDecision) => decision.markedBy,
  decidedAt: (decision: FleetDecision) => decision.decidedAt,
} as const;
export type RuleSort = keyof typeof RULE_VALUES;

type Ranked = { server: FleetServer; key: [string | undefined, string, string, string] };

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Rows with a value first (ascending or descending by it), then those without; ties by name, key, agent. */
function compare(a: Ranked['key'], b: Ranked['key'], descending: boolean): number {
  if (a[0] !== b[0]) {
    if (a[0] === undefined) return 1;
    if (b[0] === undefined) return -1;
    return descending ? compareText(b[0], a[0]) : compareText(a[0], b[0]);
  }
  return compareText(a[1], b[1]) || compareText(a[2], b[2]) || compareText(a[3], b[3]);
}

export async function serversByRule(
  storage: Storage,
  policy: Policy,
  filter: ServerFilter,
  sort: RuleSort,
  page: PageRequest<string>,
  now: Date,
): Promise<Page<FleetServer>> {
  const ruled = [...new Set(policy.rules.map((rule) => rule.target.serverKey))];
  // Every row of a ruled server that passes the list's filters, ordered here.
  const ranked: Ranked[] = [];
  let after: Keyset | undefined;
  do {
    const found = await storage.fleetServers(
      { ...filter, serverKeys: ruled },
      { sort: 'name', descending: false, limit: PAGE_SIZE.max, after },
    );
    for (const server of found.items) {
      const value = RULE_VALUES[sort](fleetDecision(policy, { serverKey: server.serverKey, agent: server.agent, url: server.url }, now));
      ranked.push({ server, key: [value, server.name, server.serverKey, server.agent] });
    }
    after = found.next;
  } while (after);
  ranked.sort((a, b) => compare(a.key, b.key, page.descending));

  const [part, ...position] = page.after ?? [0];
  const inMemory =
    part === 0
      ? ranked.filter(
          (row) =>
            !page.after ||
            compare(row.key, [(position[0] as string) || undefined, ...(position.slice(1) as [string, string, string])], page.descending) >
              0,
        )
      : [];
  const items = inMemory.slice(0, page.limit).map((row) => row.server);
  const rest = await storage.fleetServers(
    { ...filter, notServerKeys: ruled },
    {
      sort: 'name',
      descending: false,
      limit: Math.max(1, page.limit - items.length),
      after: part === 1 ? (position as Keyset) : undefined,
    },
  );
  if (items.length < page.limit) items.push(...rest.items.slice(0, page.limit - items.length));
  const last = items.at(-1);
  const lastInMemory = inMemory.length > 0 && items.length <= inMemory.length;
  const more = inMemory.length > items.length || (lastInMemory ? rest.total > 0 : Boolean(rest.next));
  const lastKey = last && lastInMemory ? ranked.find((row) => row.server === last)!.key : undefined;
  return {
    items,
    total: ranked.length + rest.total,
    totalExact: true,
    next:
      more && last
        ? lastKey
          ? [0, lastKey[0] ?? '', lastKey[1], lastKey[2], lastKey[3]]
          : [1, last.name, last.serverKey, last.agent]
        : undefined,
  };
}
