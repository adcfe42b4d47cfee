// How the console writes times, people, agents and decisions: once, so every page says them alike.
import type { FleetDecision } from '../shared/admin-api.js';
import { type AdminRole, roleAtLeast } from '../shared/admins.js';
import { relativeTime } from '../shared/present.js';

const DATE_TIME = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/** "12 Mar 2026, 14:05" */
export function dateTime(iso: string | undefined): string {
  return iso ? DATE_TIME.format(new Date(iso)) : '—';
}

const TO_THE_SECOND = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });

/** "12 Mar 2026, 14:05:09": when a call happened, as an audit reads it. */
export function exactTime(iso: string): string {
  return TO_THE_SECOND.format(new Date(iso));
}

/** "3 minutes ago" */
export function ago(iso: string | undefined): string {
  return relativeTime(iso, new Date());
}

const AHEAD = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "in 3 days", or "2 hours ago" once it has passed: when an approval ends. */
export function fromNow(iso: string): string {
  const seconds = (Date.parse(iso) - Date.now()) / 1000;
  if (seconds <= 0) return ago(iso);
  if (seconds < 3600) return AHEAD.format(Math.max(1, Math.round(seconds / 60)), 'minute');
  if (seconds < 2 * 86_400) return AHEAD.format(Math.round(seconds / 3600), 'hour');
  return AHEAD.format(Math.round(seconds / 86_400), 'day');
}

/** `human|alice@corp.example` → `alice@corp.example` */
export const personOf = (humanKey: string) => humanKey.replace(/^human\|/, '');
/** `agent|cursor@laptop-1` → `Cursor`: the agent's name, without its device. */
export const agentKeyName = (agentKey: string) => agentName(agentOfKey(agentKey).client);

import { clientDisplayName as agentName } from '../shared/client-names.js';
import { agentOfKey } from '../shared/people.js';

export { agentName };

/** The decision's tone, for its badge's colour. */
export const decisionTone = (decision: Pick<FleetDecision, 'status'>) =>
  ({ approved: 'ok', rejected: 'blocked', expired: 'blocked', conditional: 'conditional', pending: 'pending' })[decision.status];

export const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

/** What a risk signal id says, as words: `privileged-access` → `Privileged access`. */
export const signalName = (id: string) => {
  const words = id.replace(/[-_]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** Why the signed-in admin may not do something, or undefined when they may. */
export function refusalFor(
  me: { email: string; role: AdminRole } | null | undefined,
  needed: AdminRole,
  doing: string,
): string | undefined {
  if (!me || roleAtLeast(me.role, needed)) return undefined;
  const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
  return `${doing} needs the ${needed} role; ${me.email} is ${article(me.role)} ${me.role}.`;
}

/** A rule's agents in a sentence: "all agents", or their names. */
export const agentsPhrase = (agents: readonly string[]) => (agents.includes('*') ? 'all agents' : agents.map(agentName).join(', '));
