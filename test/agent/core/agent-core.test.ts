// The agent's composition root on its own: what it scans is the entry point's folders and domains with the
// settings' beside them, each once; its status says the decisions, the enrollment and what waits to be sent; an
// approval request that cannot be delivered waits in the spool and says why; the machine's clock and user come
// from the Host it was given.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentCore } from '../../../src/agent/core/agent-core.js';
import { processHost } from '../../../src/agent/core/host.js';
import { DEFAULT_SETTINGS } from '../../../src/agent/settings/agent-settings.js';
import { SyncEngine } from '../../../src/agent/sync/sync-engine.js';

let folder: string;
let engine: SyncEngine;
beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-core-'));
});
afterEach(async () => {
  await engine?.close();
  rmSync(folder, { recursive: true, force: true });
});

function project(name: string, server: Record<string, unknown>): string {
  const dir = path.join(folder, 'src', name);
  mkdirSync(path.join(dir, '.cursor'), { recursive: true });
  writeFileSync(path.join(dir, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { [name]: server } }));
  return dir;
}

describe('AgentCore', () => {
  it('scans the entry point’s and the settings’ folders and domains, each once, and says the status of what it found', async () => {
    const home = path.join(folder, 'home');
    mkdirSync(path.join(home, '.cursor'), { recursive: true });
    writeFileSync(
      path.join(home, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { docs: { url: 'https://mcp.example.com/docs' } } }),
    );
    project('billing', { url: 'https://mcp.corp.example.com/billing' });
    const stateDir = path.join(folder, 'state');
    const settings = { ...DEFAULT_SETTINGS, scanRoots: [path.join(folder, 'src')], orgDomains: ['corp.example.com'] };
    engine = new SyncEngine({ stateDir, settings });
    const at = new Date('2026-12-02T09:00:00Z');
    const core = new AgentCore({
      scanOptions: {
        world: { platform: 'linux', home, root: '/', env: {} },
        scanRoots: [path.join(folder, 'src')],
        orgDomains: ['example.net'],
      },
      stateDir,
      settings,
      engine,
      host: processHost(stateDir, { now: () => at, user: () => 'dana', deviceIps: () => ['10.1.2.3'] }),
    });
    expect(core.scanOptions.scanRoots).toEqual([path.join(folder, 'src')]);
    expect(core.scanOptions.orgDomains).toEqual(['example.net', 'corp.example.com']);

    const { servers } = await core.scan();
    expect(servers.map((server) => `${server.scope} ${server.name} ${server.accessType}`).sort()).toEqual([
      'project billing private',
      'user docs third-party',
    ]);
    const status = await core.status(servers);
    expect(status).toMatchObject({
      enrollment: undefined,
      cached: undefined,
      queued: { report: false, events: 0 },
      ips: ['10.1.2.3'],
      now: at,
    });
    expect(status.servers.map(({ decision }) => decision.status)).toEqual(['pending', 'pending']);

    const sent = await core.requestApproval(servers[0]!, 'for the quarterly report');
    expect(sent.delivered).toBe(false);
    expect(sent.error).toMatch(/not enrolled/);
    expect((await core.status(servers)).queued).toEqual({ report: false, events: 1 });
    const [request] = (await engine.spool.events(10)).map(({ event }) => event);
    expect(request).toMatchObject({ type: 'approval-request', user: 'dana', reason: 'for the quarterly report' });
  });
});
