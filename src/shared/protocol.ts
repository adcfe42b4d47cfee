// The agent ↔ central endpoint protocol, version 1 (docs/protocol.md). Both ends validate with these schemas;
// `npm run schemas` writes them as JSON Schema for other implementers (docs/schemas/).
import { z } from 'zod';
import { ConfigSource, ProbeResult, ServerEntry } from './inventory.js';
import { Decision, Policy } from './policy.js';

export const PROTOCOL_VERSION = 'v1';

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const DeviceFacts = z.object({
  hostname: z.string().max(255),
  platform: z.enum(['darwin', 'win32', 'linux']),
  osVersion: z.string().max(255),
  user: z.string().max(255),
  agentVersion: z.string().max(64),
  /** The person the device belongs to, as IT's MDM names them (the UserEmail setting). */
  userEmail: z.email().max(320).optional(),
});
export type DeviceFacts = z.infer<typeof DeviceFacts>;

export const EnrollRequest = z.object({
  secret: z.string().min(1).max(1024),
  device: DeviceFacts,
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.object({
  deviceId: z.string(),
  /** Sent once; the server keeps only its hash. */
  token: z.string(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

export const Inventory = z.object({
  sources: z.array(ConfigSource),
  servers: z.array(ServerEntry),
  probes: z.record(z.string(), ProbeResult).optional(),
});
export type Inventory = z.infer<typeof Inventory>;

const ReportBase = z.object({
  /** Unique per report: the server answers a repeated id as it did the first time (exactly-once delivery). */
  reportId: z.uuid(),
  /** The agent's revision of its inventory, increasing by one per report. */
  revision: z.number().int().positive(),
  generatedAt: z.iso.datetime({ offset: true }),
  /** This device's addresses, for admins and for IP conditions. */
  deviceIps: z.array(z.string().max(64)).max(64).optional(),
  /** The person the device belongs to now (UserEmail): a laptop handed to someone else says so here. */
  userEmail: z.email().max(320).optional(),
});

export const FullReport = ReportBase.extend({
  kind: z.literal('full'),
  inventory: Inventory,
});

export const DeltaReport = ReportBase.extend({
  kind: z.literal('delta'),
  /** The revision this delta applies to; the server must hold it, else it asks for a full report. */
  baseRevision: z.number().int().nonnegative(),
  /** Servers added or changed, whole. */
  upserted: z.array(ServerEntry),
  /** Ids of servers gone. */
  removed: z.array(z.string()),
  /** The full list of sources when it changed (it is small). */
  sources: z.array(ConfigSource).optional(),
  /** Probes added or changed, by server id. */
  probes: z.record(z.string(), ProbeResult).optional(),
});

export const InventoryReport = z.discriminatedUnion('kind', [FullReport, DeltaReport]);
export type InventoryReport = z.infer<typeof InventoryReport>;
export type FullReport = z.infer<typeof FullReport>;
export type DeltaReport = z.infer<typeof DeltaReport>;

export const ReportResponse = z.object({ acceptedRevision: z.number().int().positive() });
export type ReportResponse = z.infer<typeof ReportResponse>;

/** The 409 a server sends when it cannot apply a delta: send a full report. */
export const FULL_REPORT_REQUIRED = 'full-report-required';

export const PolicyResponse = Policy;
export type PolicyResponse = z.infer<typeof PolicyResponse>;

/** `audit-chain-broken` is the endpoint's own, when a device's audit chain does not follow (server/storage/audit-chains.ts). */
export const EVENT_TYPES = ['approval-request', 'block-notice', 'tool-call', 'capability-changed', 'audit-chain-broken'] as const;

export const AgentEvent = z.object({
  /** Unique: a repeated id is stored once. */
  id: z.uuid(),
  type: z.enum(EVENT_TYPES),
  at: z.iso.datetime({ offset: true }),
  client: z.string().max(100).optional(),
  serverId: z.string().max(64).optional(),
  serverKey: z.string().max(2000).optional(),
  serverName: z.string().max(500).optional(),
  capability: z.object({ kind: z.string().max(32), name: z.string().max(500) }).optional(),
  decision: Decision.partial().optional(),
  /** The employee's words, for approval requests. */
  reason: z.string().max(4000).optional(),
  user: z.string().max(255).optional(),
  /** The person it happened for (UserEmail), when IT set one. */
  userEmail: z.email().max(320).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type AgentEvent = z.infer<typeof AgentEvent>;

export const EventBatch = z.object({ events: z.array(AgentEvent).min(1).max(1000) });
export type EventBatch = z.infer<typeof EventBatch>;

export const EventBatchResponse = z.object({
  accepted: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  /** Events already older than the server's retention when they arrived: not stored. */
  expired: z.number().int().nonnegative().optional(),
});
export type EventBatchResponse = z.infer<typeof EventBatchResponse>;
