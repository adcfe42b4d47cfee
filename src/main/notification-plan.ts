// Which native notifications a new snapshot deserves: a server newly blocked (with the admin's reason and
// the organisation's message), and a conditional approval about to expire. Each is shown once.
import type { ServerView, Snapshot } from '../shared/ipc.js';
import { isBlocked } from '../shared/policy.js';

export interface PlannedNotification {
  /** Identifies what was notified, so it is not shown again. */
  key: string;
  title: string;
  body: string;
  serverId: string;
  moreInfoUrl?: string;
}

export const EXPIRY_WARNING_MS = 3 * 24 * 60 * 60 * 1000;

export function planNotifications(snapshot: Snapshot, alreadyShown: ReadonlySet<string>, now: Date): PlannedNotification[] {
  const planned: PlannedNotification[] = [];
  const more = snapshot.policy.moreInfoUrl ? { moreInfoUrl: snapshot.policy.moreInfoUrl } : {};
  for (const server of snapshot.servers) {
    const { decision } = server;
    if (isBlocked(decision)) {
      const key = `blocked:${server.id}:${decision.ruleId ?? decision.reason}`;
      if (!alreadyShown.has(key))
        planned.push({ key, serverId: server.id, title: `${server.name} is blocked`, body: blockBody(server, snapshot), ...more });
      continue;
    }
    if (decision.status === 'conditional' && decision.expiresAt) {
      const left = Date.parse(decision.expiresAt) - now.getTime();
      const key = `expiring:${server.id}:${decision.expiresAt}`;
      if (left > 0 && left <= EXPIRY_WARNING_MS && !alreadyShown.has(key)) {
        planned.push({
          key,
          serverId: server.id,
          title: `${server.name}: approval ends soon`,
          body: `Your organisation’s approval for ${server.name} in ${server.clientName} ends ${decision.expiresAt}.${decision.justification ? ` (${decision.justification})` : ''}`,
          ...more,
        });
      }
    }
  }
  return planned;
}

function blockBody(server: ServerView, snapshot: Snapshot): string {
  const who = server.decision.markedBy ? ` by ${server.decision.markedBy}` : '';
  const why = server.decision.justification ?? server.decision.reason;
  return [`${server.clientName} will not be allowed to use it. Blocked${who}: ${why}`, snapshot.policy.blockMessage]
    .filter(Boolean)
    .join('\n');
}
