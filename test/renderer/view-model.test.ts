// The window's view logic, without a browser: labels, risk chips, grouping and filtering; and the tray state.
import { describe, expect, it } from 'vitest';
import type { ServerView, Snapshot } from '../../src/shared/ipc.js';
import { trayStateOf } from '../../src/agent/app/app-service.js';
import { ago, badgeOf, groupByAgent, groupRisks, matches, NO_FILTERS, riskChips } from '../../src/renderer/view-model.js';

function server(name: string, client: string, decision: ServerView['decision'], findings: ServerView['findings'] = []): ServerView {
  return {
    id: name,
    serverKey: `npm:${name}`,
    name,
    client,
    clientName: client === 'cursor' ? 'Cursor' : 'VS Code',
    scope: 'user',
    configPath: '/c',
    transport: 'stdio',
    launch: `npx ${name}`,
    accessType: 'public',
    disabled: false,
    findings,
    decision,
    lastDetected: '2026-11-22T12:00:00Z',
  };
}
const blocked = server('github', 'cursor', { status: 'rejected', reason: 'no' });
const expired = server('sentry', 'vscode', { status: 'expired', reason: 'expired', expiresAt: '2026-01-31T00:00:00Z' });
const conditional = server('linear', 'vscode', { status: 'conditional', reason: 'ok', expiresAt: '2030-06-30T00:00:00Z' });
const pending = server('memory', 'cursor', { status: 'pending', reason: 'pending' }, [
  { id: 'unpinned-package', severity: 'medium', evidence: 'x' },
  { id: 'plaintext-secret', severity: 'high', evidence: 'y' },
]);
const snapshot = { servers: [blocked, pending, expired, conditional] } as Snapshot;

describe('the window’s view of servers', () => {
  it('labels each decision as the employee reads it', () => {
    expect([blocked, expired, conditional, pending].map((item) => badgeOf(item.decision).text)).toEqual([
      'Blocked',
      'Blocked (approval expired)',
      'Conditionally allowed until 2030-06-30',
      'Pending review',
    ]);
  });

  it('groups by agent in the order found, and filters by status, agent, risk and search', () => {
    expect(
      groupByAgent(snapshot, NO_FILTERS).map((group) => `${group.clientName}: ${group.servers.map((item) => item.name).join(' ')}`),
    ).toEqual(['Cursor: github memory', 'VS Code: sentry linear']);
    expect(snapshot.servers.filter((item) => matches(item, { ...NO_FILTERS, status: 'blocked' })).map((item) => item.name)).toEqual([
      'github',
      'sentry',
    ]);
    expect(snapshot.servers.filter((item) => matches(item, { ...NO_FILTERS, agent: 'vscode' })).map((item) => item.name)).toEqual([
      'sentry',
      'linear',
    ]);
    expect(snapshot.servers.filter((item) => matches(item, { ...NO_FILTERS, risk: 'high' })).map((item) => item.name)).toEqual(['memory']);
    expect(snapshot.servers.filter((item) => matches(item, { ...NO_FILTERS, query: 'GIT' })).map((item) => item.name)).toEqual(['github']);
  });

  it('shows the worst risks first, one chip per kind, and counts repeats', () => {
    expect(riskChips(pending)).toEqual([
      { id: 'plaintext-secret', severity: 'high' },
      { id: 'unpinned-package', severity: 'medium' },
    ]);
    expect(
      groupRisks([
        { id: 'tool-poisoning', severity: 'high', evidence: 'a' },
        { id: 'tool-poisoning', severity: 'critical', evidence: 'b' },
      ]),
    ).toEqual([{ id: 'tool-poisoning', severity: 'critical', count: 2, evidence: ['a', 'b'] }]);
  });

  it('says how long ago, roughly', () => {
    const now = new Date('2026-11-22T12:00:00Z');
    expect(
      [undefined, '2026-11-22T11:59:40Z', '2026-11-22T11:40:00Z', '2026-11-22T08:00:00Z', '2026-11-10T12:00:00Z'].map((iso) =>
        ago(iso, now),
      ),
    ).toEqual(['never', 'just now', '20 minutes ago', '4 hours ago', '12 days ago']);
  });
});

describe('the tray state', () => {
  it('puts blocked first, then offline, then pending, then all approved', () => {
    const approved = server('ok', 'cursor', { status: 'approved', reason: 'ok' });
    expect(trayStateOf([approved, pending, expired], false)).toBe('blocked');
    expect(trayStateOf([approved, pending], true)).toBe('offline');
    expect(trayStateOf([approved, pending], false)).toBe('pending');
    expect(trayStateOf([approved, conditional], false)).toBe('ok');
  });
});
