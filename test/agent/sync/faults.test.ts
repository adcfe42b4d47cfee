// Delivery when things go wrong: the endpoint down, failing, throttling, slow, lying, forgetting the device,
// or refusing the size. Nothing is lost, nothing is applied twice, and the agent says what happened.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerEntry } from '../../../src/shared/inventory.js';
import { buildServer } from '../../../src/server/app.js';
import { memoryStorage } from '../../../src/server/storage/open-storage.js';
import { allDevices, allEvents, database, rowCount } from '../../helpers/storage-reads.js';
import { serverEntry } from '../../helpers/server-entries.js';
import { newEvent } from '../../../src/agent/sync/spool.js';
import { DEFAULT_SETTINGS } from '../../../src/agent/settings/agent-settings.js';
import { type SyncEngineOptions, SyncEngine } from '../../../src/agent/sync/sync-engine.js';
import { freePort } from '../../helpers/probe-home.js';

type Fault = 'pass' | '500' | 'retry-after' | 'drop-response' | 'slow' | 'garbage';

/** The reference server, behind a proxy that misbehaves as told, one fault per request. */
async function endpoint(options: { bodyLimit?: number } = {}) {
  const storage = await memoryStorage();
  let app: FastifyInstance = await buildServer({
    storage,
    enrollSecret: 'secret',
    adminToken: 'admin',
    adminName: 'admin@example.com',
    ...options,
  });
  const real = await app.listen({ port: 0, host: '127.0.0.1' });
  const faults: Fault[] = [];
  const seen: string[] = [];
  const proxy = http.createServer((request, response) => {
    const fault = faults.shift() ?? 'pass';
    seen.push(`${request.method} ${request.url?.replace(/[0-9a-f-]{36}/, ':id')} ${fault}`);
    if (fault === '500')
      return void response
        .writeHead(500, { 'content-type': 'application/json' })
        .end('{"error":{"code":"internal-error","message":"internal error"}}');
    if (fault === 'retry-after')
      return void response
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' })
        .end('{"error":{"code":"rate-limited","message":"slow down"}}');
    if (fault === 'garbage')
      return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"acceptedRevision": 1, oops');
    if (fault === 'slow') return void setTimeout(() => response.destroy(), 3000);
    const forward = http.request(`${real}${request.url}`, { method: request.method, headers: request.headers }, (upstream) => {
      if (fault === 'drop-response') {
        // The server did the work; the agent never hears about it.
        upstream.resume();
        upstream.on('end', () => response.destroy());
        return;
      }
      response.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(response);
    });
    // With the server stopped, the proxy answers as a gateway would.
    forward.on('error', () =>
      response.headersSent
        ? response.destroy()
        : response.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"bad-gateway","message":"upstream down"}}'),
    );
    request.pipe(forward);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    storage,
    faults,
    seen,
    /** Stops the endpoint, keeping its data, and brings it back. */
    async restart() {
      await app.close();
      app = await buildServer({ storage, enrollSecret: 'secret', adminToken: 'admin', adminName: 'admin@example.com', ...options });
      await app.listen({ port: Number(new URL(real).port), host: '127.0.0.1' });
    },
    async stopServer() {
      await app.close();
    },
    async close() {
      await new Promise((resolve) => proxy.close(resolve));
      await app.close();
    },
  };
}

const server = (name: string): ServerEntry => serverEntry(name, { id: name.padEnd(16, '0'), configPath: '/c', args: [name] });

let stateDir: string;
let central: Awaited<ReturnType<typeof endpoint>>;
let engine: SyncEngine;
let sleeps: number[];
let log: string[];

function makeEngine(extra: Partial<SyncEngineOptions> = {}) {
  sleeps = [];
  log = [];
  return new SyncEngine({
    stateDir,
    settings: { ...DEFAULT_SETTINGS, serverUrl: central.url, enrollSecret: 'secret' },
    retry: { attempts: 4, baseMs: 100, capMs: 1000 },
    http: { requestTimeoutMs: 1000, connectTimeoutMs: 1000 },
    sleep: async (ms) => void sleeps.push(ms),
    log: (line) => log.push(line),
    ...extra,
  });
}

beforeEach(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-faults-'));
});
afterEach(async () => {
  await engine?.close();
  await central?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const reports = async () => (await allDevices(central.storage)).reduce((sum, device) => sum + device.serverCount, 0);

describe('delivery under faults', () => {
  it('keeps the report and events while the endpoint is down, and delivers them once when it is back', async () => {
    central = await endpoint();
    engine = makeEngine();
    await engine.enrollment();
    await central.stopServer();
    await engine.queueReport({ sources: [], servers: [server('a'), server('b')] }, []);
    await engine.queueEvents([newEvent({ type: 'approval-request', serverKey: 'npm:a', reason: 'please' })]);
    const down = await engine.flush();
    expect(down.error).toBe('report: bad-gateway: upstream down');
    expect(await engine.spool.counts()).toEqual({ report: true, events: 1 });
    expect(sleeps).toHaveLength(3);

    // A restart of the agent: a new engine reads the same state folder.
    await engine.close();
    await central.restart();
    engine = makeEngine();
    const back = await engine.flush();
    expect(back).toMatchObject({ reportRevision: 1, events: 1 });
    expect(await reports()).toBe(2);
    expect(await allEvents(central.storage)).toHaveLength(1);
    expect(await engine.spool.counts()).toEqual({ report: false, events: 0 });
  });

  it('retries a report whose answer was lost under the same id, so the server applies it once', async () => {
    central = await endpoint();
    engine = makeEngine();
    await engine.enrollment();
    await engine.queueReport({ sources: [], servers: [server('a')] }, []);
    await engine.queueEvents([newEvent({ type: 'block-notice', serverKey: 'npm:a' })]);
    central.faults.push('drop-response', 'pass', 'drop-response');
    const result = await engine.flush();
    expect(result).toMatchObject({ reportRevision: 1 });
    expect(central.seen.filter((line) => line.startsWith('POST /v1/devices/:id/inventory'))).toEqual([
      'POST /v1/devices/:id/inventory drop-response',
      'POST /v1/devices/:id/inventory pass',
    ]);
    expect(await rowCount(central.storage, 'reports')).toBe(1);
    expect(await allEvents(central.storage)).toHaveLength(1);
  });

  it('backs off with jitter on 500s, and waits as long as Retry-After says', async () => {
    central = await endpoint();
    engine = makeEngine();
    await engine.enrollment();
    await engine.queueReport({ sources: [], servers: [server('a')] }, []);
    central.faults.push('500', '500', 'retry-after');
    expect(await engine.flush()).toMatchObject({ reportRevision: 1 });
    expect(sleeps).toHaveLength(3);
    expect(sleeps[0]).toBeGreaterThanOrEqual(0);
    expect(sleeps[0]).toBeLessThan(100);
    expect(sleeps[1]).toBeLessThan(200);
    // Retry-After, and up to a quarter more so that a fleet told the same moment spreads out.
    expect(sleeps[2]).toBeGreaterThanOrEqual(2000);
    expect(sleeps[2]).toBeLessThanOrEqual(2500);
    expect(log).toContain('report: internal-error: internal error; retrying in ' + (sleeps[0]! / 1000).toFixed(1) + ' s');
  });

  it('gives up on a slow endpoint after its timeouts, keeping the report', async () => {
    central = await endpoint();
    engine = makeEngine({ retry: { attempts: 2, baseMs: 10, capMs: 10 } });
    await engine.enrollment();
    await engine.queueReport({ sources: [], servers: [server('a')] }, []);
    central.faults.push('slow', 'slow');
    const result = await engine.flush();
    expect(result.error).toMatch(/^report: cannot reach http:\/\/127\.0\.0\.1:\d+/);
    expect(await engine.spool.counts()).toMatchObject({ report: true });
  });

  it('treats a malformed answer as no answer', async () => {
    central = await endpoint();
    engine = makeEngine({ retry: { attempts: 2, baseMs: 10, capMs: 10 } });
    await engine.enrollment();
    await engine.queueReport({ sources: [], servers: [server('a')] }, []);
    central.faults.push('garbage', 'garbage');
    expect((await engine.flush()).error).toMatch(/answered 200 with malformed JSON/);
    expect(await engine.spool.counts()).toMatchObject({ report: true });
  });

  it('enrolls again when the endpoint no longer knows the token, then delivers', async () => {
    central = await endpoint();
    engine = makeEngine();
    const first = await engine.enrollment();
    const file = path.join(stateDir, 'device.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), token: 'revoked' }));
    await engine.queueReport({ sources: [], servers: [server('a')] }, []);
    expect(await engine.flush()).toMatchObject({ reportRevision: 1 });
    const second = JSON.parse(readFileSync(file, 'utf8'));
    expect(second.deviceId).not.toBe(first.deviceId);
    expect(log).toContain('report: the endpoint no longer knows this device; enrolling again');
  });

  it('sends a full report when the endpoint lost track of the last one', async () => {
    central = await endpoint();
    engine = makeEngine();
    await engine.enrollment();
    await engine.queueReport({ sources: [], servers: [server('a')] }, []);
    await engine.flush();
    // The endpoint's data is restored from an older backup: it holds no revision for this device.
    await database(central.storage).updateTable('devices').set({ revision: 0 }).execute();
    await engine.queueReport({ sources: [], servers: [server('a'), server('b')] }, []);
    expect(await engine.flush()).toMatchObject({ reportRevision: 2 });
    expect(log).toContain('report: the endpoint asks for a full report');
    expect(log).toContain('report: revision 2 accepted (full: 2 servers)');
    expect(await reports()).toBe(2);
  });

  it('says why an oversized report is refused, and keeps it', async () => {
    central = await endpoint({ bodyLimit: 2048 });
    engine = makeEngine();
    await engine.enrollment();
    const big = Array.from({ length: 30 }, (_, index) => ({ ...server(`s${index}`), args: [randomUUID(), randomUUID()] }));
    await engine.queueReport({ sources: [], servers: big }, []);
    expect((await engine.flush()).error).toBe('report refused: too-large: request body over 2048 bytes');
    expect(await engine.spool.counts()).toMatchObject({ report: true });
  });

  it('keeps using the last policy while the endpoint is away', async () => {
    central = await endpoint();
    engine = makeEngine({ retry: { attempts: 1, baseMs: 10, capMs: 10 } });
    const fresh = await engine.refreshPolicy();
    await central.stopServer();
    const offline = await engine.flush();
    expect(offline.error).toBeDefined();
    const cached = JSON.parse(readFileSync(path.join(stateDir, 'policy.json'), 'utf8'));
    expect(cached.policy.version).toBe(fresh!.policy.version);
  });
});
