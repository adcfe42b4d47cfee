// The admin's views of the fleet, from the counts storage keeps: every server by agent with its decision and
// device count, one server's agents, findings, probe and capabilities with their own decisions. Decisions are
// the policy's (rules name exact serverKeys), so a filter by decision is turned into the (serverKey, agent)
// pairs it selects (decisionFilters).
import type { FleetDecision, FleetServerRow } from '../shared/admin-api.js';
import type { Capability } from '../shared/inventory.js';
import { type DecisionStatus, type Policy, evaluate } from '../shared/policy.js';
import { DECISION_LABELS, capabilitiesOf, worstSeverity } from '../shared/present.js';
import type { FleetServer, ServerFilter, Storage } from './storage/storage.js';

/** A decision as the fleet view shows it; IP conditions depend on each device and are not checked here. */
export function fleetDecision(policy: Policy, subject: Parameters<typeof evaluate>[1], now: Date): FleetDecision {
  const decision = evaluate(policy, subject, { now });
  return {
    status: decision.status,
    label: DECISION_LABELS[decision.status],
    reason: decision.reason,
    ...(decision.code ? { code: decision.code } : {}),
    ...(decision.markedBy ? { markedBy: decision.markedBy } : {}),
    ...(decision.expiresAt ? { expiresAt: decision.expiresAt } : {}),
    ...(decision.decidedAt ? { decidedAt: decision.decidedAt } : {}),
    ...(decision.justification ? { justification: decision.justification } : {}),
    ...(decision.ruleId ? { ruleId: decision.ruleId } : {}),
  };
}

/** The decision of one row of the fleet: a server as one agent loads it. */
export const serverDecision = (policy: Policy, server: Pick<FleetServer, 'serverKey' | 'agent' | 'url'>, now: Date): FleetDecision =>
  fleetDecision(policy, { serverKey: server.serverKey, agent: server.agent, url: server.url }, now);

export function fleetServerView(server: FleetServer, policy: Policy, now: Date): FleetServerRow {
  return { ...server, decision: serverDecision(policy, server, now) };
}

/** The serverKeys some rule about the whole server names: every other server has the default's decision. */
export const ruledServerKeys = (policy: Policy): string[] => [
  ...new Set(policy.rules.filter((rule) => !rule.target.capability).map((rule) => rule.target.serverKey)),
];

/**
 * The storage filter of each decision, from one reading of the ruled servers' rows: those pairs are judged
 * here, and every other server has the default's decision.
 */
export async function decisionFilters(
  storage: Storage,
  policy: Policy,
  now: Date,
): Promise<(status: DecisionStatus) => Pick<ServerFilter, 'pairsIn' | 'orKeyNotIn'>> {
  const ruled = ruledServerKeys(policy);
  const judged: { pair: [string, string]; status: DecisionStatus }[] = [];
  for (const serverKey of ruled)
    for (const server of await storage.fleetServer(serverKey))
      judged.push({ pair: [serverKey, server.agent], status: serverDecision(policy, server, now).status });
  const unruled = fleetDecision({ ...policy, rules: [] }, { serverKey: '\0none', agent: '\0none' }, now).status;
  return (status) => ({
    pairsIn: judged.filter((row) => row.status === status).map((row) => row.pair),
    ...(unruled === status ? { orKeyNotIn: ruled } : {}),
  });
}

export interface CapabilityView {
  type: Capability['kind'];
  name: string;
  description?: string | undefined;
  risk: ReturnType<typeof worstSeverity>;
  risks: Capability['risks'];
  accessType: string;
  decision: ReturnType<typeof fleetDecision> & { agent: string };
  decisions: (ReturnType<typeof fleetDecision> & { agent: string })[];
  markedBy?: string | undefined;
}

export async function serverDetail(storage: Storage, policy: Policy, serverKey: string, now: Date) {
  const byAgent = await storage.fleetServer(serverKey);
  if (byAgent.length === 0) return undefined;
  const probe = await storage.latestProbe(serverKey);
  const findings = new Map(byAgent.flatMap((server) => server.findings).map((finding) => [`${finding.id}\0${finding.evidence}`, finding]));
  return {
    serverKey,
    name: byAgent[0]!.name,
    deviceCount: byAgent.reduce((sum, server) => sum + server.deviceCount, 0),
    byAgent: byAgent.map((server) => fleetServerView(server, policy, now)),
    findings: [...findings.values()],
    probe: probe
      ? { status: probe.status, probedAt: probe.probedAt, serverInfo: probe.serverInfo, fingerprint: probe.fingerprint, risks: probe.risks }
      : undefined,
    capabilityCount: probe ? capabilitiesOf(probe).length : 0,
  };
}

/** Each capability of a server's latest probe, with its own decision under each agent that loads the server. */
export async function serverCapabilities(
  storage: Storage,
  policy: Policy,
  serverKey: string,
  now: Date,
): Promise<CapabilityView[] | undefined> {
  const byAgent = await storage.fleetServer(serverKey);
  if (byAgent.length === 0) return undefined;
  const probe = await storage.latestProbe(serverKey);
  if (!probe) return [];
  const accessType = byAgent[0]!.accessType;
  return capabilitiesOf(probe).map((capability) => {
    const decisions = byAgent.map((server) => ({
      agent: server.agent,
      ...fleetDecision(policy, { serverKey, agent: server.agent, capability: { kind: capability.kind, name: capability.name } }, now),
    }));
    return {
      type: capability.kind,
      name: capability.name,
      description: capability.description,
      risk: worstSeverity(capability.risks),
      risks: capability.risks,
      accessType,
      decision: decisions[0]!,
      decisions,
      markedBy: decisions[0]!.markedBy,
    };
  });
}
