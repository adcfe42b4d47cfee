// One full cycle of the headless agent: scan, probe (never what the policy blocks), report, deliver events,
// refresh the policy. `mcp-warden agent --once` runs one; `mcp-warden agent` runs one per change and interval.
import type { ProbeResult, ScanResult, ServerEntry } from '../../shared/inventory.js';
import { isBlocked } from '../../shared/policy.js';
import { type ScanOptions, scan } from '../discovery/scan.js';
import { applyMode } from '../enforce/apply-mode.js';
import { withQuarantined } from '../enforce/quarantine.js';
import { notStartedSummary, probeAll } from '../probe/probe-all.js';
import { decideServer } from '../policy/decisions.js';
import { loadPolicy } from '../sync/policy-cache.js';
import type { AgentSettings } from '../settings/agent-settings.js';
import type { SyncEngine } from '../sync/sync-engine.js';
import type { Host } from './host.js';

export interface CycleOptions {
  /** What to scan, the settings' folders and domains already in it (scan-scope.ts). */
  scanOptions: ScanOptions;
  settings: AgentSettings;
  stateDir: string;
  engine: SyncEngine;
  log: (line: string) => void;
  /** The machine the agent runs on: its clock, addresses and environment (the one probed servers inherit from). */
  host: Pick<Host, 'now' | 'deviceIps' | 'env'>;
  /** The running agent's loopback HTTP guard, which remote servers are pointed at in enforce mode. */
  httpBase?: string | undefined;
  /** Start a replayed machine's servers after all (`--probe-replay`). */
  probeReplay?: boolean | undefined;
}

export interface CycleResult {
  servers: number;
  probed: number;
  reportRevision?: number;
  error?: string;
  /** What the cycle found, for the window. */
  scan: ScanResult;
  probes?: Record<string, ProbeResult>;
}

export async function runCycle(options: CycleOptions): Promise<CycleResult> {
  const now = () => options.host.now();
  const ips = options.host.deviceIps();
  const { scanOptions } = options;
  const policy = (await loadPolicy(options.stateDir))?.policy;
  // Enforcement follows the mode before anything is probed or reported, so both see the files as they now are.
  const { outcome, quarantined } = await applyMode(await scan(scanOptions), {
    mode: options.settings.mode,
    guardCommand: options.settings.guardCommand,
    httpBase: options.httpBase,
    world: scanOptions.world,
    stateDir: options.stateDir,
    policy,
    deviceIps: ips,
    registryUrl: options.settings.serverUrl,
    now,
    log: options.log,
    rescan: () => scan(scanOptions),
  });
  let probes: Record<string, ProbeResult> | undefined;
  if (options.settings.probe !== 'off') {
    const probeOptions = {
      mode: options.settings.probe,
      projects: options.settings.probeProjects,
      probeReplay: options.probeReplay === true,
      env: options.host.env,
      home: scanOptions.world.home,
      stateDir: options.stateDir,
      isBlocked: (entry: ServerEntry) => isBlocked(decideServer(policy, entry, ips, now())),
    };
    probes = await probeAll(outcome, probeOptions);
    for (const line of notStartedSummary(outcome, probeOptions, probes)) options.log(line);
  }
  const { sources } = outcome.result;
  // Quarantined servers are out of their files but still on this machine: they stay in the inventory.
  const servers = withQuarantined(outcome.result.servers, quarantined);
  await options.engine.queueReport({ sources, servers, ...(probes ? { probes } : {}) }, ips);
  const flushed = await options.engine.flush();
  const probed = probes ? Object.values(probes).filter((probe) => probe.status !== 'skipped').length : 0;
  options.log(`cycle: ${servers.length} servers, ${probed} probed${flushed.error ? `; not delivered yet (${flushed.error})` : ''}`);
  return {
    servers: servers.length,
    probed,
    scan: { ...outcome.result, servers },
    ...(probes ? { probes } : {}),
    ...(flushed.reportRevision !== undefined ? { reportRevision: flushed.reportRevision } : {}),
    ...(flushed.error ? { error: flushed.error } : {}),
  };
}
