// The one contract between the window and the agent: channel names, zod schemas for arguments and results,
// and the push events. The preload exposes it as `window.warden` (Electron); the harness exposes the same
// interface over HTTP (a browser). The renderer sees nothing else.
import { z } from 'zod';
import { Capability, ConfigSource, ProbeStatus, RiskSignal } from './inventory.js';
import { Decision } from './policy.js';

export const TRAY_STATES = ['ok', 'pending', 'blocked', 'offline'] as const;
export const TrayState = z.enum(TRAY_STATES);
export type TrayState = z.infer<typeof TrayState>;

/** One server as the window shows it: redacted already, with its decision and what probing found. */
export const ServerView = z.object({
  id: z.string(),
  serverKey: z.string(),
  name: z.string(),
  client: z.string(),
  clientName: z.string(),
  scope: z.string(),
  projectPath: z.string().optional(),
  configPath: z.string(),
  transport: z.string(),
  /** Command and arguments, or the URL, with secrets already replaced. */
  launch: z.string(),
  accessType: z.string(),
  disabled: z.boolean(),
  findings: z.array(RiskSignal),
  decision: Decision,
  /** Taken out of its config by enforcement until it is approved (docs/enforcement.md). */
  quarantined: z.boolean().optional(),
  lastDetected: z.string(),
  probe: z
    .object({
      status: ProbeStatus,
      reason: z.string().optional(),
      probedAt: z.string(),
      /** Each with its own decision, as the guard enforces it (a tool can be blocked on an approved server). */
      capabilities: z.array(Capability.extend({ decision: Decision })),
      risks: z.array(RiskSignal),
    })
    .optional(),
});
export type ServerView = z.infer<typeof ServerView>;

export const SettingView = z.object({
  key: z.string(),
  label: z.string(),
  value: z.string(),
  /** Set by IT through MDM: shown locked. */
  managed: z.boolean(),
});
export type SettingView = z.infer<typeof SettingView>;

export const Snapshot = z.object({
  generatedAt: z.string(),
  servers: z.array(ServerView),
  /** Files that could not be read, with the reason. */
  brokenSources: z.array(ConfigSource),
  sync: z.object({
    serverUrl: z.string().optional(),
    deviceId: z.string().optional(),
    enrolled: z.boolean(),
    lastSuccessAt: z.string().optional(),
    lastAttemptAt: z.string().optional(),
    lastError: z.string().optional(),
    policyVersion: z.string().optional(),
    policyFetchedAt: z.string().optional(),
    policyCheckedAt: z.string().optional(),
    /** The endpoint could not be reached at the last attempt, or there is none. */
    offline: z.boolean(),
  }),
  policy: z.object({ blockMessage: z.string().optional(), moreInfoUrl: z.string().optional() }),
  settings: z.array(SettingView),
  trayState: TrayState,
});
export type Snapshot = z.infer<typeof Snapshot>;

export const ApprovalRequestInput = z.object({
  serverId: z.string().min(1).max(64),
  reason: z.string().trim().min(1, 'say why you need this server').max(4000),
});
export type ApprovalRequestInput = z.infer<typeof ApprovalRequestInput>;

export const ApprovalResult = z.object({ delivered: z.boolean(), message: z.string() });
export type ApprovalResult = z.infer<typeof ApprovalResult>;

export const OpenLinkInput = z.object({ url: z.url({ protocol: /^https?$/ }) });

/** Request/response channels: `ipcRenderer.invoke(name, ...args)`. */
export const INVOKE_CHANNELS = {
  'snapshot:get': { args: z.tuple([]), result: Snapshot },
  'scan:now': { args: z.tuple([]), result: Snapshot },
  'approval:request': { args: z.tuple([ApprovalRequestInput]), result: ApprovalResult },
  'link:open': { args: z.tuple([OpenLinkInput]), result: z.null() },
} as const;
export type InvokeChannel = keyof typeof INVOKE_CHANNELS;
export type InvokeArgs<C extends InvokeChannel> = z.infer<(typeof INVOKE_CHANNELS)[C]['args']>;
export type InvokeResult<C extends InvokeChannel> = z.infer<(typeof INVOKE_CHANNELS)[C]['result']>;

/** Push events from the agent: invalidations, after which the window fetches again. */
export const EVENT_CHANNELS = {
  'snapshot:invalidated': z.object({ reason: z.string() }),
} as const;
export type EventChannel = keyof typeof EVENT_CHANNELS;

/** What `window.warden` offers the renderer. */
export interface WardenBridge {
  getSnapshot(): Promise<Snapshot>;
  scanNow(): Promise<Snapshot>;
  requestApproval(input: ApprovalRequestInput): Promise<ApprovalResult>;
  openLink(url: string): Promise<null>;
  /** Subscribes to invalidations; returns the unsubscribe function. */
  onInvalidated(listener: (reason: string) => void): () => void;
}

/** Methods of the bridge by channel, so both sides are written from this one table. */
export const BRIDGE_METHODS = {
  getSnapshot: 'snapshot:get',
  scanNow: 'scan:now',
  requestApproval: 'approval:request',
  openLink: 'link:open',
} as const satisfies Record<Exclude<keyof WardenBridge, 'onInvalidated'>, InvokeChannel>;
