// What the window derives from a snapshot: labels, badges, grouping and filtering. Pure, so it is tested
// without a browser.
import type { ServerView, Snapshot } from '../shared/ipc.js';
import type { RiskSignal } from '../shared/inventory.js';
import type { Decision } from '../shared/policy.js';
import { DECISION_LABELS, bySeverity, relativeTime } from '../shared/present.js';

export type StatusFilter = 'all' | 'approved' | 'blocked' | 'conditional' | 'pending';
export type RiskFilter = 'all' | 'high' | 'any';

export interface Filters {
  query: string;
  status: StatusFilter;
  agent: string;
  risk: RiskFilter;
}

export const NO_FILTERS: Filters = { query: '', status: 'all', agent: 'all', risk: 'all' };

/** The badge of a decision: text and a tone for its colour. */
export function badgeOf(decision: Decision): { text: string; tone: 'ok' | 'blocked' | 'conditional' | 'pending' } {
  switch (decision.status) {
    case 'approved':
      return { text: DECISION_LABELS.approved, tone: 'ok' };
    case 'rejected':
      return { text: DECISION_LABELS.rejected, tone: 'blocked' };
    case 'expired':
      return { text: DECISION_LABELS.expired, tone: 'blocked' };
    case 'conditional':
      return {
        text: decision.expiresAt ? `${DECISION_LABELS.conditional} until ${decision.expiresAt.slice(0, 10)}` : DECISION_LABELS.conditional,
        tone: 'conditional',
      };
    case 'pending':
      return { text: DECISION_LABELS.pending, tone: 'pending' };
  }
}

function statusGroup(decision: Decision): Exclude<StatusFilter, 'all'> {
  if (decision.status === 'rejected' || decision.status === 'expired') return 'blocked';
  return decision.status;
}

/** Every risk of a server (config findings, probe, capabilities), most severe first. */
export function risksOf(server: ServerView): RiskSignal[] {
  const capabilities = server.probe?.capabilities.flatMap((capability) => capability.risks) ?? [];
  return [...server.findings, ...(server.probe?.risks ?? []), ...capabilities].sort(bySeverity);
}

/** One chip per kind of risk, with its worst severity. */
export function riskChips(server: ServerView, limit = 3): { id: string; severity: RiskSignal['severity'] }[] {
  const chips = new Map<string, RiskSignal['severity']>();
  for (const risk of risksOf(server)) if (!chips.has(risk.id)) chips.set(risk.id, risk.severity);
  return [...chips].slice(0, limit).map(([id, severity]) => ({ id, severity }));
}

/** Risks of one capability by kind: the worst severity, how many, and the evidence of each. */
export function groupRisks(
  risks: readonly RiskSignal[],
): { id: string; severity: RiskSignal['severity']; count: number; evidence: string[] }[] {
  const groups = new Map<string, { id: string; severity: RiskSignal['severity']; count: number; evidence: string[] }>();
  for (const risk of risks) {
    const group = groups.get(risk.id) ?? { id: risk.id, severity: risk.severity, count: 0, evidence: [] };
    group.count++;
    group.evidence.push(risk.evidence);
    if (bySeverity(risk, group) < 0) group.severity = risk.severity;
    groups.set(risk.id, group);
  }
  return [...groups.values()].sort(bySeverity);
}

export function matches(server: ServerView, filters: Filters): boolean {
  const query = filters.query.trim().toLowerCase();
  if (query && ![server.name, server.serverKey, server.clientName, server.launch].some((text) => text.toLowerCase().includes(query)))
    return false;
  if (filters.status !== 'all' && statusGroup(server.decision) !== filters.status) return false;
  if (filters.agent !== 'all' && server.client !== filters.agent) return false;
  const worst = risksOf(server)[0];
  if (filters.risk === 'any' && !worst) return false;
  if (filters.risk === 'high' && (!worst || bySeverity(worst, { severity: 'high' }) > 0)) return false;
  return true;
}

/** Servers grouped by AI agent, in the order the snapshot lists them, after filtering. */
export function groupByAgent(snapshot: Snapshot, filters: Filters): { client: string; clientName: string; servers: ServerView[] }[] {
  const groups = new Map<string, { client: string; clientName: string; servers: ServerView[] }>();
  for (const server of snapshot.servers) {
    if (!matches(server, filters)) continue;
    const group = groups.get(server.client) ?? { client: server.client, clientName: server.clientName, servers: [] };
    group.servers.push(server);
    groups.set(server.client, group);
  }
  return [...groups.values()];
}

export function agentsOf(snapshot: Snapshot): { client: string; clientName: string }[] {
  const seen = new Map<string, string>();
  for (const server of snapshot.servers) seen.set(server.client, server.clientName);
  return [...seen].map(([client, clientName]) => ({ client, clientName }));
}

/** "3 minutes ago", for the age of the policy, the last sync and the last scan. */
export const ago = relativeTime;
