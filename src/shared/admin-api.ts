// What the admin API answers, as schemas: the server builds its answers to these types and the console checks
// every answer against them, so the two cannot drift apart unnoticed (docs/protocol.md#admin-api).
import { z } from 'zod';
import { ADMIN_ROLES, AdminToken } from './admins.js';
import { Capability, PackageRef, RiskSignal } from './inventory.js';
import { DECISION_STATUSES, DENIAL_CODES } from './policy.js';
import { AgentEvent, DeviceFacts } from './protocol.js';
import { REGISTRY_MODES, REGISTRY_STATUSES, ServerJson } from './registry.js';
import { ACCESS_TYPES, CAPABILITY_KINDS, SCOPES, SEVERITIES, TRANSPORTS } from './vocabulary.js';

/** One page of a list, and the cursor of the next (null at the end). */
export function PageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number(),
    /** False when the total was counted only up to a bound (the event log) and more may match. */
    totalExact: z.boolean(),
    limit: z.number(),
    sort: z.string(),
    nextCursor: z.string().nullable(),
    notices: z.array(z.string()).optional(),
  });
}
export type PageOf<T> = {
  items: T[];
  total: number;
  /** False when the total was counted only up to a bound (the event log) and more may match. */
  totalExact: boolean;
  limit: number;
  sort: string;
  nextCursor: string | null;
  /** What the server changed in the request, e.g. a clamped limit. */
  notices?: string[] | undefined;
};

const Risk = z.enum(['none', ...SEVERITIES]);

/** A decision as fleet views show it; IP conditions depend on each device and are not judged there. */
export const FleetDecision = z.object({
  status: z.enum(DECISION_STATUSES),
  label: z.string(),
  reason: z.string(),
  /** Why it is not allowed, one word per cause (docs/policy.md). */
  code: z.enum(DENIAL_CODES).optional(),
  markedBy: z.string().optional(),
  expiresAt: z.string().optional(),
  /** When the deciding rule was set; absent for the organisation's default. */
  decidedAt: z.string().optional(),
  justification: z.string().optional(),
  ruleId: z.string().optional(),
});
export type FleetDecision = z.infer<typeof FleetDecision>;

/** A row of Audit Data: one server as one agent loads it across the fleet. */
export const FleetServerRow = z.object({
  serverKey: z.string(),
  agent: z.string(),
  name: z.string(),
  accessType: z.enum(ACCESS_TYPES),
  transport: z.enum(TRANSPORTS),
  url: z.string().optional(),
  risk: Risk,
  findings: z.array(RiskSignal),
  deviceCount: z.number(),
  firstDetected: z.string(),
  lastUpdated: z.string(),
  decision: FleetDecision,
});
export type FleetServerRow = z.infer<typeof FleetServerRow>;

export const ServerDetail = z.object({
  serverKey: z.string(),
  name: z.string(),
  deviceCount: z.number(),
  byAgent: z.array(FleetServerRow),
  findings: z.array(RiskSignal),
  probe: z
    .object({
      status: z.string(),
      probedAt: z.string(),
      serverInfo: z.object({ name: z.string(), version: z.string(), title: z.string().optional() }).optional(),
      fingerprint: z.string().optional(),
      risks: z.array(RiskSignal),
    })
    .optional(),
  capabilityCount: z.number(),
});
export type ServerDetail = z.infer<typeof ServerDetail>;

const AgentDecision = FleetDecision.extend({ agent: z.string() });

/** One tool, resource or prompt of a server, with its own decision under each agent that loads the server. */
export const CapabilityRow = z.object({
  type: z.enum(CAPABILITY_KINDS),
  name: z.string(),
  description: z.string().optional(),
  risk: Risk,
  risks: z.array(RiskSignal),
  accessType: z.string(),
  decision: AgentDecision,
  decisions: z.array(AgentDecision),
  markedBy: z.string().optional(),
});
export type CapabilityRow = z.infer<typeof CapabilityRow>;

/** Where a server is configured: one device, one agent, one config file. */
export const ServerDeviceRow = z.object({
  deviceId: z.string(),
  hostname: z.string(),
  user: z.string(),
  human: z.string().optional(),
  agent: z.string(),
  name: z.string(),
  scope: z.enum(SCOPES),
  configPath: z.string(),
  transport: z.enum(TRANSPORTS).optional(),
  package: PackageRef.optional(),
  /** Without credentials, as the agent reports it. */
  url: z.string().optional(),
  firstSeen: z.string(),
  lastSeen: z.string(),
});
export type ServerDeviceRow = z.infer<typeof ServerDeviceRow>;

/** What blocking a server would reach: how many devices and people, and when it was last called. */
export const ServerImpact = z.object({
  serverKey: z.string(),
  agent: z.string().optional(),
  devices: z.number(),
  people: z.number(),
  lastCalledAt: z.string().optional(),
});
export type ServerImpact = z.infer<typeof ServerImpact>;

// Stored rows are checked for their shape, not re-checked for the formats the agent's input was held to.
export const DeviceRow = DeviceFacts.extend({
  userEmail: z.string().optional(),
  id: z.string(),
  enrolledAt: z.string(),
  lastSeen: z.string(),
  lastIp: z.string().optional(),
  deviceIps: z.array(z.string()),
  revision: z.number(),
  serverCount: z.number(),
  /** `human|…`: whom the device acts for. */
  human: z.string(),
});
export type DeviceRow = z.infer<typeof DeviceRow>;

export const EventRow = AgentEvent.extend({
  id: z.string(),
  at: z.string(),
  userEmail: z.string().optional(),
  deviceId: z.string(),
  receivedAt: z.string(),
  human: z.string(),
  agent: z.string().optional(),
});
export type EventRow = z.infer<typeof EventRow>;

export const AgentStat = z.object({ agent: z.string(), deviceCount: z.number(), serverCount: z.number() });
export type AgentStat = z.infer<typeof AgentStat>;

export const HumanView = z.object({
  human: z.string(),
  devices: z.array(DeviceRow.extend({ agents: z.array(z.string()) })),
  agents: z.array(z.string()),
});
export type HumanView = z.infer<typeof HumanView>;

/** Who is calling: their role, how they signed in, and for a browser session the token its changes carry. */
export const Me = z.object({
  email: z.string(),
  role: z.enum(ADMIN_ROLES),
  via: z.enum(['token', 'session', 'bootstrap']),
  tokens: z.array(AdminToken).optional(),
  csrfToken: z.string().optional(),
  sessionEndsAt: z.string().optional(),
});
export type Me = z.infer<typeof Me>;

export const SignInMethods = z.object({ sso: z.boolean() });
export type SignInMethods = z.infer<typeof SignInMethods>;

/** How a laptop joins the fleet (owners only: it holds the enroll secret). */
export const Enrollment = z.object({ serverUrl: z.string(), command: z.string() });
export type Enrollment = z.infer<typeof Enrollment>;

/** A capability whose definition changed since it was first seen (`GET changes`). */
export const CapabilityChangeRow = z.object({
  serverKey: z.string(),
  changedAt: z.string(),
  before: Capability,
  beforeSeen: z.string(),
  after: Capability,
});
export type CapabilityChangeRow = z.infer<typeof CapabilityChangeRow>;

/** One published version of a registry entry, as admins see it (`GET registry`). */
export const RegistryEntryRow = z.object({
  name: z.string(),
  version: z.string(),
  serverKey: z.string(),
  status: z.enum(REGISTRY_STATUSES),
  statusReason: z.string().optional(),
  isLatest: z.boolean(),
  publishedAt: z.string(),
  publishedBy: z.string(),
  updatedAt: z.string(),
  server: ServerJson,
});
export type RegistryEntryRow = z.infer<typeof RegistryEntryRow>;

/** The entry a server would be published as, and what to know before (`POST registry/preview`). */
export const RegistryPreview = z.object({ server: ServerJson, notices: z.array(z.string()) });
export type RegistryPreview = z.infer<typeof RegistryPreview>;

/** What laptops do with the registry, where clients find it, and what it follows (`GET registry/settings`). */
export const RegistrySettingsView = z.object({
  mode: z.enum(REGISTRY_MODES),
  upstreamBlocks: z.boolean(),
  /** What clients are pointed at (VS Code's McpGalleryServiceUrl, GitHub's MCP Registry URL). */
  url: z.string(),
  namespace: z.string().optional(),
  upstream: z.string().optional(),
  allowFrom: z.array(z.string()).optional(),
});
export type RegistrySettingsView = z.infer<typeof RegistrySettingsView>;

/** What following an upstream registry raised (`GET registry/alerts`). */
export const RegistryAlertRow = z.object({
  id: z.string(),
  at: z.string(),
  upstream: z.string(),
  name: z.string(),
  serverKey: z.string(),
  kind: z.enum(['deleted', 'identity-changed']),
  detail: z.string(),
  ruleId: z.string().optional(),
});
export type RegistryAlertRow = z.infer<typeof RegistryAlertRow>;

/** Whether events reach the SIEM (`GET webhook`). */
export const WebhookView = z.union([
  z.object({ configured: z.literal(false) }),
  z.object({
    configured: z.literal(true),
    url: z.string(),
    waiting: z.number(),
    dropped: z.number(),
    oldestReceivedAt: z.string().optional(),
    failing: z.string().optional(),
    lastDeliveredAt: z.string().optional(),
  }),
]);
export type WebhookView = z.infer<typeof WebhookView>;

/** Tool calls of one server or one person over the report's period. */
const ComplianceRow = z.object({ calls: z.number(), allowed: z.number(), denied: z.number() });

/** A compliance report for a period (`GET compliance`): tool calls in total, by decision, per server and per person. */
export const ComplianceReport = z.object({
  from: z.string(),
  to: z.string(),
  /** The counts are by whole days (UTC), from `from`'s day to `to`'s; the exports hold exactly the period. */
  firstDay: z.string(),
  lastDay: z.string(),
  totals: ComplianceRow,
  byDecision: z.array(z.object({ decision: z.string(), calls: z.number() })),
  /** The 200 busiest servers and people; `servers` and `humans` say how many there were. */
  byServer: z.array(ComplianceRow.extend({ serverKey: z.string() })),
  byHuman: z.array(ComplianceRow.extend({ human: z.string() })),
  servers: z.number(),
  humans: z.number(),
  exports: z.object({ csv: z.string(), jsonl: z.string() }),
});
export type ComplianceReport = z.infer<typeof ComplianceReport>;
