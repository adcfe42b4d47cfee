// Remembers probes between runs: results by a fingerprint of the launch spec (so a changed config is probed
// again), and each server's last capability hashes (so a changed tool shows up as a change).
import path from 'node:path';
import type { CapabilityChanges, ProbeResult } from '../../shared/inventory.js';
import type { LaunchSpec } from '../discovery/normalise.js';
import { readJsonState, writeFileAtomic } from '../state/state-dir.js';
import { canonicalJson, sha256 } from './capabilities.js';
import { capabilitiesOf } from '../../shared/present.js';

const CACHE_VERSION = 1;

interface CacheFile {
  version: number;
  /** By launch fingerprint. */
  results: Record<string, ProbeResult>;
  /** By server id: the capability hashes of its last successful probe, by `kind:name`. */
  capabilities: Record<string, Record<string, string>>;
}

const isCacheFile = (value: unknown): value is CacheFile =>
  typeof value === 'object' &&
  value !== null &&
  (value as CacheFile).version === CACHE_VERSION &&
  typeof (value as CacheFile).results === 'object' &&
  typeof (value as CacheFile).capabilities === 'object';

/** What identifies a launch. Hashed, so the secrets it holds are not written to disk. */
export function launchFingerprint(spec: LaunchSpec, projectPath: string | undefined): string {
  return sha256(canonicalJson({ spec, projectPath: projectPath ?? null }));
}

export function capabilityHashes(result: ProbeResult): Record<string, string> {
  return Object.fromEntries(capabilitiesOf(result).map((capability) => [`${capability.kind}:${capability.name}`, capability.hash]));
}

export function serverFingerprint(hashes: Record<string, string>): string {
  return sha256(canonicalJson(hashes));
}

export function compareCapabilities(
  previous: Record<string, string> | undefined,
  current: Record<string, string>,
): CapabilityChanges | undefined {
  if (!previous) return undefined;
  return {
    added: Object.keys(current)
      .filter((key) => !(key in previous))
      .sort(),
    removed: Object.keys(previous)
      .filter((key) => !(key in current))
      .sort(),
    changed: Object.keys(current)
      .filter((key) => key in previous && previous[key] !== current[key])
      .sort(),
  };
}

export class ProbeCache {
  private constructor(
    private readonly file: string,
    private readonly data: CacheFile,
  ) {}

  static async open(stateDir: string): Promise<ProbeCache> {
    const file = path.join(stateDir, 'probe-cache.json');
    return new ProbeCache(file, await readJsonState(file, { version: CACHE_VERSION, results: {}, capabilities: {} }, isCacheFile));
  }

  /** A result still fresh: `ok` results for `ttlMs`, failures for `failureTtlMs`. */
  fresh(fingerprint: string, now: Date, ttlMs: number, failureTtlMs: number): ProbeResult | undefined {
    const result = this.data.results[fingerprint];
    if (!result) return undefined;
    const age = now.getTime() - Date.parse(result.probedAt);
    return age >= 0 && age < (result.status === 'ok' ? ttlMs : failureTtlMs) ? result : undefined;
  }

  remember(fingerprint: string, result: ProbeResult): void {
    this.data.results[fingerprint] = result;
  }

  previousCapabilities(serverId: string): Record<string, string> | undefined {
    return this.data.capabilities[serverId];
  }

  rememberCapabilities(serverId: string, hashes: Record<string, string>): void {
    this.data.capabilities[serverId] = hashes;
  }

  /** Drops what belongs to servers and launches no longer configured, then writes the file atomically. */
  async save(liveFingerprints: ReadonlySet<string>, liveServerIds: ReadonlySet<string>): Promise<void> {
    for (const key of Object.keys(this.data.results)) if (!liveFingerprints.has(key)) delete this.data.results[key];
    for (const key of Object.keys(this.data.capabilities)) if (!liveServerIds.has(key)) delete this.data.capabilities[key];
    await writeFileAtomic(this.file, JSON.stringify(this.data));
  }
}
