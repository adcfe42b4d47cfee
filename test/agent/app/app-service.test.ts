// The window's agent core: each capability of a probed server carries its own decision, as the guard enforces
// it, so a tool the admin blocked on an approved server shows as blocked on the laptop too.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppService } from '../../../src/agent/app/app-service.js';
import { DEFAULT_SETTINGS } from '../../../src/agent/settings/agent-settings.js';
import { SyncEngine } from '../../../src/agent/sync/sync-engine.js';
import type { Policy } from '../../../src/shared/policy.js';
import { NODE, SERVERS } from '../../helpers/probe-home.js';

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

describe('AppService snapshots', () => {
  it('give every capability its own decision and who marked it', async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-app-'));
    const stateDir = path.join(folder, 'state');
    mkdirSync(path.join(folder, '.cursor'), { recursive: true });
    writeFileSync(
      path.join(folder, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { poisoned: { command: NODE, args: [path.join(SERVERS, 'poisoned.mjs')] } } }),
    );
    const engine = new SyncEngine({ stateDir, settings: DEFAULT_SETTINGS });
    const service = new AppService({
      scanOptions: { world: { platform: 'linux', home: folder, root: '/', env: {} } },
      stateDir,
      settings: DEFAULT_SETTINGS,
      engine,
    });
    try {
      await service.refresh('first');
      const key = (await service.snapshot()).servers[0]!.serverKey;
      const policy: Policy = {
        version: 'v1',
        defaultVerdict: 'allow',
        rules: [
          {
            id: 'r1',
            target: { serverKey: key, capability: { kind: 'tool', name: 'run_command' } },
            agents: ['*'],
            verdict: 'block',
            justification: 'no shell from Cursor',
            markedBy: 'security@example.com',
            updatedAt: '2026-11-20T09:00:00Z',
          },
        ],
      };
      const now = new Date().toISOString();
      writeFileSync(path.join(stateDir, 'policy.json'), JSON.stringify({ policy, fetchedAt: now, checkedAt: now }));

      const [server] = (await service.snapshot()).servers;
      expect(server!.decision.status).toBe('approved');
      const decisionOf = (name: string) => server!.probe!.capabilities.find((capability) => capability.name === name)!.decision;
      expect(decisionOf('run_command')).toMatchObject({ status: 'rejected', markedBy: 'security@example.com' });
      expect(decisionOf('echo')).toMatchObject({ status: 'approved' });
    } finally {
      await engine.close();
    }
  });
});
