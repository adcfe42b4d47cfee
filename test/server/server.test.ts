// The reference server over loopback: enrollment, reports (full, delta, repeated, gzip), policy with ETags,
// events, the admin API, and its limits.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerEntry } from '../../src/shared/inventory.js';
import type { FullReport, InventoryReport } from '../../src/shared/protocol.js';
import { fullReport, serverEntry, toolCallEvent } from '../helpers/server-entries.js';
import { buildServer } from '../../src/server/app.js';
import type { RateLimits } from '../../src/server/callers.js';
import { memoryStorage } from '../../src/server/storage/open-storage.js';

let app: FastifyInstance;
let base: string;
const ADMIN = { authorization: 'Bearer admin-token' };

async function start(options: { bodyLimit?: number; rateLimits?: Partial<RateLimits> } = {}) {
  app = await buildServer({
    storage: await memoryStorage(),
    enrollSecret: 'enroll-secret',
    adminToken: 'admin-token',
    adminName: 'admin@example.com',
    ...options,
  });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}
afterEach(async () => app?.close());

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text && response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text,
  };
}

const facts = { hostname: 'laptop-1', platform: 'darwin', osVersion: 'Darwin 24.1', user: 'alice', agentVersion: '0.1.0' };
async function enroll() {
  const { body } = await call('POST', '/v1/enroll', { secret: 'enroll-secret', device: facts });
  return { id: body.deviceId as string, auth: { authorization: `Bearer ${body.token}` } };
}

const server = (name: string, serverKey = `npm:${name}`, client = 'cursor'): ServerEntry => serverEntry(name, { serverKey, client });
const full = (revision: number, servers: ServerEntry[], extra: Partial<FullReport> = {}): InventoryReport =>
  fullReport(revision, servers, extra);

describe('enrollment', () => {
  beforeEach(() => start());

  it('gives a device id and a token for the right secret, and refuses a wrong one', async () => {
    const ok = await call('POST', '/v1/enroll', { secret: 'enroll-secret', device: facts });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ deviceId: expect.stringMatching(/^[0-9a-f-]{36}$/), token: expect.any(String) });
    expect((await call('POST', '/v1/enroll', { secret: 'nope', device: facts })).body).toEqual({
      error: { code: 'bad-enroll-secret', message: 'the enroll secret is not valid' },
    });
    expect((await call('POST', '/v1/enroll', { secret: 'enroll-secret', device: { ...facts, platform: 'beos' } })).status).toBe(400);
  });

  it('stores only a hash of the token', async () => {
    const { auth } = await enroll();
    const token = auth.authorization.slice('Bearer '.length);
    const devices = (await call('GET', '/v1/admin/devices', undefined, ADMIN)).body;
    expect(JSON.stringify(devices)).not.toContain(token);
  });
});

describe('inventory reports', () => {
  beforeEach(() => start());

  it('accepts a full report, then deltas against the revision it holds', async () => {
    const device = await enroll();
    const path = `/v1/devices/${device.id}/inventory`;
    expect((await call('POST', path, full(1, [server('a'), server('b')]), device.auth)).body).toEqual({ acceptedRevision: 1 });
    const delta = {
      reportId: randomUUID(),
      revision: 2,
      generatedAt: new Date().toISOString(),
      kind: 'delta',
      baseRevision: 1,
      upserted: [server('c')],
      removed: [server('a').id],
    };
    expect((await call('POST', path, delta, device.auth)).body).toEqual({ acceptedRevision: 2 });
    const names = (await call('GET', '/v1/admin/servers', undefined, ADMIN)).body.items.map((row: { name: string }) => row.name);
    expect(names).toEqual(['b', 'c']);
  });

  it('asks for a full report when a delta’s base is not what it holds', async () => {
    const device = await enroll();
    const delta = {
      reportId: randomUUID(),
      revision: 5,
      generatedAt: new Date().toISOString(),
      kind: 'delta',
      baseRevision: 4,
      upserted: [],
      removed: [],
    };
    const response = await call('POST', `/v1/devices/${device.id}/inventory`, delta, device.auth);
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('full-report-required');
  });

  it('applies a repeated report once, answering as the first time', async () => {
    const device = await enroll();
    const report = full(1, [server('a')]);
    const path = `/v1/devices/${device.id}/inventory`;
    await call('POST', path, report, device.auth);
    await call('POST', path, full(2, [server('a'), server('b')]), device.auth);
    expect((await call('POST', path, report, device.auth)).body).toEqual({ acceptedRevision: 1 });
    expect((await call('GET', '/v1/admin/servers', undefined, ADMIN)).body).toMatchObject({
      total: 2,
      items: [{ name: 'a' }, { name: 'b' }],
    });
  });

  it('takes gzip bodies, and refuses bodies over the limit after inflating them', async () => {
    await app.close();
    await start({ bodyLimit: 64 * 1024 });
    const device = await enroll();
    const path = `/v1/devices/${device.id}/inventory`;
    const zipped = gzipSync(JSON.stringify(full(1, [server('a')])));
    expect(
      (await call('POST', path, zipped, { ...device.auth, 'content-type': 'application/json', 'content-encoding': 'gzip' })).body,
    ).toEqual({ acceptedRevision: 1 });
    const bomb = gzipSync(JSON.stringify(full(2, [{ ...server('b'), args: ['x'.repeat(200_000)] }])));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const refused = await call('POST', path, bomb, { ...device.auth, 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('too-large');
  });

  it('answers malformed JSON, unknown fields of the wrong type, and missing tokens clearly', async () => {
    const device = await enroll();
    const path = `/v1/devices/${device.id}/inventory`;
    expect((await call('POST', path, '{"reportId":', device.auth)).body.error.code).toBe('invalid-json');
    const bad = await call('POST', path, { ...full(1, []), revision: -1 }, device.auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/inventory report: .* at revision/);
    expect((await call('POST', path, full(1, []))).status).toBe(401);
    expect((await call('POST', path, full(1, []), { authorization: 'Bearer forged' })).status).toBe(401);
    const other = await enroll();
    expect((await call('POST', path, full(1, []), other.auth)).status).toBe(401);
  });
});

describe('policy', () => {
  beforeEach(() => start());

  it('serves the organisation’s rules with an ETag, and 304 until they change', async () => {
    const device = await enroll();
    const path = `/v1/devices/${device.id}/policy`;
    const first = await call('GET', path, undefined, device.auth);
    expect(first.body).toMatchObject({ defaultVerdict: 'pending', rules: [] });
    const etag = first.headers.get('etag')!;
    expect((await call('GET', path, undefined, { ...device.auth, 'if-none-match': etag })).status).toBe(304);
    await call('POST', '/v1/admin/rules', { target: { serverKey: 'npm:a' }, agents: ['*'], verdict: 'block', justification: 'no' }, ADMIN);
    const changed = await call('GET', path, undefined, { ...device.auth, 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body.rules).toHaveLength(1);
  });
});

describe('admin API', () => {
  beforeEach(() => start());

  it('refuses requests without the admin token', async () => {
    expect((await call('GET', '/v1/admin/servers')).status).toBe(401);
    expect((await call('GET', '/v1/admin/servers', undefined, { authorization: 'Bearer admin-tokeN' })).status).toBe(401);
  });

  it('records who marked a rule and when, validates rules, and deletes them', async () => {
    const created = await call(
      'POST',
      '/v1/admin/rules',
      {
        target: { serverKey: 'npm:a', capability: { kind: 'tool', name: 'delete' } },
        agents: ['cursor'],
        verdict: 'conditional',
        conditions: { ipRanges: ['10.0.0.0/8'] },
        justification: 'office only',
      },
      ADMIN,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), markedBy: 'admin@example.com', updatedAt: expect.any(String) });
    expect(
      (await call('POST', '/v1/admin/rules', { target: { serverKey: 'npm:a' }, agents: ['*'], verdict: 'allow' }, ADMIN)).body.error
        .message,
    ).toMatch(/justification/);
    expect((await call('GET', '/v1/admin/rules', undefined, ADMIN)).body.items).toHaveLength(1);
    expect((await call('DELETE', `/v1/admin/rules/${created.body.id}`, undefined, ADMIN)).status).toBe(204);
    expect((await call('DELETE', `/v1/admin/rules/${created.body.id}`, undefined, ADMIN)).status).toBe(404);
  });

  it('shows each server by agent with its decision, and one server’s capabilities, decisions and devices', async () => {
    const a = await enroll();
    const b = await enroll();
    const github = server('github', 'npm:@modelcontextprotocol/server-github');
    const probe = {
      status: 'ok',
      durationMs: 5,
      probedAt: new Date().toISOString(),
      tools: [{ kind: 'tool', name: 'create_issue', hash: 'h', risks: [{ id: 'privileged-access', severity: 'high', evidence: 'x' }] }],
      resources: [],
      resourceTemplates: [],
      prompts: [],
      risks: [],
    };
    await call(
      'POST',
      `/v1/devices/${a.id}/inventory`,
      { ...full(1, [github]), inventory: { sources: [], servers: [github], probes: { [github.id]: probe } } },
      a.auth,
    );
    await call(
      'POST',
      `/v1/devices/${b.id}/inventory`,
      full(1, [github, server('github', 'npm:@modelcontextprotocol/server-github', 'vscode')]),
      b.auth,
    );
    await call(
      'POST',
      '/v1/admin/rules',
      { target: { serverKey: github.serverKey }, agents: ['vscode'], verdict: 'block', justification: 'use the approved fork' },
      ADMIN,
    );

    const servers = (await call('GET', '/v1/admin/servers?sort=agent', undefined, ADMIN)).body.items;
    expect(
      servers.map((row: { agent: string; deviceCount: number; decision: { label: string } }) => [
        row.agent,
        row.deviceCount,
        row.decision.label,
      ]),
    ).toEqual([
      ['cursor', 2, 'Pending review'],
      ['vscode', 1, 'Blocked'],
    ]);
    expect(servers[1]).toMatchObject({
      serverKey: github.serverKey,
      name: 'github',
      accessType: 'public',
      decision: { markedBy: 'admin@example.com' },
      firstDetected: expect.any(String),
      lastUpdated: expect.any(String),
    });

    const detail = (await call('GET', `/v1/admin/servers/${encodeURIComponent(github.serverKey)}`, undefined, ADMIN)).body;
    expect(detail).toMatchObject({ name: 'github', deviceCount: 3, capabilityCount: 1, probe: { status: 'ok' } });
    const capabilities = (await call('GET', `/v1/admin/servers/${encodeURIComponent(github.serverKey)}/capabilities`, undefined, ADMIN))
      .body.items;
    expect(capabilities).toEqual([
      expect.objectContaining({
        type: 'tool',
        name: 'create_issue',
        risk: 'high',
        accessType: 'public',
        decision: expect.objectContaining({ agent: 'cursor', label: 'Pending review' }),
      }),
    ]);
    expect(capabilities[0].decisions.map((item: { agent: string; label: string }) => `${item.agent} ${item.label}`)).toEqual([
      'cursor Pending review',
      'vscode Blocked',
    ]);
    const devices = (await call('GET', `/v1/admin/servers/${encodeURIComponent(github.serverKey)}/devices`, undefined, ADMIN)).body;
    expect(devices.total).toBe(3);
    expect(devices.items.map((item: { deviceId: string; agent: string }) => `${item.deviceId} ${item.agent}`).sort()).toEqual(
      [`${a.id} cursor`, `${b.id} cursor`, `${b.id} vscode`].sort(),
    );
    expect((await call('GET', `/v1/admin/servers/${encodeURIComponent('npm:nothing')}`, undefined, ADMIN)).status).toBe(404);
  });

  it('says what a block would reach, exports Audit Data as filtered, and tells only owners the enroll command', async () => {
    const a = await enroll();
    const b = await enroll();
    const github = server('github', 'npm:@modelcontextprotocol/server-github');
    await call('POST', `/v1/devices/${a.id}/inventory`, full(1, [github, server('fs')]), a.auth);
    await call(
      'POST',
      `/v1/devices/${b.id}/inventory`,
      full(1, [github, server('github', 'npm:@modelcontextprotocol/server-github', 'vscode')]),
      b.auth,
    );
    const key = encodeURIComponent('npm:@modelcontextprotocol/server-github');
    // Both laptops are alice's (the same OS user and hostname): two devices, one person, no call yet.
    expect((await call('GET', `/v1/admin/servers/${key}/impact`, undefined, ADMIN)).body).toEqual({
      serverKey: 'npm:@modelcontextprotocol/server-github',
      devices: 2,
      people: 1,
    });
    expect((await call('GET', `/v1/admin/servers/${key}/impact?agent=vscode`, undefined, ADMIN)).body).toMatchObject({
      devices: 1,
      agent: 'vscode',
    });
    await call(
      'POST',
      `/v1/devices/${a.id}/events`,
      {
        events: [
          {
            id: randomUUID(),
            type: 'tool-call',
            at: '2026-12-01T10:00:00.000Z',
            client: 'cursor',
            serverKey: 'npm:@modelcontextprotocol/server-github',
            capability: { kind: 'tool', name: 'create_issue' },
            decision: { status: 'approved', reason: 'ok' },
          },
        ],
      },
      a.auth,
    );
    expect((await call('GET', `/v1/admin/servers/${key}/impact`, undefined, ADMIN)).body).toMatchObject({
      lastCalledAt: '2026-12-01T10:00:00.000Z',
    });
    // A guard shared by two clients names both: its calls count for each.
    expect((await call('GET', `/v1/admin/servers/${key}/impact?agent=vscode`, undefined, ADMIN)).body).not.toHaveProperty('lastCalledAt');
    await call(
      'POST',
      `/v1/devices/${b.id}/events`,
      {
        events: [
          {
            id: randomUUID(),
            type: 'tool-call',
            at: '2026-12-01T11:00:00.000Z',
            client: 'cursor,vscode',
            serverKey: 'npm:@modelcontextprotocol/server-github',
            capability: { kind: 'tool', name: 'create_issue' },
            decision: { status: 'approved', reason: 'ok' },
          },
        ],
      },
      b.auth,
    );
    expect((await call('GET', `/v1/admin/servers/${key}/impact?agent=vscode`, undefined, ADMIN)).body).toMatchObject({
      lastCalledAt: '2026-12-01T11:00:00.000Z',
    });
    expect((await call('GET', `/v1/admin/servers/${key}/impact?agent=code`, undefined, ADMIN)).body).not.toHaveProperty('lastCalledAt');

    await call(
      'POST',
      '/v1/admin/rules',
      {
        target: { serverKey: 'npm:@modelcontextprotocol/server-github' },
        agents: ['vscode'],
        verdict: 'block',
        justification: 'use the app',
      },
      ADMIN,
    );
    const csv = await call('GET', '/v1/admin/servers.csv?q=github&sort=-agent', undefined, ADMIN);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (csv.body as string).trim().split(/\r?\n/);
    expect(lines[0]).toBe('serverKey,name,agent,lastDetected,updated,accessType,transport,risk,devices,remarks,markedBy');
    expect(lines.slice(1).map((line) => line.split(',').slice(2, 3).concat(line.split(',').slice(-3)))).toEqual([
      ['vscode', '1', 'Blocked', 'admin@example.com'],
      ['cursor', '2', 'Pending review', ''],
    ]);
    expect((await call('GET', '/v1/admin/servers.csv?sort=-nothing', undefined, ADMIN)).status).toBe(400);

    expect((await call('GET', '/v1/admin/enrollment', undefined, ADMIN)).body).toEqual({
      serverUrl: base,
      command: `mcp-warden enroll --server ${base} --secret enroll-secret`,
    });
    const viewer = await call('POST', '/v1/admin/admins', { email: 'vera@example.com', role: 'viewer' }, ADMIN);
    const refused = await call('GET', '/v1/admin/enrollment', undefined, { authorization: `Bearer ${viewer.body.token}` });
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('enroll-secret');
  });

  it('keeps events once, filters them, and exports CSV (formulas neutralised) and JSON lines', async () => {
    const device = await enroll();
    const hostile = '=HYPERLINK("http://evil.example","click") <script>alert(1)</script> ✓';
    const events = [
      {
        id: randomUUID(),
        type: 'approval-request',
        at: '2026-11-20T10:00:00Z',
        client: 'cursor',
        serverKey: 'npm:a',
        serverName: hostile,
        reason: 'I need it, "really"',
      },
      {
        id: randomUUID(),
        type: 'block-notice',
        at: '2026-11-21T10:00:00Z',
        client: 'vscode',
        serverKey: 'npm:b',
        decision: { status: 'rejected', reason: 'no' },
      },
    ];
    const path = `/v1/devices/${device.id}/events`;
    expect((await call('POST', path, { events }, device.auth)).body).toEqual({ accepted: 2, duplicates: 0 });
    expect((await call('POST', path, { events }, device.auth)).body).toEqual({ accepted: 0, duplicates: 2 });
    expect(
      (await call('GET', '/v1/admin/requests', undefined, ADMIN)).body.items.map((event: { serverName: string }) => event.serverName),
    ).toEqual([hostile]);
    expect((await call('GET', '/v1/admin/events?agent=vscode', undefined, ADMIN)).body.items).toHaveLength(1);
    expect((await call('GET', '/v1/admin/events?decision=rejected', undefined, ADMIN)).body.items).toHaveLength(1);
    expect((await call('GET', '/v1/admin/events?from=2026-11-21T00:00:00Z', undefined, ADMIN)).body.items).toHaveLength(1);
    expect((await call('GET', `/v1/admin/events?device=${device.id}&server=npm:a`, undefined, ADMIN)).body.items).toHaveLength(1);
    const csv = (await call('GET', '/v1/admin/events.csv', undefined, ADMIN)).body as string;
    expect(csv.split('\r\n')[0]).toBe('at,human,agentKey,device,hostname,user,type,agent,serverKey,server,capability,decision,reason');
    expect(csv.split('\r\n')[1]).toMatch(/^2026-11-20T10:00:00Z,human\|alice@laptop-1,agent\|cursor@laptop-1,/);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"") <script>alert(1)</script> ✓"`);
    const lines = ((await call('GET', '/v1/admin/events.jsonl', undefined, ADMIN)).body as string).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).type)).toEqual(['approval-request', 'block-notice']);
  });
});

describe('people behind the agents', () => {
  beforeEach(() => start());

  it('answers the devices and agents acting for a human, and every call under their authority', async () => {
    const { body } = await call('POST', '/v1/enroll', { secret: 'enroll-secret', device: { ...facts, userEmail: 'alice@corp.example' } });
    const auth = { authorization: `Bearer ${body.token}` };
    await call('POST', `/v1/devices/${body.deviceId}/inventory`, full(1, [server('fs'), server('git', 'npm:git', 'claude-code')]), auth);
    const toolCall = (client: string, second: number) => ({
      id: randomUUID(),
      type: 'tool-call',
      at: new Date(Date.UTC(2026, 11, 1, 10, 0, second)).toISOString(),
      client,
      serverKey: 'npm:fs',
      capability: { kind: 'tool', name: 'read_file' },
      decision: { status: 'rejected', reason: 'blocked', code: 'blocked-tool' },
    });
    await call('POST', `/v1/devices/${body.deviceId}/events`, { events: [toolCall('cursor', 1), toolCall('claude-code', 2)] }, auth);

    const human = encodeURIComponent('human|alice@corp.example');
    expect((await call('GET', `/v1/admin/humans/${human}`, undefined, ADMIN)).body).toMatchObject({
      human: 'human|alice@corp.example',
      devices: [{ hostname: 'laptop-1', userEmail: 'alice@corp.example', agents: ['agent|claude-code@laptop-1', 'agent|cursor@laptop-1'] }],
      agents: ['agent|claude-code@laptop-1', 'agent|cursor@laptop-1'],
    });
    const calls = (await call('GET', `/v1/admin/events?human=${human}&sort=at`, undefined, ADMIN)).body;
    expect(calls.items.map((event: { agent: string; decision: { code: string } }) => [event.agent, event.decision.code])).toEqual([
      ['agent|cursor@laptop-1', 'blocked-tool'],
      ['agent|claude-code@laptop-1', 'blocked-tool'],
    ]);
    const one = (await call('GET', `/v1/admin/events?agentKey=${encodeURIComponent('agent|cursor@laptop-1')}`, undefined, ADMIN)).body;
    expect(one.total).toBe(1);
    expect((await call('GET', '/v1/admin/humans/alice', undefined, ADMIN)).status).toBe(400);
  });
});

describe('admin lists', () => {
  beforeEach(() => start());

  async function fleetOf(count: number) {
    const device = await enroll();
    const servers = Array.from({ length: count }, (_, index) => server(`s${String(index).padStart(3, '0')}`));
    await call('POST', `/v1/devices/${device.id}/inventory`, full(1, servers), device.auth);
    return device;
  }

  it('pages with a cursor until every server was shown once, and says the total', async () => {
    await fleetOf(130);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { name: string }[]; nextCursor: string | null; total: number; limit: number } } = await call(
        'GET',
        `/v1/admin/servers?limit=60&sort=-name${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        undefined,
        ADMIN,
      );
      expect(page.body).toMatchObject({ total: 130, limit: 60, sort: '-name' });
      seen.push(...page.body.items.map((item) => item.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(130);
    expect(seen[0]).toBe('s129');
    expect(new Set(seen).size).toBe(130);
  });

  it('refuses a cursor that was altered or belongs to another query, and clamps a limit out of range, saying so', async () => {
    await fleetOf(5);
    const firstPage = (await call('GET', '/v1/admin/servers?limit=2', undefined, ADMIN)).body;
    const cursor = firstPage.nextCursor as string;
    const [payload, signature] = cursor.split('.');
    const altered = `${Buffer.from(Buffer.from(payload!, 'base64url').toString().replace('s001', 's003')).toString('base64url')}.${signature}`;
    const tampered = await call('GET', `/v1/admin/servers?limit=2&cursor=${altered}`, undefined, ADMIN);
    expect(tampered.status).toBe(400);
    expect(tampered.body.error).toEqual({
      code: 'invalid-cursor',
      message: 'the cursor was not issued by this server or was altered; start again without it',
    });
    expect((await call('GET', '/v1/admin/servers?limit=2&cursor=garbage', undefined, ADMIN)).body.error.code).toBe('invalid-cursor');
    const other = await call('GET', `/v1/admin/servers?limit=2&agent=vscode&cursor=${cursor}`, undefined, ADMIN);
    expect(other.body.error.message).toBe('the cursor belongs to a query with other filters or another sort; start again without it');
    expect(
      (await call('GET', `/v1/admin/servers?limit=2&cursor=${cursor}`, undefined, ADMIN)).body.items.map(
        (item: { name: string }) => item.name,
      ),
    ).toEqual(['s002', 's003']);

    const clamped = (await call('GET', '/v1/admin/servers?limit=100000', undefined, ADMIN)).body;
    expect(clamped).toMatchObject({ limit: 500, notices: ['limit 100000 is outside 1–500; 500 used'] });
    expect((await call('GET', '/v1/admin/servers?sort=colour', undefined, ADMIN)).body.error.message).toBe(
      'sort colour: expected one of name, agent, deviceCount, risk, firstDetected, lastUpdated, accessType, decision, markedBy, decidedAt (prefix - for descending)',
    );
    expect((await call('GET', '/v1/admin/servers?colour=red', undefined, ADMIN)).status).toBe(400);
  });

  it('filters servers by decision as the policy decides them', async () => {
    await fleetOf(4);
    await call(
      'POST',
      '/v1/admin/rules',
      { target: { serverKey: 'npm:s001' }, agents: ['*'], verdict: 'block', justification: 'no' },
      ADMIN,
    );
    await call(
      'POST',
      '/v1/admin/rules',
      { target: { serverKey: 'npm:s002' }, agents: ['cursor'], verdict: 'allow', justification: 'ok' },
      ADMIN,
    );
    const names = async (decision: string) =>
      (await call('GET', `/v1/admin/servers?decision=${decision}`, undefined, ADMIN)).body.items.map((item: { name: string }) => item.name);
    expect(await names('rejected')).toEqual(['s001']);
    expect(await names('approved')).toEqual(['s002']);
    expect(await names('pending')).toEqual(['s000', 's003']);
    // Sorted by the decision, page by page through the cursors: blocked first, then pending, then approved.
    const walk = async (sort: string, extra = '') => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let total = 0;
      do {
        const page: { body: { items: { name: string; decision: { status: string } }[]; nextCursor: string | null; total: number } } =
          await call(
            'GET',
            `/v1/admin/servers?sort=${sort}&limit=1${extra}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            undefined,
            ADMIN,
          );
        seen.push(...page.body.items.map((item) => `${item.name} ${item.decision.status}`));
        cursor = page.body.nextCursor;
        total = page.body.total;
      } while (cursor);
      return { seen, total };
    };
    expect(await walk('-decision')).toEqual({ seen: ['s001 rejected', 's000 pending', 's003 pending', 's002 approved'], total: 4 });
    expect((await walk('decision')).seen).toEqual(['s002 approved', 's000 pending', 's003 pending', 's001 rejected']);
    expect(await walk('-decision', '&decision=pending')).toEqual({ seen: ['s000 pending', 's003 pending'], total: 2 });
    // By who decided and when: servers a rule decided first, then the rest by name.
    const names_ = (walked: { seen: string[] }) => walked.seen.map((entry) => entry.split(' ')[0]);
    expect(names_(await walk('markedBy'))).toEqual(['s001', 's002', 's000', 's003']);
    expect(names_(await walk('-decidedAt'))).toEqual(['s002', 's001', 's000', 's003']);
    expect(names_(await walk('decidedAt', '&decision=pending'))).toEqual(['s000', 's003']);
    expect((await walk('-decidedAt')).total).toBe(4);
    const csv = (await call('GET', '/v1/admin/servers.csv?sort=-decision', undefined, ADMIN)).body as string;
    expect(
      csv
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((line) => line.split(',')[1]),
    ).toEqual(['s001', 's000', 's003', 's002']);

    await call('PUT', '/v1/admin/policy/settings', { defaultVerdict: 'allow' }, ADMIN);
    expect(await names('approved')).toEqual(['s000', 's002', 's003']);
  });

  it("answers per-agent counts and the devices list with each device's server count", async () => {
    const device = await fleetOf(3);
    expect((await call('GET', '/v1/admin/agents', undefined, ADMIN)).body).toEqual({
      items: [{ agent: 'cursor', deviceCount: 1, serverCount: 3 }],
    });
    expect((await call('GET', '/v1/admin/devices?q=LAPTOP', undefined, ADMIN)).body.items).toEqual([
      expect.objectContaining({ id: device.id, hostname: 'laptop-1', serverCount: 3 }),
    ]);
    expect((await call('GET', `/v1/admin/devices/${device.id}`, undefined, ADMIN)).body).toMatchObject({ id: device.id, sources: [] });
  });
});

describe('limits', () => {
  it('rate-limits a device that floods, telling it when to come back', async () => {
    await start({ rateLimits: { device: 5 } });
    const device = await enroll();
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 7; i++) {
      const response = await call('GET', `/v1/devices/${device.id}/policy`, undefined, device.auth);
      statuses.push(response.status);
      retryAfter ??= response.headers.get('retry-after');
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it('does not let forged requests with another device’s id throttle that device: they count against their address', async () => {
    await start({ rateLimits: { device: 5, anonymous: 3 } });
    const victim = await enroll();
    const attacker = await enroll();
    const forged: number[] = [];
    for (let i = 0; i < 6; i++) forged.push((await call('GET', `/v1/devices/${victim.id}/policy`, undefined, attacker.auth)).status);
    expect(forged).toEqual([401, 401, 401, 429, 429, 429]);
    const victimStatuses: number[] = [];
    for (let i = 0; i < 5; i++) victimStatuses.push((await call('GET', `/v1/devices/${victim.id}/policy`, undefined, victim.auth)).status);
    expect(victimStatuses).toEqual([200, 200, 200, 200, 200]);
  });

  it('limits guesses at the enroll secret per address, but not enrollments with the right one', async () => {
    await start({ rateLimits: { guessing: 2, anonymous: 2 } });
    const guesses: number[] = [];
    for (let i = 0; i < 4; i++) guesses.push((await call('POST', '/v1/enroll', { secret: `guess-${i}`, device: facts })).status);
    expect(guesses).toEqual([403, 403, 429, 429]);
    const enrolled: number[] = [];
    for (let i = 0; i < 5; i++) enrolled.push((await call('POST', '/v1/enroll', { secret: 'enroll-secret', device: facts })).status);
    expect(enrolled).toEqual([201, 201, 201, 201, 201]);
    // Guessing the admin token spends the same budget of this address.
    expect((await call('GET', '/v1/admin/devices', undefined, { authorization: 'Bearer not-the-token' })).status).toBe(429);
    expect((await call('GET', '/v1/admin/devices', undefined, ADMIN)).status).toBe(200);
  });

  it('reads no more than a small body before judging an enrollment', async () => {
    await start();
    const bomb = gzipSync(Buffer.from(JSON.stringify({ secret: 'x'.repeat(1024 * 1024), device: facts })));
    const answer = await call('POST', '/v1/enroll', bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(answer).toMatchObject({ status: 413, body: { error: { code: 'too-large', message: 'request body over 65536 bytes' } } });
  });

  it('limits right-secret enrollments per address too, so one holder of the secret cannot take the fleet’s budget', async () => {
    await start({ rateLimits: { enrollingPerAddress: 2, enrolling: 100 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call('POST', '/v1/enroll', { secret: 'enroll-secret', device: facts })).status);
    expect(statuses).toEqual([201, 201, 429]);
  });

  it('spreads a fleet-wide rush of enrollments with 429 and Retry-After', async () => {
    await start({ rateLimits: { enrolling: 3 } });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', '/v1/enroll', { secret: 'enroll-secret', device: facts })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 201, 201, 429, 429]);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ error: { code: 'rate-limited' } });
  });
});

describe('the compliance report', () => {
  beforeEach(() => start());

  it('counts a period’s tool calls in total, by decision, per server and per person, and links the exports of exactly that period', async () => {
    const device = await enroll();
    const toolCall = (serverKey: string, status: 'approved' | 'rejected', at: string) =>
      toolCallEvent({
        serverKey,
        at,
        decision: { status, reason: status === 'rejected' ? 'tool run blocked for all agents by sec@corp.example: no' : 'approved' },
      });
    const events = [
      toolCall('npm:github', 'approved', '2026-11-20T09:00:00Z'),
      toolCall('npm:github', 'rejected', '2026-11-20T10:00:00Z'),
      toolCall('npm:fs', 'approved', '2026-11-21T11:00:00Z'),
      toolCall('npm:fs', 'approved', '2026-11-25T11:00:00Z'),
    ];
    await call('POST', `/v1/devices/${device.id}/events`, { events }, device.auth);

    const report = await call('GET', '/v1/admin/compliance?from=2026-11-20T00:00:00Z&to=2026-11-21T23:59:59Z', undefined, ADMIN);
    expect(report.body).toMatchObject({
      firstDay: '2026-11-20',
      lastDay: '2026-11-21',
      totals: { calls: 3, allowed: 2, denied: 1 },
      byDecision: [
        { decision: 'approved', calls: 2 },
        { decision: 'rejected', calls: 1 },
      ],
      byServer: [
        { serverKey: 'npm:github', calls: 2, allowed: 1, denied: 1 },
        { serverKey: 'npm:fs', calls: 1, allowed: 1, denied: 0 },
      ],
      byHuman: [{ human: 'human|alice@laptop-1', calls: 3, denied: 1 }],
    });
    const csv = (await call('GET', report.body.exports.csv, undefined, ADMIN)).body as string;
    expect(csv.trim().split('\r\n')).toHaveLength(4);
    const lines = ((await call('GET', report.body.exports.jsonl, undefined, ADMIN)).body as string).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).serverKey)).toEqual(['npm:github', 'npm:github', 'npm:fs']);

    expect(
      (await call('GET', '/v1/admin/compliance?from=2026-11-22T00:00:00Z&to=2026-11-20T00:00:00Z', undefined, ADMIN)).body.error.message,
    ).toBe('query: from 2026-11-22T00:00:00Z is after to 2026-11-20T00:00:00Z');
    expect((await call('GET', '/v1/admin/compliance?from=2026-11-22T00:00:00Z', undefined, ADMIN)).status).toBe(400);
  });
});

describe('changed definitions held for review', () => {
  beforeEach(() => start());

  it('holds a tool whose definition changed on any laptop for review on every laptop, until an admin decides it again', async () => {
    const device = await enroll();
    const github = server('github', 'npm:@modelcontextprotocol/server-github');
    const probeWith = (hash: string, description: string) => ({
      status: 'ok',
      durationMs: 5,
      probedAt: new Date().toISOString(),
      tools: [{ kind: 'tool', name: 'create_issue', hash, description, risks: [] }],
      resources: [],
      resourceTemplates: [],
      prompts: [],
      risks: [],
    });
    const report = (revision: number, hash: string, description: string) => ({
      ...full(revision, [github]),
      inventory: { sources: [], servers: [github], probes: { [github.id]: probeWith(hash, description) } },
    });
    const policy = async () => (await call('GET', `/v1/devices/${device.id}/policy`, undefined, device.auth)).body;
    await call('PUT', '/v1/admin/policy/settings', { defaultVerdict: 'allow', reviewChangedCapabilities: true }, ADMIN);
    await call('POST', `/v1/devices/${device.id}/inventory`, report(1, 'h1', 'Opens an issue.'), device.auth);
    expect((await policy()).review).toEqual({ pending: [] });

    const before = (await policy()).version;
    await call('POST', `/v1/devices/${device.id}/inventory`, report(2, 'h2', 'Opens an issue. Also reads ~/.ssh.'), device.auth);
    const changed = await policy();
    expect(changed.version).not.toBe(before);
    expect(changed.review.pending).toEqual([
      { serverKey: github.serverKey, kind: 'tool', name: 'create_issue', changedAt: expect.any(String) },
    ]);
    const capabilities = (await call('GET', `/v1/admin/servers/${encodeURIComponent(github.serverKey)}/capabilities`, undefined, ADMIN))
      .body;
    expect(capabilities.items[0].decision).toMatchObject({ status: 'pending', code: 'definition-changed' });

    // Deciding the tool again (here: allowing its new definition) ends the review.
    await call(
      'POST',
      '/v1/admin/rules',
      {
        target: { serverKey: github.serverKey, capability: { kind: 'tool', name: 'create_issue' } },
        agents: ['*'],
        verdict: 'allow',
        justification: 'read the new description',
      },
      ADMIN,
    );
    expect((await policy()).review.pending).toEqual([]);
    // Turned off, nothing is held.
    await call('PUT', '/v1/admin/policy/settings', { defaultVerdict: 'allow' }, ADMIN);
    expect((await policy()).review).toBeUndefined();
  });
});
