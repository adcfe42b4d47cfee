// Facts of presentation every view shares (the CLI, the window, the tray, the admin API), written once so their
// wording cannot drift: the name of each decision, the order of severities, how long ago, every capability of a
// probe. Types only from the schemas, so the scan path loads no zod.
import type { Capability, ProbeResult, RiskSignal, ServerEntry } from './inventory.js';
import type { Decision } from './policy.js';
import { SEVERITIES } from './vocabulary.js';

/** What each decision is called wherever a person reads it. */
export const DECISION_LABELS: Record<Decision['status'], string> = {
  approved: 'Approved',
  rejected: 'Blocked',
  conditional: 'Conditionally allowed',
  expired: 'Blocked (approval expired)',
  pending: 'Pending review',
};

/** What the tray's state means, in the tray's tooltip and the window's header alike. */
export const TRAY_STATE_TEXT: Record<'ok' | 'pending' | 'blocked' | 'offline', string> = {
  ok: 'All servers approved',
  pending: 'Some servers await review',
  blocked: 'Some servers are blocked',
  offline: 'Not connected to your organisation',
};

const SEVERITY_RANK = new Map<string, number>(SEVERITIES.map((severity, index) => [severity, index]));

/** Most severe first, as every list of risks is shown. */
/** none 0, info 1 … critical 5: an order to compare and store severities by. */
export function severityRank(severity: RiskSignal['severity'] | 'none'): number {
  return severity === 'none' ? 0 : SEVERITY_RANK.get(severity)! + 1;
}

export function bySeverity(a: Pick<RiskSignal, 'severity'>, b: Pick<RiskSignal, 'severity'>): number {
  return SEVERITY_RANK.get(b.severity)! - SEVERITY_RANK.get(a.severity)!;
}

/** The worst severity among risks, or `none`. */
export function worstSeverity(risks: readonly Pick<RiskSignal, 'severity'>[]): RiskSignal['severity'] | 'none' {
  return [...risks].sort(bySeverity)[0]?.severity ?? 'none';
}

/** Every capability a probe found, in the order the lists are read. */
export function capabilitiesOf(probe: Pick<ProbeResult, 'tools' | 'resources' | 'resourceTemplates' | 'prompts'>): Capability[] {
  return [...probe.tools, ...probe.resources, ...probe.resourceTemplates, ...probe.prompts];
}

const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
];

/** "3 minutes ago", "yesterday", "just now": the age of a sync, a policy or a scan. */
export function relativeTime(iso: string | undefined, now: Date): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (seconds < 60) return 'just now';
  // Up to two of a unit before the next larger one ("90 minutes ago", then "2 hours ago").
  const [unit, size] = UNITS.find(([, length]) => seconds >= 2 * length) ?? ['minute', 60];
  return RELATIVE.format(-Math.round(seconds / size), unit);
}

/** How a server is started or reached, as its config says (already redacted): the URL, or the command line. */
export function launchText(server: Pick<ServerEntry, 'url' | 'command' | 'args'>): string {
  if (server.url !== undefined) return server.url;
  if (server.command === undefined) return '(provided by the client)';
  return [server.command, ...server.args].map((word) => (/\s/.test(word) ? `"${word}"` : word)).join(' ');
}
