// The tables, as Kysely sees them. Times are ISO 8601 strings in UTC (sortable as text in both dialects); JSON
// documents are text. Counts (device_count, server_count, event_counts) are kept as reports and events arrive.
import type { Generated } from 'kysely';

export interface DevicesTable {
  id: string;
  token_hash: string;
  hostname: string;
  platform: string;
  os_version: string;
  user_name: string;
  agent_version: string;
  enrolled_at: string;
  last_seen: string;
  last_ip: string | null;
  device_ips: string;
  revision: number;
  sources: string;
  server_count: number;
  user_email: string | null;
}

export interface DeviceServersTable {
  device_id: string;
  server_id: string;
  server_key: string;
  client: string;
  entry_hash: string;
  entry: string;
  first_seen: string;
}

export interface DeviceAgentsTable {
  client: string;
  device_id: string;
}

export interface FleetServersTable {
  server_key: string;
  client: string;
  name: string;
  search_text: string;
  access_type: string;
  transport: string;
  url: string | null;
  risk: number;
  findings_risk: number;
  probe_risk: number;
  findings: string;
  device_count: number;
  first_detected: string;
  last_updated: string;
}

/** Count changes reports appended, waiting to be folded into fleet_servers and agent_stats. */
export interface FleetChangesTable {
  id: Generated<string>;
  change: string;
}

export interface AgentStatsTable {
  client: string;
  device_count: number;
  server_count: number;
}

export interface DeviceProbesTable {
  device_id: string;
  server_id: string;
  server_key: string;
  status: string;
  probed_at: string;
  fingerprint: string;
}

/** Probe results once per serverKey and content, however many devices reported the same. */
export interface ProbeResultsTable {
  server_key: string;
  fingerprint: string;
  probe: string;
}

export interface ReportsTable {
  report_id: string;
  device_id: string;
  revision: number;
  kind: string;
  received_at: string;
  outcome: string;
}

export interface RulesTable {
  id: string;
  rule: string;
  server_key: string;
  updated_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface EventsTable {
  id: string;
  device_id: string;
  type: string;
  at: string;
  received_at: string;
  client: string | null;
  server_key: string | null;
  decision: string | null;
  user_name: string | null;
  capability: string | null;
  search_text: string;
  event: string;
  human: string | null;
  agent: string | null;
}

export interface EventCountsTable {
  day: string;
  client: string;
  type: string;
  decision: string;
  count: number;
}

export interface AuditChainsTable {
  device_id: string;
  chain: string;
  sequence: number;
  hash: string;
}

export interface RateWindowsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface AdminsTable {
  id: string;
  email: string;
  role: string;
  created_at: string;
  created_by: string;
}

export interface AdminTokensTable {
  id: string;
  admin_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AdminSessionsTable {
  id_hash: string;
  email: string;
  role: string;
  role_source: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  credential: string | null;
}

export interface AdminActionsTable {
  id: string;
  at: string;
  admin: string;
  action: string;
  server_key: string | null;
  agents: string | null;
  capability: string | null;
  subject: string;
  before: string | null;
  after: string | null;
}

/** One definition of one capability of a server, from the first probe that showed it. */
export interface CapabilityVersionsTable {
  server_key: string;
  kind: string;
  name: string;
  hash: string;
  definition: string;
  first_seen: string;
}

/** A capability whose definition changed: the latest change of each, before → after. */
export interface CapabilityChangesTable {
  id: string;
  server_key: string;
  kind: string;
  name: string;
  before_hash: string;
  after_hash: string;
  changed_at: string;
}

/** One published version of one registry entry. */
export interface RegistryEntriesTable {
  name: string;
  version: string;
  server_key: string;
  server_json: string;
  status: string;
  status_reason: string | null;
  deprecated_by_rule: string | null;
  is_latest: number;
  published_at: string;
  published_by: string;
  updated_at: string;
}

/** An upstream registry's entry that names something the fleet runs, as last seen. */
export interface UpstreamEntriesTable {
  upstream: string;
  name: string;
  identity: string;
  server_keys: string;
  status: string;
  updated_at: string;
}

/** What following an upstream registry raised to admins. */
export interface RegistryAlertsTable {
  id: string;
  at: string;
  upstream: string;
  name: string;
  server_key: string;
  kind: string;
  detail: string;
  rule_id: string | null;
}

/** An event waiting for the SIEM webhook: the stored event as the admin API shows it. */
export interface WebhookOutboxTable {
  id: Generated<string>;
  event: string;
}

/** Tool calls of a day, per server or per person (`dimension`), by decision. */
export interface ComplianceCountsTable {
  day: string;
  dimension: string;
  subject: string;
  decision: string;
  count: number;
}

/** Which devices run a server, in the order they first reported it (server-index.ts; a view on PostgreSQL). */
export interface ServerDevicesTable {
  server_key: string;
  first_seen: string;
  device_id: string;
  server_id: string;
  client: string;
}

/** SQLite: one report's changes to server_devices, until the server index has applied them. */
export interface ServerDeviceChangesTable {
  id: Generated<number>;
  change: string;
}

export interface WardenDatabase {
  devices: DevicesTable;
  device_servers: DeviceServersTable;
  device_agents: DeviceAgentsTable;
  fleet_servers: FleetServersTable;
  fleet_changes: FleetChangesTable;
  agent_stats: AgentStatsTable;
  device_probes: DeviceProbesTable;
  probe_results: ProbeResultsTable;
  capability_versions: CapabilityVersionsTable;
  capability_changes: CapabilityChangesTable;
  reports: ReportsTable;
  rules: RulesTable;
  settings: SettingsTable;
  events: EventsTable;
  event_counts: EventCountsTable;
  rate_windows: RateWindowsTable;
  audit_chains: AuditChainsTable;
  admins: AdminsTable;
  admin_tokens: AdminTokensTable;
  admin_actions: AdminActionsTable;
  admin_sessions: AdminSessionsTable;
  registry_entries: RegistryEntriesTable;
  upstream_entries: UpstreamEntriesTable;
  registry_alerts: RegistryAlertsTable;
  webhook_outbox: WebhookOutboxTable;
  compliance_counts: ComplianceCountsTable;
  server_devices: ServerDevicesTable;
  server_device_changes: ServerDeviceChangesTable;
}
