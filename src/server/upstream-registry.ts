// Following an upstream registry that speaks the same API (the official one, a vendor's, another MCP Warden):
// polled with updated_since, it tells when an entry whose package or URL the fleet runs is marked deleted
// (moderation removing malware) or comes to name another package. Each such finding is raised to admins once
// (registry alerts, the console's registry page) and, when the organisation chose so, blocks the server for
// every agent. The first poll only learns what the upstream lists; a poll that fails keeps its place.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { registryServerKeys } from '../shared/server-keys.js';
import { OFFICIAL_META, REGISTRY_STATUSES } from '../shared/registry.js';
import type { RegistryAlert, Storage, UpstreamEntry } from './storage/storage.js';

/** An upstream's entries as far as following needs them; the rest of each server.json is not ours to judge. */
const UpstreamPage = z.object({
  servers: z.array(
    z.object({
      server: z.object({
        name: z.string(),
        version: z.string().optional(),
        packages: z.array(z.object({ registryType: z.string(), identifier: z.string() }).loose()).optional(),
        remotes: z.array(z.object({ url: z.string() }).loose()).optional(),
      }),
      _meta: z
        .object({
          [OFFICIAL_META]: z
            .object({ status: z.enum(REGISTRY_STATUSES).optional(), updatedAt: z.string().optional(), isLatest: z.boolean().optional() })
            .optional(),
        })
        .optional(),
    }),
  ),
  metadata: z.object({ nextCursor: z.string().nullish() }).optional(),
});

const PAGE = 100;
const CLOCK_MARGIN_MS = 5 * 60_000;
/** Pages a poll reads at most: a registry that never ends its list cannot keep a poll going. */
const MAX_PAGES = 1000;

export interface PollResult {
  seen: number;
  alerts: RegistryAlert[];
  /** The upstream listed more than a poll reads: the next poll starts from the same place. */
  truncated?: boolean;
}

export interface FollowOptions {
  url: string;
  now?: () => Date;
  fetch?: typeof fetch;
}

const alertId = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 24);

/** Every entry the upstream lists (changed since `since`, when given), by name, as its latest version says it. */
async function readUpstream(
  options: FollowOptions,
  since: string | undefined,
): Promise<{ entries: Map<string, UpstreamEntry>; complete: boolean }> {
  const fetcher = options.fetch ?? fetch;
  const entries = new Map<string, UpstreamEntry>();
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const address = new URL('v0.1/servers', options.url.endsWith('/') ? options.url : `${options.url}/`);
    address.searchParams.set('limit', String(PAGE));
    if (since) address.searchParams.set('updated_since', since);
    if (cursor) address.searchParams.set('cursor', cursor);
    const response = await fetcher(address, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`${address.origin} answered ${response.status} to ${address.pathname}`);
    const parsed = UpstreamPage.safeParse(await response.json());
    if (!parsed.success)
      throw new Error(`${address.origin} does not answer in the registry's v0.1 format: ${parsed.error.issues[0]!.message}`);
    for (const { server, _meta } of parsed.data.servers) {
      const official = _meta?.[OFFICIAL_META];
      // Only a name's latest version speaks for it: an older one changing (deleted alone) says nothing of the name.
      if (official?.isLatest === false) continue;
      const serverKeys = registryServerKeys(server);
      entries.set(server.name, {
        name: server.name,
        identity: serverKeys.join(' '),
        serverKeys,
        status: official?.status ?? 'active',
        updatedAt: official?.updatedAt ?? '',
      });
    }
    cursor = parsed.data.metadata?.nextCursor ?? undefined;
    if (!cursor) return { entries, complete: true };
  }
  return { entries, complete: false };
}

interface Finding {
  kind: RegistryAlert['kind'];
  serverKeys: string[];
  detail: string;
}

/** What an entry's change says, against how it was last seen (if it was): removed, or now another package. */
function findingsOf(entry: UpstreamEntry, previous: UpstreamEntry | undefined, host: string): Finding[] {
  if (entry.status === 'deleted' && previous?.status !== 'deleted')
    return [
      {
        kind: 'deleted',
        // Published and removed between two reads, it is judged by what it named when removed.
        serverKeys: previous?.serverKeys ?? entry.serverKeys,
        detail: `${host} marked ${entry.name} deleted (a registry removes an entry when it is found malicious or abandoned)`,
      },
    ];
  if (previous && entry.status !== 'deleted' && entry.identity !== previous.identity)
    return [
      {
        kind: 'identity-changed',
        serverKeys: previous.serverKeys.filter((key) => !entry.serverKeys.includes(key)),
        detail: `${host} now lists ${entry.name} as ${entry.serverKeys.join(', ') || 'nothing to install'}, no longer ${previous.serverKeys.join(', ')}`,
      },
    ];
  return [];
}

/** One poll: reads what changed upstream, raises what concerns the fleet, blocks it when the organisation chose so. */
export async function pollUpstream(storage: Storage, options: FollowOptions): Promise<PollResult> {
  const now = options.now ?? (() => new Date());
  const started = now().toISOString();
  const since = await storage.registry.upstreamSince(options.url);
  const { entries: listed, complete } = await readUpstream(options, since);
  const before = await storage.registry.upstreamEntries(options.url, [...listed.keys()]);
  const settings = await storage.policySettings();
  const host = new URL(options.url).host;
  const by = `upstream:${host}`;
  const alerts: RegistryAlert[] = [];

  // The first read only learns what the upstream lists.
  for (const entry of since ? listed.values() : [])
    for (const finding of findingsOf(entry, before.get(entry.name), host))
      for (const serverKey of finding.serverKeys) {
        if ((await storage.fleetServer(serverKey)).length === 0) continue;
        const block = settings.upstreamBlocks === true;
        const alert: RegistryAlert = {
          id: alertId(options.url, entry.name, serverKey, finding.kind, entry.updatedAt || started),
          at: started,
          upstream: options.url,
          name: entry.name,
          serverKey,
          kind: finding.kind,
          detail: finding.detail,
          ...(block ? { ruleId: randomUUID() } : {}),
        };
        const rule = alert.ruleId
          ? {
              id: alert.ruleId,
              target: { serverKey },
              agents: ['*'],
              verdict: 'block' as const,
              justification: finding.detail,
              markedBy: by,
              updatedAt: started,
            }
          : undefined;
        // Several processes may read at once: the one that records the alert is the one whose block counts.
        if (await storage.raiseRegistryAlert(alert, rule)) alerts.push(alert);
      }
  await storage.registry.saveUpstreamEntries(options.url, [...listed.values()]);
  // A read cut short at its page cap starts again from the same place; a margin covers the two clocks (what is
  // read twice is judged once: alerts are recorded by what they are about).
  if (complete) await storage.registry.setUpstreamSince(options.url, new Date(Date.parse(started) - CLOCK_MARGIN_MS).toISOString());
  return { seen: listed.size, alerts, ...(complete ? {} : { truncated: true }) };
}

/** Polls now and then every `intervalMs`, saying what failed and carrying on. */
export function followUpstream(
  storage: Storage,
  options: FollowOptions & { intervalMs: number; warn: (message: string) => void },
): { stop(): void } {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const { alerts } = await pollUpstream(storage, options);
      for (const alert of alerts)
        options.warn(`upstream registry: ${alert.detail}${alert.ruleId ? `; ${alert.serverKey} is now blocked for all agents` : ''}`);
    } catch (error) {
      options.warn(`upstream registry ${options.url} not read this time: ${(error as Error).message}`);
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
