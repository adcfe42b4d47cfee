// What the reference server stores, behind one contract that SQLite (the embedded default) and PostgreSQL (for
// fleets beyond one box, several server processes on one database) both fulfil. Every list is a keyset page:
// sorted and filtered in the database, never loaded whole. test/server/storage-contract.test.ts runs the same
// suite against both.
import type { AgentEvent, DeviceFacts, InventoryReport } from '../../shared/protocol.js';
import type { Capability, ConfigSource, ProbeResult, RiskSignal, ServerEntry } from '../../shared/inventory.js';
import type { Policy, Rule } from '../../shared/policy.js';
import type { AdminAccount, AdminAction, AdminRole, AdminToken } from '../../shared/admins.js';
import type { RegistryMode, RegistryStatus } from '../../shared/registry.js';
import type { RegistryAlertRow, RegistryEntryRow } from '../../shared/admin-api.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DeviceRecord extends DeviceFacts {
  id: string;
  enrolledAt: string;
  lastSeen: string;
  lastIp?: string | undefined;
  deviceIps: string[];
  revision: number;
  /** Servers in its latest report, kept as reports arrive. */
  serverCount: number;
  /** `human|…`: whom the device acts for (people.ts). */
  human: string;
}

/** One server as the fleet knows it: a serverKey loaded by one agent, with counts kept as reports arrive. */
export interface FleetServer {
  serverKey: string;
  agent: string;
  /** As the device that last added or changed it names it. */
  name: string;
  accessType: ServerEntry['accessType'];
  transport: ServerEntry['transport'];
  url?: string | undefined;
  /** Worst severity of its latest findings and probe. */
  risk: RiskSignal['severity'] | 'none';
  findings: RiskSignal[];
  deviceCount: number;
  firstDetected: string;
  /** When a device last added or changed it. */
  lastUpdated: string;
}

/** A server on one device. */
export interface DeviceServer {
  deviceId: string;
  hostname: string;
  user: string;
  server: ServerEntry;
  firstSeen: string;
  /** The device's latest report, which lists every server it still has. */
  lastSeen: string;
}

export type IngestResult = { kind: 'accepted'; acceptedRevision: number } | { kind: 'full-report-required'; holding: number };

/** A capability whose definition changed since it was first seen: what it was, what it is. */
export interface CapabilityChange {
  serverKey: string;
  changedAt: string;
  before: Capability;
  /** When the definition before was first seen. */
  beforeSeen: string;
  after: Capability;
}

export interface ServerImpact {
  devices: number;
  /** Distinct humans (people.ts) among those devices. */
  people: number;
  lastCalledAt?: string | undefined;
}

export interface StoredEvent extends AgentEvent {
  deviceId: string;
  receivedAt: string;
  /** `human|…` and `agent|…` (people.ts), as they were when the event arrived. */
  human: string;
  agent?: string | undefined;
}

export interface PolicySettings {
  defaultVerdict: Policy['defaultVerdict'];
  blockMessage?: string | undefined;
  moreInfoUrl?: string | undefined;
  /** What laptops do with the organisation's registry (absent: off). */
  registryMode?: RegistryMode | undefined;
  /** When an upstream registry removes an entry the fleet runs: block it for all agents, or only say so. */
  upstreamBlocks?: boolean | undefined;
  /** A capability whose definition changed waits, on every laptop, until an admin decides it again. */
  reviewChangedCapabilities?: boolean | undefined;
}

/** A keyset position: the sort values of the last row of the previous page. */
export type Keyset = readonly (string | number)[];

export interface PageRequest<Sort extends string> {
  sort: Sort;
  descending: boolean;
  limit: number;
  after?: Keyset | undefined;
  /** Count matching rows only up to this many (events), else exactly. */
  countUpTo?: number | undefined;
}

export interface Page<T> {
  items: T[];
  /** Position after the last item, when more follow. */
  next?: Keyset | undefined;
  total: number;
  /** False when `total` reached `countUpTo` and more may match. */
  totalExact: boolean;
}

export const SERVER_SORTS = ['name', 'agent', 'deviceCount', 'risk', 'firstDetected', 'lastUpdated', 'accessType'] as const;
export const DEVICE_SORTS = ['hostname', 'user', 'lastSeen', 'enrolledAt', 'serverCount'] as const;
export const EVENT_SORTS = ['at'] as const;
export const SERVER_DEVICE_SORTS = ['firstSeen', 'hostname'] as const;

export interface ServerFilter {
  agent?: string | undefined;
  accessType?: string | undefined;
  transport?: string | undefined;
  /** At least this severity. */
  risk?: RiskSignal['severity'] | undefined;
  /** In name or serverKey, case-insensitively. */
  search?: string | undefined;
  /** Only these serverKeys (every agent). */
  serverKeys?: readonly string[] | undefined;
  /** None of these serverKeys. */
  notServerKeys?: readonly string[] | undefined;
  /** Decisions are the policy's, so the caller names which (serverKey, agent) pairs match: these … */
  pairsIn?: readonly (readonly [string, string])[] | undefined;
  /** … or any pair whose serverKey is not one of these. */
  orKeyNotIn?: readonly string[] | undefined;
  /** Only servers loaded on this device. */
  deviceId?: string | undefined;
}

export interface DeviceFilter {
  platform?: string | undefined;
  /** `human|…`: the devices acting for one person. */
  human?: string | undefined;
  user?: string | undefined;
  /** In hostname or user, case-insensitively. */
  search?: string | undefined;
  /** Devices with at least one server of this agent. */
  agent?: string | undefined;
  /** Devices that load this serverKey. */
  serverKey?: string | undefined;
  seenAfter?: string | undefined;
}

export interface EventFilter {
  deviceId?: string | undefined;
  /** `human|…`: everything under one person's authority, every agent combined. */
  human?: string | undefined;
  /** `agent|client@hostname`: one agent on one device. */
  agentKey?: string | undefined;
  agent?: string | undefined;
  serverKey?: string | undefined;
  decision?: string | undefined;
  type?: string | undefined;
  user?: string | undefined;
  capability?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** In the server, capability or reason, case-insensitively. */
  search?: string | undefined;
}

export interface AgentStats {
  agent: string;
  deviceCount: number;
  serverCount: number;
}

export type ComplianceDimension = 'server' | 'human';

/** The busiest servers or people of a period, and how many there were. */
export interface ComplianceTop {
  rows: { subject: string; calls: number; denied: number }[];
  subjects: number;
}

export interface EventCount {
  day: string;
  agent: string;
  type: string;
  decision: string;
  count: number;
}

export interface MaintenanceResult {
  eventsDroppedBefore: string;
  reportsPrunedBefore: string;
}

/** Who made a change: an admin's email (or `cli:<user>` for the CLI). */
export type Actor = string;

export const ADMIN_ACTION_SORTS = ['at'] as const;

export interface AdminActionFilter {
  admin?: string | undefined;
  serverKey?: string | undefined;
  /** Changes to rules for this agent (rules for all agents included). */
  agent?: string | undefined;
  /** `kind:name`, as events name capabilities. */
  capability?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export class AdminExistsError extends Error {}
/** A request named a device the database does not hold (a restore from a backup older than the device). */
export class UnknownDeviceError extends Error {}
/** A part of the storage cannot serve until an operator acts (a damaged index file); the message says what to do. */
export class StorageNeedsOperatorError extends Error {}

/** A signed-in browser session (single sign-on); the cookie itself is never stored, only its hash. */
export interface AdminSession {
  email: string;
  role: AdminRole;
  /**
   * Where the role came from: the admin accounts list (re-read on every request), the provider's claim, or
   * the bootstrap token (--admin-token), which speaks for an owner.
   */
  roleSource: 'account' | 'claim' | 'bootstrap';
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  /** The absolute end, however active the session. */
  expiresAt: string;
  /** What a session from a token was made with: `token:<id>`, or `bootstrap:<sha256>`; it ends with it. */
  credential?: string | undefined;
}

/** Admin accounts, their tokens (stored as hashes) and the history of admin actions. */
export interface AdminStore {
  /** A new account, made with its first token (name and hash). */
  add(email: string, role: AdminRole, by: Actor, now: string, token: { name: string; hash: string }): Promise<AdminAccount>;
  list(): Promise<AdminAccount[]>;
  byEmail(email: string): Promise<AdminAccount | undefined>;
  /** Removes an account and its tokens; false when there was none. */
  remove(email: string, by: Actor, now: string): Promise<boolean>;
  /** A new token for an admin; their live token of the same name is revoked. */
  issueToken(email: string, name: string, tokenHash: string, by: Actor, now: string): Promise<AdminToken>;
  /** The admin a live token belongs to. */
  byTokenHash(tokenHash: string): Promise<{ admin: AdminAccount; token: AdminToken } | undefined>;
  /** Records a token's use (callers need not do so more than once a minute). */
  touchToken(tokenId: string, now: string): Promise<void>;
  history(filter: AdminActionFilter, page: PageRequest<(typeof ADMIN_ACTION_SORTS)[number]>): Promise<Page<AdminAction>>;

  startSession(idHash: string, session: AdminSession): Promise<void>;
  session(idHash: string): Promise<AdminSession | undefined>;
  touchSession(idHash: string, now: string): Promise<void>;
  endSession(idHash: string): Promise<void>;
  /** Ends every session of one person (their role was taken away at the provider); answers how many. */
  endSessionsOf(email: string): Promise<number>;
  /** Drops sessions past their absolute end. */
  pruneSessions(now: string): Promise<void>;
}

/** One published version of one entry of the organisation's registry (as admins read it: shared/admin-api.ts). */
export type RegistryEntry = RegistryEntryRow;

export interface RegistryFilter {
  /** In the name, case-insensitively. */
  search?: string | undefined;
  /** Changed at or after this time; deleted entries are listed too, so followers see them go. */
  updatedSince?: string | undefined;
  /** Only each name's latest version, or only this exact version. */
  version?: string | undefined;
  serverKey?: string | undefined;
}

export class RegistryConflictError extends Error {}
/** A block for every agent stands: the server is not published. */
export class RegistryBlockedError extends Error {}

/** What following an upstream registry raised: an entry the fleet runs was removed, or now names another package. */
export type RegistryAlert = RegistryAlertRow;

/** An upstream entry as last seen, for those naming something the fleet runs. */
export interface UpstreamEntry {
  name: string;
  identity: string;
  serverKeys: string[];
  status: RegistryStatus;
  updatedAt: string;
}

/** The organisation's MCP registry: its entries (every change moves the policy's version) and its upstream's. */
export interface RegistryStore {
  /** Publishes a new version; it becomes the name's latest. A name is one server's, and a version is published once. */
  publish(entry: Omit<RegistryEntry, 'status' | 'isLatest' | 'updatedAt'>, now: string): Promise<RegistryEntry>;
  entries(filter: RegistryFilter, page: PageRequest<'name'>): Promise<Page<RegistryEntry>>;
  /** Every version of a name that is not deleted, the newest first. */
  versions(name: string): Promise<RegistryEntry[]>;
  /** Marks every version of a name deleted; false when there was none. */
  unpublish(name: string, by: Actor, now: string): Promise<boolean>;
  /** The serverKeys of active entries (what registry-only lets run). */
  activeServerKeys(): Promise<string[]>;

  /** Where following an upstream left off: the time its last complete poll started. */
  upstreamSince(upstream: string): Promise<string | undefined>;
  setUpstreamSince(upstream: string, since: string): Promise<void>;
  upstreamEntries(upstream: string, names: readonly string[]): Promise<Map<string, UpstreamEntry>>;
  saveUpstreamEntries(upstream: string, entries: readonly UpstreamEntry[]): Promise<void>;
  alerts(page: PageRequest<'at'>): Promise<Page<RegistryAlert>>;
}

export interface OutboxStatus {
  /** Events stored and not yet delivered. */
  waiting: number;
  /** Events dropped, ever, because the backlog was full. */
  dropped: number;
  oldestReceivedAt?: string | undefined;
}

/** The events waiting for the SIEM webhook (kept only when the server is started with one). */
export interface WebhookOutbox {
  /**
   * Hands the oldest waiting events (at most `limit`) to `send`; they leave the outbox only once it resolves.
   * One process at a time: the others are answered 'busy'.
   */
  deliver(limit: number, send: (events: StoredEvent[]) => Promise<void>): Promise<number | 'busy'>;
  /** Drops the oldest beyond `max`, counting them; answers how many went now. */
  trim(max: number): Promise<number>;
  status(): Promise<OutboxStatus>;
}

/** Requests to one key in one fixed window (numbered from the epoch). */
export interface RateHits {
  key: string;
  window: number;
  count: number;
}

export interface Storage {
  readonly dialect: Dialect;
  readonly admins: AdminStore;
  readonly registry: RegistryStore;
  readonly webhookOutbox: WebhookOutbox;

  createDevice(facts: DeviceFacts, tokenHash: string, now: string, ip: string | undefined): Promise<DeviceRecord>;
  deviceByTokenHash(tokenHash: string): Promise<DeviceRecord | undefined>;
  device(id: string): Promise<DeviceRecord | undefined>;
  touchDevice(id: string, now: string, ip: string | undefined): Promise<void>;
  devices(filter: DeviceFilter, page: PageRequest<(typeof DEVICE_SORTS)[number]>): Promise<Page<DeviceRecord>>;

  /**
   * Applies a report once: a repeated reportId returns the first answer, from any server process. Whatever
   * the answer, the device was seen now, from `ip` when given.
   */
  ingest(deviceId: string, report: InventoryReport, now: string, ip?: string): Promise<IngestResult>;
  fleetServers(filter: ServerFilter, page: PageRequest<(typeof SERVER_SORTS)[number]>): Promise<Page<FleetServer>>;
  /** One serverKey under every agent that loads it. */
  fleetServer(serverKey: string): Promise<FleetServer[]>;
  /** The devices loading one serverKey, optionally under one agent. */
  serverDevices(
    serverKey: string,
    agent: string | undefined,
    page: PageRequest<(typeof SERVER_DEVICE_SORTS)[number]>,
  ): Promise<Page<DeviceServer>>;
  /** What blocking a serverKey (under one agent, or all) would reach: devices, people, the last tool call. */
  serverImpact(serverKey: string, agent: string | undefined): Promise<ServerImpact>;
  deviceSources(deviceId: string): Promise<ConfigSource[]>;
  /** Capabilities whose definition changed, the latest first; of one server, or the fleet's. */
  capabilityChanges(serverKey: string | undefined, page: PageRequest<'changedAt'>): Promise<Page<CapabilityChange>>;
  /** Every capability whose definition changed, with when it last did (what review holds, policy-store.ts). */
  capabilityChangeTimes(): Promise<{ serverKey: string; kind: string; name: string; changedAt: string }[]>;
  /** The latest successful probe of a serverKey on any device (a probe skipped later, e.g. once blocked, does not replace it). */
  latestProbe(serverKey: string): Promise<ProbeResult | undefined>;
  agentStats(): Promise<AgentStats[]>;
  /** The agents (clients) each of these devices runs, by device id. */
  deviceAgents(deviceIds: readonly string[]): Promise<Map<string, string[]>>;

  rules(): Promise<Rule[]>;
  /**
   * Records what following an upstream registry found, once (its id names what it is about), with the block it
   * calls for in the same change; false when it was recorded already.
   */
  raiseRegistryAlert(alert: RegistryAlert, block: Rule | undefined): Promise<boolean>;
  /** Rule and settings changes are kept in the admin history (`admins.history`) with who made them. */
  addRule(rule: Rule, by: Actor, now: string): Promise<void>;
  deleteRule(id: string, by: Actor, now: string): Promise<boolean>;
  policySettings(): Promise<PolicySettings>;
  /** Sets the settings, or changes them from what they are (read in the same transaction, so two admins saving at once both count). */
  setPolicySettings(settings: PolicySettings | ((current: PolicySettings) => PolicySettings), by: Actor, now: string): Promise<void>;
  /** Changes whenever rules, settings or the registry change, or a capability's definition does; the same in every server process. */
  policyVersion(): Promise<string>;

  /** Stores new events (a repeated id is ignored); events older than the retention are dropped. */
  /** `device` as the request read it (its human and hostname key the events): not read again here. */
  addEvents(device: DeviceRecord, events: AgentEvent[], now: string): Promise<{ accepted: number; duplicates: number; expired?: number }>;
  events(filter: EventFilter, page: PageRequest<(typeof EVENT_SORTS)[number]>): Promise<Page<StoredEvent>>;
  /** Tool calls from `from`'s day to `to`'s day (UTC), counted as events arrive: the busiest servers or people ... */
  complianceTop(dimension: ComplianceDimension, from: string, to: string, limit: number): Promise<ComplianceTop>;
  /** ... and by decision. */
  complianceByDecision(from: string, to: string): Promise<{ decision: string; calls: number }[]>;
  /** Counts by day, agent, type and decision, kept as events arrive. */
  eventCounts(filter: { from?: string | undefined; to?: string | undefined; agent?: string | undefined }): Promise<EventCount[]>;

  /** A secret every server process shares (signs cursors), made once per database. */
  sharedSecret(name: string): Promise<Buffer>;
  /**
   * Adds requests a process counted to windows every process shares (a key's window restarts when a later one
   * arrives); answers each key's count in the window it now holds.
   */
  addHits(hits: readonly RateHits[]): Promise<RateHits[]>;

  /** Drops events and report receipts older than their retention. Safe to run from several processes. */
  maintain(now: Date): Promise<MaintenanceResult>;
  close(): Promise<void>;
}
