// The admin's views of the fleet: every server by agent with its decision and device count, one server's
// capabilities with their risks and decisions, and its devices.
import type { Capability, RiskSignal, ServerEntry } from '../shared/inventory.js';
import { type Policy, evaluate } from '../shared/policy.js';
import { DECISION_LABELS, capabilitiesOf, worstSeverity } from '../shared/present.js';
import type { DeviceServer, Storage } from './storage/storage.js';

/** A decision as the fleet view shows it; IP conditions depend on each device and are not checked here. */
export function fleetDecision(policy: Policy, subject: Parameters<typeof evaluate>[1], now: Date) {
  const decision = evaluate(policy, subject, { now });
  return {
    status: decision.status,
    label: DECISION_LABELS[decision.status],
    reason: decision.reason,
    ...(decision.markedBy ? { markedBy: decision.markedBy } : {}),
    ...(decision.expiresAt ? { expiresAt: decision.expiresAt } : {}),
  };
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
}

function group(rows: DeviceServer[]): Map<string, DeviceServer[]> {
  const groups = new Map<string, DeviceServer[]>();
  for (const row of rows) {
    const key = `${row.server.serverKey}\0${row.server.client}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return groups;
}

function summary(rows: DeviceServer[], policy: Policy, now: Date) {
  const server = rows[0]!.server;
  return {
    serverKey: server.serverKey,
    name: mostCommon(rows.map((row) => row.server.name)),
    agent: server.client,
    firstDetected: rows.map((row) => row.firstSeen).sort()[0]!,
    lastUpdated: rows
      .map((row) => row.lastSeen)
      .sort()
      .at(-1)!,
    accessType: mostCommon(rows.map((row) => row.server.accessType)),
    transport: server.transport,
    decision: fleetDecision(policy, { serverKey: server.serverKey, agent: server.client, url: server.url }, now),
    deviceCount: new Set(rows.map((row) => row.deviceId)).size,
  };
}

export function fleetServers(storage: Storage, policy: Policy, now: Date) {
  return [...group(storage.deviceServers()).values()].map((rows) => summary(rows, policy, now));
}

const highest = (risks: readonly RiskSignal[]): string => worstSeverity(risks);

export function serverDetail(storage: Storage, policy: Policy, serverKey: string, now: Date) {
  const rows = storage.deviceServers({ serverKey });
  if (rows.length === 0) return undefined;
  const agents = [...new Set(rows.map((row) => row.server.client))];
  const probe = storage.latestProbe(serverKey);
  const accessType = mostCommon(rows.map((row) => row.server.accessType));
  const capabilities = probe ? capabilitiesOf(probe) : [];
  const devices = new Map(storage.devices().map((device) => [device.id, device]));
  return {
    serverKey,
    byAgent: [...group(rows).values()].map((group) => summary(group, policy, now)),
    findings: uniqueFindings(rows.map((row) => row.server)),
    probe: probe
      ? { status: probe.status, probedAt: probe.probedAt, serverInfo: probe.serverInfo, fingerprint: probe.fingerprint, risks: probe.risks }
      : undefined,
    capabilities: capabilities.map((capability: Capability) => {
      const decisions = agents.map((agent) => ({
        agent,
        ...fleetDecision(policy, { serverKey, agent, capability: { kind: capability.kind, name: capability.name } }, now),
      }));
      return {
        type: capability.kind,
        name: capability.name,
        description: capability.description,
        risk: highest(capability.risks),
        risks: capability.risks,
        accessType,
        decision: decisions[0]!,
        decisions,
        markedBy: decisions[0]!.markedBy,
      };
    }),
    devices: rows.map((row) => {
      const device = devices.get(row.deviceId);
      return {
        deviceId: row.deviceId,
        hostname: device?.hostname,
        user: device?.user,
        agent: row.server.client,
        name: row.server.name,
        scope: row.server.scope,
        firstSeen: row.firstSeen,
        lastSeen: row.lastSeen,
      };
    }),
  };
}

function uniqueFindings(servers: ServerEntry[]): RiskSignal[] {
  const seen = new Map<string, RiskSignal>();
  for (const finding of servers.flatMap((server) => server.findings)) seen.set(`${finding.id}\0${finding.evidence}`, finding);
  return [...seen.values()];
}
