// The harness serves the real agent core on a loopback port: a web page open in the user's browser must not
// be able to drive it (read the inventory, request approvals). Only the printed URL's token opens it, and
// requests naming another host (DNS rebinding) or coming from another site (CSRF) are refused.
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppService } from '../../../src/agent/app/app-service.js';
import { type Harness, startHarness } from '../../../src/agent/app/harness.js';
import { DEFAULT_SETTINGS } from '../../../src/agent/settings/agent-settings.js';
import { SyncEngine } from '../../../src/agent/sync/sync-engine.js';

let folder: string;
let engine: SyncEngine;
let harness: Harness;
let port: number;

beforeAll(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-harness-'));
  const stateDir = path.join(folder, 'state');
  engine = new SyncEngine({ stateDir, settings: DEFAULT_SETTINGS });
  const service = new AppService({
    scanOptions: { world: { platform: 'linux', home: folder, root: '/', env: {} } },
    stateDir,
    settings: { ...DEFAULT_SETTINGS, probe: 'off' },
    engine,
  });
  harness = await startHarness(service);
  port = Number(new URL(harness.url).port);
});

afterAll(async () => {
  await harness?.close();
  await engine?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A raw request, so the test can send the Host and Origin headers a browser would. */
function send(
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method, path: target, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end(method === 'POST' ? '[]' : undefined);
  });
}

describe('the harness’s door', () => {
  it('prints a URL with a per-run token, and answers nothing without it', async () => {
    expect(harness.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[A-Za-z0-9_-]{32}$`));
    expect((await send('GET', '/')).status).toBe(401);
    expect((await send('GET', '/?token=not-the-token')).status).toBe(401);
    const invoke = await send('POST', '/api/invoke/snapshot:get', { 'content-type': 'application/json' });
    expect(invoke.status).toBe(401);
    expect(invoke.body).not.toContain('servers');
    expect((await send('GET', '/api/events')).status).toBe(401);
  });

  it('moves the token into a same-site, script-proof cookie, which then opens the window and its API', async () => {
    const opened = await send('GET', `/?token=${harness.token}`);
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe('/');
    const cookie = String(opened.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const jar = cookie.split(';')[0]!;
    expect((await send('GET', '/', { cookie: jar })).body).toContain('harness-bridge.js');
    const snapshot = await send('POST', '/api/invoke/snapshot:get', {
      cookie: jar,
      'content-type': 'application/json',
      origin: `http://127.0.0.1:${port}`,
    });
    expect(snapshot.status).toBe(200);
    expect(JSON.parse(snapshot.body).result).toMatchObject({ servers: [] });
  });

  it('refuses a page of another site (CSRF), even one that carries the cookie', async () => {
    const jar = String((await send('GET', `/?token=${harness.token}`)).headers['set-cookie']).split(';')[0]!;
    const forged = await send('POST', '/api/invoke/approval:request', {
      cookie: jar,
      'content-type': 'application/json',
      origin: 'https://evil.example',
    });
    expect(forged).toMatchObject({ status: 403, body: 'requests from other sites are refused\n' });
  });

  it('refuses a request naming another host (DNS rebinding)', async () => {
    const rebound = await send('GET', `/?token=${harness.token}`, { host: `evil.example:${port}` });
    expect(rebound).toMatchObject({ status: 403, body: 'unexpected Host header: open the address the harness printed\n' });
    expect(
      (await send('POST', '/api/invoke/snapshot:get', { host: `evil.example:${port}`, authorization: `Bearer ${harness.token}` })).status,
    ).toBe(403);
  });
});
