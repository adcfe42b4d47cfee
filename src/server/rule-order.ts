// Audit Data sorted by Marked By or Updated, which only a rule gives a server (the organisation's default has
// neither): the rows of servers some rule about the whole server names are few, so they are ordered here, those with a value first;
// then every other row, by name, from the database. A cursor says which part and where the next page starts.
import type { FleetDecision } from '../shared/admin-api.js';
import type { Policy } from '../shared/policy.js';
import { ruledServerKeys, serverDecision } from './fleet.js';
import { PAGE_SIZE } from './paging.js';
import { byCodeUnits as compareText } from './storage/keyset-page.js';
import type { FleetServer, Keyset, Page, PageRequest, ServerFilter, Storage } from './storage/storage.js';

export const RULE_VALUES = {
  markedBy: (decision: FleetDecision) => decision.markedBy,
  decidedAt: (decision: FleetDecision) => decision.decidedAt,
} as const;
export type RuleSort = keyof typeof RULE_VALUES;

type Ranked = { server: FleetServer; key: [string | undefined, string, string, string] };

/** Rows with a value first (ascending or descending by it), then those without; ties by name, key, agent. */
function compare(a: Ranked['key'], b: Ranked['key'], descending: boolean): number {
  if (a[0] !== b[0]) {
    if (a[0] === undefined) return 1;
    if (b[0] === undefined) return -1;
    return descending ? compareText(b[0], a[0]) : compareText(a[0], b[0]);
  }
  return compareText(a[1], b[1]) || compareText(a[2], b[2]) || compareText(a[3], b[3]);
}

/** Pages of the fleet by a rule's value; the ruled servers' rows are read once, for every page asked of it. */
export async function serversByRule(
  storage: Storage,
  policy: Policy,
  filter: ServerFilter,
  sort: RuleSort,
  now: Date,
): Promise<(page: PageRequest<string>) => Promise<Page<FleetServer>>> {
  const ruled = ruledServerKeys(policy);
  // Every row of a ruled server that passes the list's filters, ordered here.
  const ranked: Ranked[] = [];
  let after: Keyset | undefined;
  do {
    const found = await storage.fleetServers(
      { ...filter, serverKeys: ruled },
      { sort: 'name', descending: false, limit: PAGE_SIZE.max, after },
    );
    for (const server of found.items)
      ranked.push({ server, key: [RULE_VALUES[sort](serverDecision(policy, server, now)), server.name, server.serverKey, server.agent] });
    after = found.next;
  } while (after);

  return async (page) => {
    const ordered = [...ranked].sort((a, b) => compare(a.key, b.key, page.descending));
    const [part, ...position] = page.after ?? [0];
    const cursorKey: Ranked['key'] = [(position[0] as string) || undefined, ...(position.slice(1) as [string, string, string])];
    const inMemory = part === 0 ? ordered.filter((row) => !page.after || compare(row.key, cursorKey, page.descending) > 0) : [];
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
    const lastKey = last && lastInMemory ? ordered.find((row) => row.server === last)!.key : undefined;
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
  };
}
