// Main-process modules with a mocked `electron`: security restrictions, the IPC bridge's sender and payload
// checks, the preload's bridge, the tray, notifications, and the line to the agent host.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerView, Snapshot, WardenBridge } from '../../src/shared/ipc.js';

const electron = vi.hoisted(() => {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const exposed: Record<string, unknown> = {};
  const rendererListeners = new Map<string, (...args: unknown[]) => void>();
  const menus: unknown[][] = [];
  const notifications: { title: string; body: string }[] = [];
  return {
    handlers,
    exposed,
    rendererListeners,
    menus,
    notifications,
    trayImages: [] as string[],
    invoked: [] as unknown[][],
    ipcRendererResult: undefined as unknown,
  };
});

vi.mock('electron', async () => {
  // Mock factories run before the file's imports: take EventEmitter from here.
  const { EventEmitter } = await import('node:events');
  class Tray extends EventEmitter {
    constructor(image: { path: string }) {
      super();
      electron.trayImages.push(image.path);
    }
    setImage(image: { path: string }) {
      electron.trayImages.push(image.path);
    }
    setToolTip() {}
    setContextMenu(menu: { template: unknown[] }) {
      electron.menus.push(menu.template);
    }
  }
  class Notification extends EventEmitter {
    static isSupported = () => true;
    constructor(private readonly options: { title: string; body: string }) {
      super();
    }
    show() {
      electron.notifications.push(this.options);
    }
  }
  return {
    ipcMain: { handle: (channel: string, handler: (...args: unknown[]) => unknown) => electron.handlers.set(channel, handler) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        electron.invoked.push(args);
        return electron.ipcRendererResult;
      },
      on: (channel: string, listener: (...args: unknown[]) => void) => electron.rendererListeners.set(channel, listener),
      removeListener: (channel: string) => electron.rendererListeners.delete(channel),
    },
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (electron.exposed[key] = value) },
    Tray,
    Menu: { buildFromTemplate: (template: unknown[]) => ({ template }) },
    nativeImage: { createFromPath: (file: string) => ({ path: file }) },
    app: { isPackaged: false },
    Notification,
    shell: { openExternal: vi.fn(async () => undefined) },
  };
});

const APP = 'file:///Applications/MCP Warden.app/Contents/Resources/app/out/renderer/index.html';

function server(name: string, decision: ServerView['decision']): ServerView {
  return {
    id: `${name}-id`,
    serverKey: `npm:${name}`,
    name,
    client: 'cursor',
    clientName: 'Cursor',
    scope: 'user',
    configPath: '/c',
    transport: 'stdio',
    launch: 'npx x',
    accessType: 'public',
    disabled: false,
    findings: [],
    decision,
    lastDetected: '2026-11-22T12:00:00Z',
  };
}

function snapshot(servers: ServerView[], extra: Partial<Snapshot> = {}): Snapshot {
  return {
    generatedAt: '2026-11-22T12:00:00Z',
    servers,
    brokenSources: [],
    sync: { enrolled: true, offline: false, lastSuccessAt: '2026-11-22T11:58:00Z' },
    policy: {},
    settings: [],
    trayState: 'ok',
    ...extra,
  };
}

const blocked = server('github', {
  status: 'rejected',
  reason: 'blocked for all agents by admin@example.com: use the app',
  markedBy: 'admin@example.com',
  justification: 'use the app',
  ruleId: 'r1',
});
const pending = server('memory', { status: 'pending', reason: 'pending review' });
const expiring = server('sentry', {
  status: 'conditional',
  reason: 'until …',
  expiresAt: '2026-11-24T00:00:00Z',
  markedBy: 'admin@example.com',
  justification: 'trial',
});

beforeEach(() => {
  electron.handlers.clear();
  electron.menus.length = 0;
  electron.notifications.length = 0;
  electron.trayImages.length = 0;
  electron.invoked.length = 0;
});

describe('security restrictions', () => {
  it('denies new windows, navigation away, webviews and permissions, and sets a strict CSP', async () => {
    const { restrictSession, restrictWebContents, CONTENT_SECURITY_POLICY } = await import('../../src/main/security-restrictions.js');
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    restrictWebContents(contents as never, [APP]);
    expect(contents.setWindowOpenHandler.mock.calls[0]![0]()).toEqual({ action: 'deny' });
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn() };
      contents.emit('will-navigate', event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('https://evil.example.com/')).toBe(true);
    expect(navigate(`${APP}#settings`)).toBe(false);
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();

    let permission: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
    let headers: ((details: { responseHeaders: Record<string, string[]> }, callback: (response: unknown) => void) => void) | undefined;
    restrictSession({
      setPermissionRequestHandler: (handler: typeof permission) => (permission = handler),
      setPermissionCheckHandler: vi.fn(),
      webRequest: { onHeadersReceived: (handler: typeof headers) => (headers = handler) },
    } as never);
    const granted = vi.fn();
    permission!(undefined, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    const answer = vi.fn();
    headers!({ responseHeaders: {} }, answer);
    expect(answer).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
  });
});

describe('the IPC bridge in main', () => {
  async function setup(result: unknown = snapshot([])) {
    const { registerBridgeHandlers } = await import('../../src/main/ipc.js');
    const { ipcMain } = await import('electron');
    const calls: unknown[] = [];
    registerBridgeHandlers(
      ipcMain,
      async (channel, args) => (calls.push([channel, args]), result),
      () => [APP],
    );
    return {
      calls,
      call: (channel: string, frame: unknown, ...args: unknown[]) => electron.handlers.get(channel)!({ senderFrame: frame }, ...args),
    };
  }

  it('registers every channel of the contract and forwards a valid call from the app’s window', async () => {
    const { calls, call } = await setup();
    expect([...electron.handlers.keys()].sort()).toEqual(['approval:request', 'link:open', 'scan:now', 'snapshot:get']);
    await expect(call('snapshot:get', { url: APP, parent: null })).resolves.toMatchObject({ servers: [] });
    expect(calls).toEqual([['snapshot:get', []]]);
  });

  it('refuses calls from other pages and from frames, and payloads that break the contract', async () => {
    const { calls, call } = await setup();
    await expect(call('snapshot:get', { url: 'https://evil.example.com/', parent: null })).rejects.toThrow(
      /refused a call from https:\/\/evil\.example\.com/,
    );
    await expect(call('snapshot:get', { url: APP, parent: {} })).rejects.toThrow(/refused/);
    await expect(call('approval:request', { url: APP, parent: null }, { serverId: 'x', reason: '   ' })).rejects.toThrow(
      /invalid arguments: say why you need this server/,
    );
    await expect(call('link:open', { url: APP, parent: null }, { url: 'file:///etc/passwd' })).rejects.toThrow(/invalid arguments/);
    expect(calls).toEqual([]);
  });

  it('refuses a result that breaks the contract', async () => {
    const { call } = await setup({ not: 'a snapshot' });
    await expect(call('snapshot:get', { url: APP, parent: null })).rejects.toThrow();
  });
});

describe('the preload bridge', () => {
  it('exposes window.warden, validating what it sends and what it gets back', async () => {
    electron.ipcRendererResult = { delivered: true, message: 'sent' };
    await import('../../src/preload/preload.js');
    const bridge = electron.exposed.warden as WardenBridge;
    await expect(bridge.requestApproval({ serverId: 's1', reason: 'needed' })).resolves.toEqual({ delivered: true, message: 'sent' });
    expect(electron.invoked).toEqual([['approval:request', { serverId: 's1', reason: 'needed' }]]);
    await expect(bridge.requestApproval({ serverId: 's1', reason: '' })).rejects.toThrow();
    electron.ipcRendererResult = { servers: 'nope' };
    await expect(bridge.getSnapshot()).rejects.toThrow();
    const reasons: string[] = [];
    const stop = bridge.onInvalidated((reason) => reasons.push(reason));
    electron.rendererListeners.get('snapshot:invalidated')!({}, { reason: 'scan requested' });
    expect(reasons).toEqual(['scan requested']);
    stop();
    expect(electron.rendererListeners.has('snapshot:invalidated')).toBe(false);
  });
});

describe('the tray', () => {
  it('shows the state’s icon and a menu with counts, actions and the last sync; Quit unless IT hides it', async () => {
    const { setupTray } = await import('../../src/main/tray.js');
    const actions = { open: vi.fn(), scan: vi.fn(async () => undefined), quit: vi.fn() };
    const tray = setupTray(actions, { hideQuit: false });
    tray.update(snapshot([blocked, pending, expiring], { trayState: 'blocked' }));
    expect(electron.trayImages.at(-1)).toMatch(
      process.platform === 'darwin' ? /tray\/tray-blockedTemplate\.png$/ : /tray\/tray-blocked\.png$/,
    );
    const menu = electron.menus.at(-1) as { label?: string; type?: string; click?: () => void }[];
    expect(menu.map((item) => item.label ?? item.type)).toEqual([
      '3 servers: 1 allowed, 1 pending, 1 blocked',
      'separator',
      'Open MCP Warden',
      'Scan now',
      expect.stringMatching(/^Last sync: /),
      'separator',
      'Quit MCP Warden',
    ]);
    menu.find((item) => item.label === 'Open MCP Warden')!.click!();
    expect(actions.open).toHaveBeenCalled();

    const managed = setupTray(actions, { hideQuit: true });
    managed.update(snapshot([pending], { trayState: 'pending' }));
    expect((electron.menus.at(-1) as { label?: string }[]).some((item) => item.label === 'Quit MCP Warden')).toBe(false);
  });

  it('shows a scan running and then done, also when the scan fails', async () => {
    const { setupTray } = await import('../../src/main/tray.js');
    let fail: (error: Error) => void = () => undefined;
    const actions = { open: vi.fn(), scan: vi.fn(() => new Promise<void>((_, reject) => (fail = reject))), quit: vi.fn() };
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      setupTray(actions, { hideQuit: false }).update(snapshot([pending], { trayState: 'pending' }));
      const scanItem = () =>
        (electron.menus.at(-1) as { label?: string; enabled?: boolean; click?: () => void }[]).find((item) =>
          /^Scan/.test(item.label ?? ''),
        )!;
      scanItem().click!();
      expect(scanItem().enabled).toBe(false);
      fail(new Error('the agent is restarting'));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(scanItem()).toMatchObject({ label: 'Scan now', enabled: true });
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('has an icon for every state in assets, colour and template', async () => {
    const { existsSync } = await import('node:fs');
    const { trayIconFile } = await import('../../src/main/tray-menu.js');
    const { REPO } = await import('../helpers/machines.js');
    for (const state of ['ok', 'pending', 'blocked', 'offline'] as const) {
      for (const platform of ['darwin', 'win32', 'linux'] as const) {
        for (const suffix of ['', '@2x'])
          expect(existsSync(`${REPO}/assets/tray/${trayIconFile(state, platform).replace('.png', `${suffix}.png`)}`)).toBe(true);
      }
    }
  });
});

describe('notifications', () => {
  it('tells about a new block with who decided and why, and about an approval ending soon, once each', async () => {
    const { setupNotifications } = await import('../../src/main/notifications.js');
    const notifications = setupNotifications(vi.fn());
    const now = snapshot([blocked, pending, expiring], {
      policy: { blockMessage: 'Ask security for a review.', moreInfoUrl: 'https://intranet.example.com/mcp' },
    });
    vi.setSystemTime(new Date('2026-11-22T12:00:00Z'));
    notifications.update(now);
    notifications.update(now);
    vi.useRealTimers();
    expect(electron.notifications).toEqual([
      {
        title: 'github is blocked',
        body: 'Cursor will not be allowed to use it. Blocked by admin@example.com: use the app\nAsk security for a review.',
      },
      { title: 'sentry: approval ends soon', body: 'Your organisation’s approval for sentry in Cursor ends 2026-11-24T00:00:00Z. (trial)' },
    ]);
  });
});

describe('the line to the agent host', () => {
  it('matches answers to requests, passes errors on, and refreshes the snapshot on invalidation', async () => {
    const { AgentConnection } = await import('../../src/main/agent-connection.js');
    const host = Object.assign(new EventEmitter(), { postMessage: vi.fn(), kill: vi.fn(() => true) });
    const connection = new AgentConnection(() => host as never);
    connection.start({ stateDir: '/state', settings: {} as never, managedKeys: [] });
    const first = connection.invoke('scan:now', []);
    const second = connection.invoke('approval:request', [{ serverId: 'x', reason: 'y' }]);
    host.emit('message', { type: 'result', id: 2, error: 'no such server' });
    host.emit('message', { type: 'result', id: 1, result: 'done' });
    await expect(first).resolves.toBe('done');
    await expect(second).rejects.toThrow('no such server');
    const snapshots: Snapshot[] = [];
    connection.on('snapshot', (value) => snapshots.push(value));
    host.emit('message', { type: 'invalidated', reason: 'scan' });
    const request = host.postMessage.mock.calls.at(-1)![0] as { id: number; channel: string };
    expect(request.channel).toBe('snapshot:get');
    host.emit('message', { type: 'result', id: request.id, result: snapshot([]) });
    await new Promise((resolve) => setImmediate(resolve));
    expect(snapshots).toHaveLength(1);
  });

  it('answers waiting calls when the host exits, shows offline, and starts a new host with backoff', async () => {
    vi.useFakeTimers();
    const { AgentConnection } = await import('../../src/main/agent-connection.js');
    const hosts: (EventEmitter & { postMessage: ReturnType<typeof vi.fn>; kill: ReturnType<typeof vi.fn> })[] = [];
    const spawn = () => {
      const host = Object.assign(new EventEmitter(), { postMessage: vi.fn(), kill: vi.fn(() => true) });
      hosts.push(host);
      return host as never;
    };
    const connection = new AgentConnection(spawn, { firstDelayMs: 1000, maxDelayMs: 8000, stableAfterMs: 60_000 }, () => 0);
    const offline: string[] = [];
    connection.on('offline', (why) => offline.push(why));
    connection.start({ stateDir: '/state', settings: {} as never, managedKeys: ['serverUrl'] });
    // The host enrolled: a restarted one must start with that enrollment, not enroll the device again.
    const enrollment = { serverUrl: 'https://warden.example.com', deviceId: 'd-1', token: 't', enrolledAt: '2026-11-22T12:00:00Z' };
    hosts[0]!.emit('message', { type: 'enrollment', enrollment });
    const waiting = connection.invoke('snapshot:get', []);
    hosts[0]!.emit('exit', 1);
    await expect(waiting).rejects.toThrow('the agent stopped (exit code 1); it is being restarted');
    expect(offline).toEqual(['the agent stopped (exit code 1)']);
    await expect(connection.invoke('scan:now', [])).rejects.toThrow('the agent is restarting');
    vi.advanceTimersByTime(999);
    expect(hosts).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(hosts).toHaveLength(2);
    expect(hosts[1]!.postMessage.mock.calls[0]![0]).toMatchObject({
      type: 'start',
      stateDir: '/state',
      managedKeys: ['serverUrl'],
      enrollment,
    });
    // It exits again at once: the next wait doubles.
    hosts[1]!.emit('exit', 1);
    vi.advanceTimersByTime(1999);
    expect(hosts).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(hosts).toHaveLength(3);
    // Stopped on purpose: the host is asked to stop (and write what it holds), and is not restarted.
    const stopped = connection.stop();
    expect(hosts[2]!.postMessage.mock.calls.at(-1)![0]).toEqual({ type: 'stop' });
    hosts[2]!.emit('exit', 0);
    await stopped;
    expect(hosts[2]!.kill).toHaveBeenCalled();
    vi.advanceTimersByTime(60_000);
    expect(hosts).toHaveLength(3);
    vi.useRealTimers();
  });
});
