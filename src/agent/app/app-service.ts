// The agent core (core/agent-core.ts) as the window sees it: snapshots (servers with decisions and capabilities,
// broken files, sync state, settings), a scan on demand, approval requests, and invalidation events. Plain Node:
// Electron runs it in a utility process, the harness in a plain server; both expose it as the bridge of
// src/shared/ipc.ts.
import type { ProbeResult, ScanResult } from '../../shared/inventory.js';
import type { ApprovalRequestInput, ApprovalResult, ServerView, SettingView, Snapshot, TrayState } from '../../shared/ipc.js';
import { isBlocked } from '../../shared/policy.js';
import { clientName } from '../discovery/catalogue/clients.js';
import type { ScanOptions } from '../discovery/scan.js';
import { AgentCore, type AgentCoreOptions } from '../core/agent-core.js';
import { decideServer } from '../policy/decisions.js';
import { AGENT_SETTINGS, type AgentSettings, type SettingSpec } from '../settings/agent-settings.js';
import type { AgentSettingKey } from '../settings/setting-names.js';
import { capabilitiesOf, launchText } from '../../shared/present.js';

export interface AppServiceOptions extends AgentCoreOptions {
  scanOptions: ScanOptions;
  /** Setting keys IT manages through MDM (shown locked). */
  managedKeys?: ReadonlySet<string>;
}

/** The settings the window shows, in this order; their labels and secrecy come from the catalogue. */
const SHOWN_SETTINGS: AgentSettingKey[] = [
  'mode',
  'serverUrl',
  'enrollSecret',
  'probe',
  'probeProjects',
  'scanRoots',
  'reportIntervalSec',
  'orgDomains',
  'caFile',
];

/** Values whose words say more to a person than the setting's own. */
const VALUE_LABELS: Partial<Record<keyof AgentSettings, Record<string, string>>> = {
  probeProjects: { approved: 'only those approved in their AI client', never: 'never started', all: 'all, approved or not' },
};

/** Blocked servers matter most to the person; then whether the decisions can be trusted; then what is pending. */
export function trayStateOf(servers: readonly ServerView[], offline: boolean): TrayState {
  if (servers.some((server) => isBlocked(server.decision))) return 'blocked';
  if (offline) return 'offline';
  if (servers.some((server) => server.decision.status === 'pending')) return 'pending';
  return 'ok';
}

export class AppService {
  private last?: { scan: ScanResult; probes?: Record<string, ProbeResult>; at: string };
  private running?: Promise<void>;
  private readonly listeners = new Set<(reason: string) => void>();
  private readonly now: () => Date;
  private readonly core: AgentCore;

  constructor(private readonly options: AppServiceOptions) {
    this.core = new AgentCore(options);
    this.now = this.core.now;
  }

  /** What every cycle scans (and so what a watcher should watch): the settings' folders and domains in it. */
  get scanOptions(): ScanOptions {
    return this.core.scanOptions;
  }

  onInvalidated(listener: (reason: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private invalidate(reason: string): void {
    for (const listener of this.listeners) listener(reason);
  }

  /** One agent cycle (scan, probe, report, policy); concurrent calls share the cycle in flight. */
  refresh(reason: string): Promise<void> {
    this.running ??= (async () => {
      try {
        const cycle = await this.core.runCycle();
        this.last = { scan: cycle.scan, ...(cycle.probes ? { probes: cycle.probes } : {}), at: this.now().toISOString() };
      } finally {
        this.running = undefined;
      }
      this.invalidate(reason);
    })();
    return this.running;
  }

  async snapshot(): Promise<Snapshot> {
    if (!this.last) await this.refresh('first scan');
    const last = this.last!;
    const { servers: statuses, cached, ips, now, enrollment, sync } = await this.core.status(last.scan.servers);
    const servers: ServerView[] = statuses.map(({ server, decision, quarantined }) => {
      const probe = last.probes?.[server.id];
      return {
        id: server.id,
        serverKey: server.serverKey,
        name: server.name,
        client: server.client,
        clientName: clientName(server.client),
        scope: server.scope,
        ...(server.projectPath ? { projectPath: server.projectPath } : {}),
        configPath: server.configPath,
        transport: server.transport,
        launch: launchText(server),
        accessType: server.accessType,
        disabled: server.disabled,
        findings: server.findings,
        decision,
        ...(quarantined ? { quarantined: true } : {}),
        lastDetected: last.at,
        ...(probe
          ? {
              probe: {
                status: probe.status,
                ...(probe.reason ? { reason: probe.reason } : {}),
                probedAt: probe.probedAt,
                capabilities: capabilitiesOf(probe).map((capability) => ({
                  ...capability,
                  decision: decideServer(cached?.policy, server, ips, now, { kind: capability.kind, name: capability.name }),
                })),
                risks: probe.risks,
              },
            }
          : {}),
      };
    });
    const offline = !enrollment || Boolean(sync.lastError);
    return {
      generatedAt: last.at,
      servers,
      brokenSources: last.scan.sources.filter((source) => source.status !== 'ok' && source.status !== 'missing'),
      sync: {
        enrolled: Boolean(enrollment),
        offline,
        ...(enrollment ? { serverUrl: enrollment.serverUrl, deviceId: enrollment.deviceId } : {}),
        ...(sync.lastSuccessAt ? { lastSuccessAt: sync.lastSuccessAt } : {}),
        ...(sync.lastAttemptAt ? { lastAttemptAt: sync.lastAttemptAt } : {}),
        ...(sync.lastError ? { lastError: sync.lastError } : {}),
        ...(cached ? { policyVersion: cached.policy.version, policyFetchedAt: cached.fetchedAt, policyCheckedAt: cached.checkedAt } : {}),
      },
      policy: {
        ...(cached?.policy.blockMessage ? { blockMessage: cached.policy.blockMessage } : {}),
        ...(cached?.policy.moreInfoUrl ? { moreInfoUrl: cached.policy.moreInfoUrl } : {}),
      },
      settings: this.settingViews(),
      trayState: trayStateOf(servers, offline),
    };
  }

  async scanNow(): Promise<Snapshot> {
    await this.refresh('scan requested');
    return this.snapshot();
  }

  async requestApproval(input: ApprovalRequestInput): Promise<ApprovalResult> {
    const server = this.last?.scan.servers.find((candidate) => candidate.id === input.serverId);
    if (!server) return { delivered: false, message: 'that server is no longer configured on this machine' };
    const sent = await this.core.requestApproval(server, input.reason);
    this.invalidate('approval requested');
    return sent.error
      ? { delivered: false, message: `Your request is saved and will be sent when the central endpoint is reachable (${sent.error}).` }
      : { delivered: true, message: `Your request for ${server.name} was sent to your administrators.` };
  }

  private settingViews(): SettingView[] {
    const managed = this.options.managedKeys ?? new Set<string>();
    return SHOWN_SETTINGS.map((key) => {
      const { label, secret } = AGENT_SETTINGS[key] as SettingSpec;
      const raw = this.options.settings[key];
      const worded = VALUE_LABELS[key]?.[String(raw)];
      const shown = Array.isArray(raw) ? raw.join(', ') || '—' : raw === undefined || raw === '' ? '—' : String(raw);
      const value = secret ? (raw ? 'set' : 'not set') : (worded ?? shown);
      return { key, label, value, managed: managed.has(key) };
    });
  }
}
