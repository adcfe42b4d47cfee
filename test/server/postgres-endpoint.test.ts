// The endpoint on PostgreSQL as IT runs it: `mcp-warden server migrate`, then two `mcp-warden server` processes
// on one database acting as one endpoint; a database that is not there at start, or goes away under load and
// comes back: 503 with Retry-After meanwhile, and afterwards nothing lost and nothing doubled.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/agent/settings/agent-settings.js';
import { newEvent } from '../../src/agent/sync/spool.js';
import { SyncEngine } from '../../src/agent/sync/sync-engine.js';
import { CLI } from '../helpers/machines.js';
import { type ThrowawayPostgres, postgresMissing, startThrowawayPostgres } from '../helpers/postgres.js';
import { freePort } from '../helpers/probe-home.js';
import { fullReport, serverEntry } from '../helpers/server-entries.js';

const ADMIN = { authorization: 'Bearer admin-token' };
let cluster: ThrowawayPostgres;
const children: ChildProcess[] = [];
const folders: string[] = [];

beforeAll(async () => {
  if (!postgresMissing) cluster = await startThrowawayPostgres();
}, 60_000);
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});
afterAll(async () => cluster?.stop());

function cli(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MCP_WARDEN_ADMIN_TOKEN: '' },
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function serverProcess(url: string, extra: string[] = []): Promise<string> {
  const port = await freePort();
  const run = cli([
    'server',
    '--database',
    url,
    '--port',
    String(port),
    '--admin-token',
    'admin-token',
    '--enroll-secret',
    'enroll-secret',
    ...extra,
  ]);
  for (let waited = 0; !run.output().includes('listening'); waited += 50) {
    if (run.child.exitCode !== null || waited > 15_000) throw new Error(`server did not start: ${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return `http://127.0.0.1:${port}`;
}

async function migrated(): Promise<string> {
  const url = await cluster.database();
  const migrate = cli(['server', 'migrate', '--database', url]);
  expect(await migrate.exited, migrate.output()).toBe(0);
  expect(migrate.output()).toContain(
    'applied 0001-fleet-schema, 0002-admins, 0003-people, 0004-capability-versions, 0005-registry, 0006-webhook-outbox, 0007-compliance-counts, 0008-server-index, 0009-counts-in-index',
  );
  return url;
}

async function call(base: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const enrollAnswer = (base: string, hostname: string) =>
  call(base, 'POST', '/v1/enroll', {
    secret: 'enroll-secret',
    device: { hostname, platform: 'linux', osVersion: '6', user: hostname, agentVersion: '0.1.0' },
  });

async function enroll(base: string, hostname: string) {
  const { body } = await enrollAnswer(base, hostname);
  return { id: body.deviceId as string, auth: { authorization: `Bearer ${body.token}` } };
}

describe.skipIf(postgresMissing !== undefined)('the endpoint on PostgreSQL', () => {
  it('runs as two processes on one database that act as one endpoint', async () => {
    const url = await migrated();
    const [a, b] = await Promise.all([serverProcess(url, ['--enroll-rate', '3']), serverProcess(url, ['--enroll-rate', '3'])]);
    // The enrollments below must share one minute's budget (windows start on the minute): not too near its end.
    const msLeft = 60_000 - (Date.now() % 60_000);
    if (msLeft < 20_000) await new Promise((resolve) => setTimeout(resolve, msLeft + 50));
    const device = await enroll(a, 'laptop-1');
    // The agent retries one report (its answer lost) and the load balancer sends the retries to both.
    const report = fullReport(1, [serverEntry('fs'), serverEntry('memory')]);
    const route = `/v1/devices/${device.id}/inventory`;
    const answers = await Promise.all([a, b, a, b, b].map((base) => call(base, 'POST', route, report, device.auth)));
    expect(answers.map((answer) => answer.body)).toEqual(Array(5).fill({ acceptedRevision: 1 }));
    const servers = (await call(b, 'GET', '/v1/admin/servers', undefined, ADMIN)).body;
    expect(servers.items.map((item: { name: string; deviceCount: number }) => `${item.name} ${item.deviceCount}`)).toEqual([
      'fs 1',
      'memory 1',
    ]);

    // A rule made through one process is the policy, and the ETag, of the other.
    await call(
      a,
      'POST',
      '/v1/admin/rules',
      { target: { serverKey: 'npm:fs' }, agents: ['*'], verdict: 'block', justification: 'no' },
      ADMIN,
    );
    const fromA = await call(a, 'GET', `/v1/devices/${device.id}/policy`, undefined, device.auth);
    const fromB = await call(b, 'GET', `/v1/devices/${device.id}/policy`, undefined, {
      ...device.auth,
      'if-none-match': fromA.headers.get('etag')!,
    });
    expect(fromB.status).toBe(304);
    expect(fromA.body.rules).toHaveLength(1);

    // A cursor from one process pages on in the other.
    const first = (await call(a, 'GET', '/v1/admin/servers?limit=1', undefined, ADMIN)).body;
    const second = (await call(b, 'GET', `/v1/admin/servers?limit=1&cursor=${first.nextCursor}`, undefined, ADMIN)).body;
    expect(second.items.map((item: { name: string }) => item.name)).toEqual(['memory']);

    // The enrollment budget (3 a minute) is one budget: spent through one process, the other refuses too once
    // it has added its own count to the shared one (a merge, every quarter second) and so learned the first's.
    await enroll(a, 'laptop-2');
    await enroll(a, 'laptop-3');
    expect((await enrollAnswer(a, 'laptop-4')).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await enrollAnswer(b, 'laptop-5');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const refused = await enrollAnswer(b, 'laptop-6');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  }, 60_000);

  it('will not start without a reachable, migrated database, and says which and why', async () => {
    const port = await freePort();
    const absent = cli([
      'server',
      '--database',
      `postgres://warden:hunter2@127.0.0.1:${port}/mcp_warden`,
      '--admin-token',
      't',
      '--enroll-secret',
      's',
    ]);
    expect(await absent.exited).toBe(1);
    expect(absent.output()).toContain(
      `PostgreSQL postgres://warden:***@127.0.0.1:${port}/mcp_warden cannot be reached: connect ECONNREFUSED`,
    );
    expect(absent.output()).not.toContain('hunter2');

    const fresh = await cluster.database();
    const unmigrated = cli(['server', '--database', fresh, '--admin-token', 't', '--enroll-secret', 's']);
    expect(await unmigrated.exited).toBe(1);
    expect(unmigrated.output()).toContain(
      'the database needs 9 migration(s) (0001-fleet-schema, 0002-admins, 0003-people, 0004-capability-versions, 0005-registry, 0006-webhook-outbox, 0007-compliance-counts, 0008-server-index, 0009-counts-in-index): run `mcp-warden server migrate` first',
    );
  });

  it('answers 503 with Retry-After while the database is away under load, and loses or doubles nothing once it is back', async () => {
    const url = await migrated();
    const base = await serverProcess(url);
    const devices = await Promise.all(Array.from({ length: 12 }, (_, index) => enroll(base, `laptop-${index}`)));
    const unavailable: { status: number; retryAfter: string | null }[] = [];
    let crashed = false;
    // Each device sends 15 reports and 15 events in turn, retrying each one as is until it is taken.
    const load = devices.map(async (device, index) => {
      for (let revision = 1; revision <= 15; revision++) {
        const report = fullReport(revision, [serverEntry(`s${index}`), serverEntry(`r${revision % 3}`)]);
        const events = [newEvent({ type: 'tool-call', client: 'cursor', serverKey: `npm:s${index}` })];
        for (const [route, body] of [
          [`/v1/devices/${device.id}/inventory`, report],
          [`/v1/devices/${device.id}/events`, { events }],
        ] as const) {
          for (;;) {
            const answer = await call(base, 'POST', route, body, device.auth).catch(() => ({ status: 0, headers: new Headers() }));
            if (answer.status === 200) break;
            unavailable.push({ status: answer.status, retryAfter: answer.headers.get('retry-after') });
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }
        if (index === 0 && revision === 5 && !crashed) {
          crashed = true;
          await cluster.crash();
          await new Promise((resolve) => setTimeout(resolve, 1500));
          await cluster.restart();
        }
      }
    });
    await Promise.all(load);
    expect(unavailable.length).toBeGreaterThan(0);
    expect(unavailable.every((answer) => answer.status === 503 && answer.retryAfter === '5')).toBe(true);

    const listed = (await call(base, 'GET', '/v1/admin/devices?limit=50', undefined, ADMIN)).body;
    expect(listed.items.map((item: { revision: number }) => item.revision)).toEqual(Array(12).fill(15));
    const events = (await call(base, 'GET', '/v1/admin/events?limit=500', undefined, ADMIN)).body;
    expect(events.total).toBe(12 * 15);
    const servers = (await call(base, 'GET', '/v1/admin/servers?limit=50', undefined, ADMIN)).body;
    expect(
      servers.items.filter((item: { name: string }) => item.name.startsWith('s')).map((item: { deviceCount: number }) => item.deviceCount),
    ).toEqual(Array(12).fill(1));
    expect(servers.items.find((item: { name: string }) => item.name === 'r0').deviceCount).toBe(12);
  }, 60_000);

  it('keeps an agent’s report and events in its spool while the database is away, and delivers them once', async () => {
    const url = await migrated();
    const base = await serverProcess(url);
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-pg-agent-'));
    folders.push(stateDir);
    const log: string[] = [];
    const engine = () =>
      new SyncEngine({
        stateDir,
        settings: { ...DEFAULT_SETTINGS, serverUrl: base, enrollSecret: 'enroll-secret' },
        retry: { attempts: 2, baseMs: 10, capMs: 10, maxWaitMs: 60_000 },
        sleep: async () => {},
        log: (line) => log.push(line),
      });
    let agent = engine();
    await agent.enrollment();
    await cluster.crash();
    await agent.queueReport({ sources: [], servers: [serverEntry('fs')] }, []);
    await agent.queueEvents([newEvent({ type: 'approval-request', serverKey: 'npm:fs', reason: 'please' })]);
    const away = await agent.flush();
    expect(away.error).toMatch(/unavailable: the database cannot be reached; nothing was stored, retry later/);
    expect(await agent.spool.counts()).toEqual({ report: true, events: 1 });
    await agent.close();

    await cluster.restart();
    agent = engine();
    expect(await agent.flush()).toMatchObject({ reportRevision: 1, events: 1 });
    expect(await agent.flush()).toMatchObject({ events: 0 });
    await agent.close();
    expect((await call(base, 'GET', '/v1/admin/requests', undefined, ADMIN)).body.total).toBe(1);
    expect((await call(base, 'GET', '/v1/admin/servers', undefined, ADMIN)).body.total).toBe(1);
  }, 30_000);
});
