// Probes every server of a scan: which ones may be probed (policy, disabled, a replayed machine, the user's
// consent in its client, settings), at most N at a time, each launch once even when several clients share
// it, results cached, risks analysed, changes found.
import type { ProbeResult, RiskSignal, ServerEntry } from '../../shared/inventory.js';
import type { PROBE_MODES, PROBE_PROJECT_MODES } from '../../shared/vocabulary.js';
import type { LaunchSpec } from '../discovery/normalise.js';
import type { ScanOutcome } from '../discovery/scan.js';
import { analyseCapability } from '../risk/analyse-capability.js';
import { ProbeCache, capabilityHashes, compareCapabilities, launchFingerprint, serverFingerprint } from './probe-cache.js';
import { DEFAULT_PROBE_LIMITS, type ProbeLimits, probeServer } from './probe-server.js';
import type { ResolveContext } from './resolve-launch.js';
import { inPool } from '../../shared/pool.js';

export type ProbeMode = (typeof PROBE_MODES)[number];
export type ProbeProjects = (typeof PROBE_PROJECT_MODES)[number];

export interface ProbeAllOptions extends ResolveContext {
  mode: ProbeMode;
  /** Project servers: only those their client approved (default), none, or all. */
  projects?: ProbeProjects;
  /** Start a replayed machine's servers here after all (`--probe-replay`: tests, support engineers). */
  probeReplay?: boolean;
  concurrency?: number;
  limits?: Partial<ProbeLimits>;
  /** Where the cache and fingerprints live; without it nothing is cached. */
  stateDir?: string | undefined;
  /** Reuse an `ok` result for this long when the launch has not changed. */
  ttlMs?: number;
  failureTtlMs?: number;
  /** Servers the organisation blocks are never started. */
  isBlocked?: (entry: ServerEntry) => boolean;
  now?: () => Date;
  onProgress?: (done: number, total: number, entry: ServerEntry) => void;
}

export const DEFAULT_PROBE_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_FAILURE_TTL_MS = 60 * 60 * 1000;

function skipped(reason: string, now: Date): ProbeResult {
  return {
    status: 'skipped',
    reason,
    durationMs: 0,
    probedAt: now.toISOString(),
    tools: [],
    resources: [],
    resourceTemplates: [],
    prompts: [],
    risks: [],
  };
}

export const REPLAY_SKIP_REASON =
  'a copy of another machine (--home/--root/--platform): MCP Warden reads its files and never starts or contacts its servers (--probe-replay does)';

/** Why a server is not probed, or undefined when it may be. */
function skipReason(entry: ServerEntry, spec: LaunchSpec, outcome: ScanOutcome, options: ProbeAllOptions): string | undefined {
  if (options.isBlocked?.(entry)) return 'blocked by the organisation’s policy: never started';
  if (entry.disabled) return 'disabled in its client’s config';
  if (spec.transport === 'builtin') return 'runs inside its client';
  if (outcome.replayed && !options.probeReplay) return REPLAY_SKIP_REASON;
  if (options.mode === 'off') return 'probing is off (setting probe: off)';
  if (options.mode === 'remote-only' && entry.transport === 'stdio') return 'local servers are not started (setting probe: remote-only)';
  return entry.scope === 'project' ? projectSkipReason(entry, outcome, options.projects ?? 'approved') : undefined;
}

/** A project server runs only with the consent its client recorded, unless IT says otherwise (probeProjects). */
function projectSkipReason(entry: ServerEntry, outcome: ScanOutcome, projects: ProbeProjects): string | undefined {
  if (projects === 'all') return undefined;
  if (projects === 'never') return 'project servers are not started (setting probeProjects: never)';
  const consent = outcome.consents.get(entry.id);
  if (consent?.granted) return undefined;
  return `${consent?.reason ?? 'no consent recorded'}: MCP Warden never starts a project server its client would not start`;
}

/** Risks on each capability, and the server-level ones that follow from the capability list. */
function withRisks(result: ProbeResult): ProbeResult {
  const analyse = (list: ProbeResult['tools']) => list.map((capability) => ({ ...capability, risks: analyseCapability(capability) }));
  const risks: RiskSignal[] = (result.truncated ?? []).map((list) => ({
    id: 'oversized-server',
    severity: 'medium',
    evidence: `more ${list} than the cap; the list was cut`,
  }));
  return {
    ...result,
    tools: analyse(result.tools),
    resources: analyse(result.resources),
    resourceTemplates: analyse(result.resourceTemplates),
    prompts: analyse(result.prompts),
    risks: [...result.risks, ...risks],
  };
}

/** The same tool name from two servers of one client: the model cannot tell which one it calls. */
function shadowing(entries: readonly ServerEntry[], probes: Record<string, ProbeResult>): void {
  const byClient = new Map<string, Map<string, ServerEntry[]>>();
  for (const entry of entries) {
    const probe = probes[entry.id];
    if (probe?.status !== 'ok' || entry.disabled) continue;
    const tools = byClient.get(entry.client) ?? new Map<string, ServerEntry[]>();
    byClient.set(entry.client, tools);
    for (const tool of probe.tools) tools.set(tool.name, [...(tools.get(tool.name) ?? []), entry]);
  }
  for (const tools of byClient.values()) {
    for (const [tool, owners] of tools) {
      const names = [...new Set(owners.map((owner) => owner.name))];
      if (names.length < 2) continue;
      for (const owner of owners) {
        const others = names.filter((name) => name !== owner.name);
        probes[owner.id]!.risks.push({
          id: 'tool-shadowing',
          severity: 'medium',
          evidence: `tool "${tool}" is also exposed by ${others.map((name) => `"${name}"`).join(', ')} in the same client`,
        });
      }
    }
  }
}

function changeRisks(result: ProbeResult): RiskSignal[] {
  const changes = result.changes;
  if (!changes) return [];
  const describe = (keys: string[]) => keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
  const signals: RiskSignal[] = [];
  if (changes.changed.length)
    signals.push({ id: 'capability-changed', severity: 'high', evidence: `changed since the last probe: ${describe(changes.changed)}` });
  if (changes.added.length)
    signals.push({ id: 'capability-added', severity: 'low', evidence: `new since the last probe: ${describe(changes.added)}` });
  if (changes.removed.length)
    signals.push({ id: 'capability-removed', severity: 'info', evidence: `gone since the last probe: ${describe(changes.removed)}` });
  return signals;
}

export async function probeAll(outcome: ScanOutcome, options: ProbeAllOptions): Promise<Record<string, ProbeResult>> {
  const now = options.now ?? (() => new Date());
  const limits = { ...DEFAULT_PROBE_LIMITS, ...options.limits };
  const cache = options.stateDir ? await ProbeCache.open(options.stateDir) : undefined;
  const entries = outcome.result.servers;
  const probes: Record<string, ProbeResult> = {};

  // One probe per distinct launch, shared by every entry (client) that has it.
  const launches = new Map<string, { spec: LaunchSpec; entries: ServerEntry[] }>();
  for (const entry of entries) {
    const spec = outcome.launches.get(entry.id);
    if (!spec) continue;
    const reason = skipReason(entry, spec, outcome, options);
    if (reason) {
      probes[entry.id] = skipped(reason, now());
      continue;
    }
    const fingerprint = launchFingerprint(spec, entry.projectPath);
    const group = launches.get(fingerprint) ?? { spec, entries: [] };
    group.entries.push(entry);
    launches.set(fingerprint, group);
  }

  let done = 0;
  const total = launches.size;
  await inPool([...launches], options.concurrency ?? 4, async ([fingerprint, { spec, entries: sharing }]) => {
    const cached = cache?.fresh(fingerprint, now(), options.ttlMs ?? DEFAULT_PROBE_TTL_MS, options.failureTtlMs ?? DEFAULT_FAILURE_TTL_MS);
    const result = cached ? { ...cached, cached: true } : withRisks(await probeServer(sharing[0]!, spec, options, limits, now));
    if (!cached) cache?.remember(fingerprint, result);
    for (const entry of sharing) probes[entry.id] = { ...result, risks: [...result.risks] };
    options.onProgress?.(++done, total, sharing[0]!);
  });

  for (const entry of entries) {
    const probe = probes[entry.id];
    if (probe?.status !== 'ok') continue;
    const hashes = capabilityHashes(probe);
    probe.fingerprint = serverFingerprint(hashes);
    const changes = compareCapabilities(cache?.previousCapabilities(entry.id), hashes);
    if (changes) probe.changes = changes;
    probe.risks.push(...changeRisks(probe));
    cache?.rememberCapabilities(entry.id, hashes);
  }
  shadowing(entries, probes);
  await cache?.save(new Set(launches.keys()), new Set(entries.map((entry) => entry.id)));
  return probes;
}

/** Why servers a person may expect to see probed were left alone, said once, not only per server. */
export function notStartedSummary(
  outcome: ScanOutcome,
  options: Pick<ProbeAllOptions, 'projects' | 'probeReplay'>,
  probes: Record<string, ProbeResult>,
): string[] {
  const skipped = outcome.result.servers.filter((server) => probes[server.id]?.status === 'skipped' && !server.disabled);
  const plural = (count: number) => (count === 1 ? '1 server was' : `${count} servers were`);
  if (outcome.replayed && !options.probeReplay) {
    return skipped.length
      ? [`This is a copy of another machine: ${plural(skipped.length)} not started or contacted (--probe-replay starts them here).`]
      : [];
  }
  const unapproved = skipped.filter(
    (server) =>
      server.scope === 'project' && outcome.consents.get(server.id)?.granted !== true && (options.projects ?? 'approved') === 'approved',
  );
  return unapproved.length
    ? [`${plural(unapproved.length)} not started: project servers their client has no record of the user approving (docs/security.md).`]
    : [];
}
