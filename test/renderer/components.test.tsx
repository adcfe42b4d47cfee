// The window's components rendered to HTML from a store holding a snapshot: what a person would read.
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ServerView, Snapshot, WardenBridge } from '../../src/shared/ipc.js';
import { BrokenFiles } from '../../src/renderer/components/BrokenFiles.js';
import { OfflineBanner } from '../../src/renderer/components/Header.js';
import { ServerDetail } from '../../src/renderer/components/ServerDetail.js';
import { ServerList } from '../../src/renderer/components/ServerList.js';
import { SettingsPage } from '../../src/renderer/components/SettingsPage.js';
import { StoreContext } from '../../src/renderer/components/StoreContext.js';
import { createWardenStore } from '../../src/renderer/store.js';

function server(name: string, decision: ServerView['decision'], extra: Partial<ServerView> = {}): ServerView {
  return {
    id: `${name}-id`,
    serverKey: `npm:${name}`,
    name,
    client: 'cursor',
    clientName: 'Cursor',
    scope: 'user',
    configPath: '/Users/alice/.cursor/mcp.json',
    transport: 'stdio',
    launch: 'npx -y x --api-key <redacted>',
    accessType: 'public',
    disabled: false,
    findings: [],
    decision,
    lastDetected: '2026-11-22T12:00:00Z',
    ...extra,
  };
}
const blocked = server(
  'github',
  {
    status: 'rejected',
    reason: 'blocked for all agents by sec@example.com: use the app',
    markedBy: 'sec@example.com',
    justification: 'use the app',
    decidedAt: '2026-11-20T09:00:00Z',
  },
  { quarantined: true },
);
const snapshot: Snapshot = {
  generatedAt: '2026-11-22T12:00:00Z',
  servers: [blocked, server('memory', { status: 'pending', reason: 'pending review' }, { disabled: true })],
  brokenSources: [
    {
      path: '/Users/alice/.cursor/mcp.json',
      client: 'cursor',
      scope: 'user',
      format: 'jsonc',
      status: 'invalid',
      error: { message: 'invalid JSONC: comma expected', line: 4, column: 5 },
      serverCount: 0,
    },
  ],
  sync: {
    enrolled: true,
    offline: true,
    serverUrl: 'https://warden.example.com',
    deviceId: 'd1',
    policyFetchedAt: '2026-11-22T10:00:00Z',
    lastError: 'cannot reach',
  },
  policy: { blockMessage: 'Ask security.', moreInfoUrl: 'https://intranet.example.com/mcp' },
  settings: [
    { key: 'serverUrl', label: 'Central endpoint', value: 'https://warden.example.com', managed: true },
    { key: 'probe', label: 'Probing', value: 'all', managed: false },
  ],
  trayState: 'blocked',
};

function render(element: React.ReactElement, selectedId?: string): string {
  const bridge = { onInvalidated: () => () => undefined } as unknown as WardenBridge;
  const store = createWardenStore(bridge, { snapshot, loading: false, ...(selectedId ? { selectedId } : {}) });
  return renderToStaticMarkup(<StoreContext.Provider value={store}>{element}</StoreContext.Provider>);
}
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('window components', () => {
  it('list servers by agent with their badge, and mark disabled ones', () => {
    const html = text(render(<ServerList />));
    expect(html).toContain('Cursor 2');
    expect(html).toMatch(/github stdio Blocked public/);
    expect(html).toMatch(/memory \(disabled\) stdio Pending review/);
  });

  it('explain a block: the reason, who and when, the organisation’s message, a link, and the request form', () => {
    const html = text(render(<ServerDetail />, 'github-id'));
    expect(html).toContain(
      'Why it is blocked blocked for all agents by sec@example.com: use the app Decided by sec@example.com on 2026-11-20 MCP Warden took it out of /Users/alice/.cursor/mcp.json so Cursor cannot start it. Once it is approved, it goes back exactly as it was. Ask security. More information',
    );
    expect(html).toContain('Request approval');
    expect(html).toContain('npx -y x --api-key &lt;redacted&gt;');
  });

  it('list the files that could not be read, with line and column', () => {
    expect(text(render(<BrokenFiles />))).toBe(
      'Files that could not be read /Users/alice/.cursor/mcp.json:4:5 — invalid: invalid JSONC: comma expected',
    );
  });

  it('say when the endpoint is away and how old the policy is', () => {
    expect(text(render(<OfflineBanner />))).toMatch(/^Cannot reach https:\/\/warden\.example\.com; using the policy received .+ ago\.$/);
  });

  it('show settings, with managed ones locked', () => {
    const html = text(render(<SettingsPage />));
    expect(html).toContain('Central endpoint https://warden.example.com managed by your organisation');
    expect(html).toMatch(/Probing all( |$)/);
    expect(html).not.toMatch(/Probing all managed/);
  });

  it('show each capability’s own decision, not the server’s', () => {
    const tool = (name: string, decision: ServerView['decision']) => ({
      kind: 'tool' as const,
      name,
      hash: 'h'.repeat(64),
      risks: [],
      decision,
    });
    const approvedServer = server(
      'tools',
      { status: 'approved', reason: 'approved for all agents' },
      {
        probe: {
          status: 'ok',
          probedAt: '2026-11-22T12:00:00Z',
          risks: [],
          capabilities: [
            tool('read_file', { status: 'approved', reason: 'approved' }),
            tool('delete_repo', { status: 'rejected', reason: 'tool delete_repo blocked', markedBy: 'sec@example.com' }),
          ],
        },
      },
    );
    const bridge = { onInvalidated: () => () => undefined } as unknown as WardenBridge;
    const store = createWardenStore(bridge, {
      snapshot: { ...snapshot, servers: [approvedServer] },
      loading: false,
      selectedId: 'tools-id',
    });
    const html = text(
      renderToStaticMarkup(
        <StoreContext.Provider value={store}>
          <ServerDetail />
        </StoreContext.Provider>,
      ),
    );
    expect(html).toContain('tool none read_file public Approved —');
    expect(html).toContain('tool none delete_repo public Blocked sec@example.com');
  });
});
