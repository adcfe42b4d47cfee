// The agent's one composition root: built once from resolved settings and the machine it runs on, it offers
// what every entry point needs (run a cycle, the status of each server, an approval request, close). The CLI's
// commands, the window's service (app/) and the desktop host are thin adapters over it.
import type { ScanResult, ServerEntry } from '../../shared/inventory.js';
import type { Decision } from '../../shared/policy.js';
import { type ScanOptions, scan } from '../discovery/scan.js';
import { quarantinedServers, withQuarantined } from '../enforce/quarantine.js';
import { decideServer } from '../policy/decisions.js';
import type { AgentSettings } from '../settings/agent-settings.js';
import { type CachedPolicy, loadPolicy } from '../sync/policy-cache.js';
import type { Enrollment } from '../sync/device-identity.js';
import { newEvent } from '../sync/spool.js';
import type { SyncEngine, SyncStatus } from '../sync/sync-engine.js';
import { type CycleResult, runCycle } from './cycle.js';
import { type Host, processHost } from './host.js';
import { scanScope } from './scan-scope.js';

export interface AgentCoreOptions {
  /** What the entry point was asked to scan; the settings' folders and domains are added here, once. */
  scanOptions: ScanOptions;
  stateDir: string;
  settings: AgentSettings;
  engine: SyncEngine;
  log?: (line: string) => void;
  now?: () => Date;
  /** The running agent's loopback HTTP guard, which remote servers are pointed at in enforce mode. */
  httpBase?: string | undefined;
  /** Start a replayed machine's servers after all (`--probe-replay`). */
  probeReplay?: boolean | undefined;
  /** The machine the agent runs on (environment, clock, addresses, user); this process's by default. */
  host?: Host | undefined;
}

export interface ServerStatus {
  server: ServerEntry;
  decision: Decision;
  /** Taken out of its config by enforcement until it is approved. */
  quarantined: boolean;
}

export interface Statuses {
  servers: ServerStatus[];
  /** The policy the decisions come from, as last received. */
  cached: CachedPolicy | undefined;
  ips: string[];
  now: Date;
}

/** What `status` and the window show: the decisions, and where the agent stands with the central endpoint. */
export interface AgentStatus extends Statuses {
  enrollment: Enrollment | undefined;
  sync: SyncStatus;
  /** What waits in the spool for the endpoint. */
  queued: { report: boolean; events: number };
}

export interface ApprovalOutcome {
  delivered: boolean;
  /** Why it waits in the spool, when it was not delivered. */
  error?: string;
}

export class AgentCore {
  readonly now: () => Date;
  readonly host: Host;
  /** What every scan of this agent looks at: the entry point's and the settings' folders and domains. */
  readonly scanOptions: ScanOptions;

  constructor(readonly options: AgentCoreOptions) {
    this.host = options.host ?? processHost(options.stateDir, options.now ? { now: options.now } : {});
    this.now = () => this.host.now();
    this.scanOptions = scanScope(options.scanOptions, options.settings);
  }

  get stateDir(): string {
    return this.options.stateDir;
  }

  get engine(): SyncEngine {
    return this.options.engine;
  }

  /** One full cycle: scan, apply the mode, probe, report, deliver, refresh the policy. */
  runCycle(): Promise<CycleResult> {
    const { settings, stateDir, engine, httpBase, probeReplay } = this.options;
    return runCycle({
      scanOptions: this.scanOptions,
      settings,
      stateDir,
      engine,
      log: this.options.log ?? (() => undefined),
      host: this.host,
      httpBase,
      probeReplay,
    });
  }

  /** What is configured on this machine now, without probing or reporting it. */
  async scan(): Promise<ScanResult> {
    return (await scan(this.scanOptions)).result;
  }

  /**
   * Each server with the organisation's decision here and now, from the cached policy (offline too), the
   * servers enforcement took out of their configs among them.
   */
  async statuses(scanned: readonly ServerEntry[]): Promise<Statuses> {
    const [quarantined, cached] = await Promise.all([quarantinedServers(this.stateDir), loadPolicy(this.stateDir)]);
    const outOfConfig = new Set(quarantined.map((server) => server.id));
    const ips = this.host.deviceIps();
    const now = this.now();
    const servers = withQuarantined(scanned, quarantined).map((server) => ({
      server,
      decision: decideServer(cached?.policy, server, ips, now),
      quarantined: outOfConfig.has(server.id),
    }));
    return { servers, cached, ips, now };
  }

  /** The decisions for what was scanned, with the enrollment, the last sync and what waits to be sent. */
  async status(scanned: readonly ServerEntry[]): Promise<AgentStatus> {
    const [statuses, enrollment, sync, queued] = await Promise.all([
      this.statuses(scanned),
      this.engine.enrollments.load(),
      this.engine.status(),
      this.engine.spool.counts(),
    ]);
    return { ...statuses, enrollment, sync, queued };
  }

  /** Asks the organisation to approve a server: queued, then sent if the endpoint answers (else it waits in the spool). */
  async requestApproval(server: ServerEntry, reason: string): Promise<ApprovalOutcome> {
    await this.engine.queueEvents([
      newEvent({
        type: 'approval-request',
        client: server.client,
        serverId: server.id,
        serverKey: server.serverKey,
        serverName: server.name,
        reason,
        user: this.host.user(),
      }),
    ]);
    const flushed = await this.engine.flush();
    return flushed.error ? { delivered: false, error: flushed.error } : { delivered: true };
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}
