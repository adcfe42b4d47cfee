// The organisation's MCP registry over loopback: entries built from what the fleet runs, read the way VS Code
// and GitHub Copilot read them (API v0.1), published and taken out by admins of each role, deprecated by a
// block, never holding a secret, and an upstream registry (a second server) followed for removals.
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult, ServerEntry } from '../../src/shared/inventory.js';
import { ServerJson, ServerList, ServerResponse } from '../../src/shared/registry.js';
import { buildServer } from '../../src/server/app.js';
import type { RegistryOptions } from '../../src/server/context.js';
import { memoryStorage } from '../../src/server/storage/open-storage.js';
import type { Storage } from '../../src/server/storage/storage.js';
import { pollUpstream } from '../../src/server/upstream-registry.js';
import { runServer } from '../../src/server/server-command.js';
import { fullReport, serverEntry } from '../helpers/server-entries.js';

const CANARY = 'CANARY-7f3a91';
const ADMIN = { authorization: 'Bearer admin-token' };
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** A reply, its body parsed when it is JSON (shapes vary by endpoint, so read loosely). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the fields it asserts
type Reply = { status: number; headers: Headers; body: any };

interface Endpoint {
  base: string;
  storage: Storage;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
}

async function start(registry: RegistryOptions = { namespace: 'com.example' }): Promise<Endpoint> {
  const storage = await memoryStorage();
  const app = await buildServer({
    storage,
    enrollSecret: 'enroll-secret',
    adminToken: 'admin-token',
    adminName: 'admin@example.com',
    registry,
  });
  apps.push(app);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    base,
    storage,
    async call(method, path, body, headers = ADMIN) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text,
      };
    },
  };
}

const probe = (version: string): ProbeResult => ({
  status: 'ok',
  durationMs: 4,
  probedAt: new Date().toISOString(),
  serverInfo: { name: 'everything', version },
  instructions: `use token ${CANARY}`,
  tools: [{ kind: 'tool', name: 'echo', hash: 'sha-echo', description: `echoes ${CANARY}`, risks: [] }],
  resources: [],
  resourceTemplates: [],
  prompts: [],
  risks: [{ id: 'tool-poisoning', severity: 'medium', evidence: `said ${CANARY}` }],
});

/** A device reporting servers configured with a secret everywhere a config can hold one. */
async function fleetOf(endpoint: Endpoint, servers: ServerEntry[], probes: Record<string, ProbeResult> = {}) {
  const enrolled = await endpoint.call('POST', '/v1/enroll', {
    secret: 'enroll-secret',
    device: { hostname: `host-${CANARY}`, platform: 'linux', osVersion: 'Linux 6', user: 'alice', agentVersion: '0.1.0' },
  });
  const auth = { authorization: `Bearer ${enrolled.body.token}` };
  const report = fullReport(1, servers);
  const sent = await endpoint.call(
    'POST',
    `/v1/devices/${enrolled.body.deviceId}/inventory`,
    { ...report, inventory: { sources: [], servers, probes } },
    auth,
  );
  expect(sent.status).toBe(200);
  return auth;
}

const everything = serverEntry('everything', {
  serverKey: 'npm:@modelcontextprotocol/server-everything',
  args: ['-y', '@modelcontextprotocol/server-everything@2025.9.25', `--token=${CANARY}`],
  configPath: `/home/alice/${CANARY}/mcp.json`,
  envKeys: ['EVERYTHING_TOKEN', 'LOG_LEVEL'],
  package: { registry: 'npm', name: '@modelcontextprotocol/server-everything', version: '2025.9.25', pinned: true },
  findings: [{ id: 'plaintext-secret', severity: 'high', evidence: `argument 3 held ${CANARY}` }],
});
const remote = serverEntry('linear', {
  serverKey: 'url:https://mcp.linear.app/mcp',
  transport: 'http',
  command: undefined,
  args: [],
  url: `https://alice:${CANARY}@mcp.linear.app/mcp?api_key=${CANARY}`,
  headerKeys: ['Authorization'],
  accessType: 'public',
});
const local = serverEntry('notes', { serverKey: 'cmd:~/bin/notes-mcp', command: '~/bin/notes-mcp', args: [] });
const unpinned = serverEntry('fetch', {
  serverKey: 'pypi:mcp-server-fetch',
  package: { registry: 'pypi', name: 'mcp-server-fetch', pinned: false },
});

describe('publishing a server the fleet runs', () => {
  it('builds a valid server.json from the fleet: the pinned package, env names, the remote URL without credentials', async () => {
    const endpoint = await start();
    await fleetOf(endpoint, [everything, remote, local], { [everything.id]: probe('2025.9.25') });

    const published = await endpoint.call('POST', '/v1/admin/registry', { serverKey: everything.serverKey });
    expect(published.status).toBe(201);
    expect(ServerJson.parse(published.body)).toMatchObject({
      name: 'com.example/everything',
      version: '2025.9.25',
      packages: [
        {
          registryType: 'npm',
          registryBaseUrl: 'https://registry.npmjs.org',
          identifier: '@modelcontextprotocol/server-everything',
          version: '2025.9.25',
          transport: { type: 'stdio' },
          environmentVariables: [
            { name: 'EVERYTHING_TOKEN', isRequired: true, isSecret: true },
            { name: 'LOG_LEVEL', isRequired: true, isSecret: true },
          ],
        },
      ],
      _meta: {
        'dev.mcpwarden/governance': {
          serverKey: everything.serverKey,
          decisions: [{ agents: ['cursor'], status: 'pending' }],
          risk: 'high',
          capabilities: { 'tool:echo': 'sha-echo' },
        },
      },
    });
    expect(published.body.description.length).toBeLessThanOrEqual(100);

    const linear = await endpoint.call('POST', '/v1/admin/registry', {
      serverKey: remote.serverKey,
      version: '1.0.0',
      description: 'Linear issues',
    });
    expect(linear.status).toBe(201);
    expect(linear.body.remotes).toEqual([
      {
        type: 'streamable-http',
        url: 'https://mcp.linear.app/mcp',
        headers: [{ name: 'Authorization', isRequired: true, isSecret: true }],
      },
    ]);

    const notes = await endpoint.call('POST', '/v1/admin/registry/preview', { serverKey: local.serverKey, version: '0.3.0' });
    expect(notes.body.notices).toEqual([expect.stringContaining('a local command')]);
    expect(notes.body.server.packages).toBeUndefined();

    // Every entry everywhere it is read, checked against the schema and for the canaries.
    const everywhere = [
      await endpoint.call('GET', '/v0.1/servers', undefined, {}),
      await endpoint.call('GET', '/v0.1/servers/com.example%2Feverything/versions', undefined, {}),
      await endpoint.call('GET', '/v1/admin/registry'),
      notes,
    ];
    for (const read of everywhere) expect(JSON.stringify(read.body)).not.toContain(CANARY);
    // The public side names no admin, and no local command line.
    expect(JSON.stringify(everywhere[0]!.body)).not.toContain('admin@example.com');
    expect(notes.body.server._meta['dev.mcpwarden/governance'].serverKey).toBeUndefined();
    for (const entry of ServerList.parse(everywhere[0]!.body).servers) expect(ServerJson.safeParse(entry.server).success).toBe(true);
  });

  it('says which field is wrong and why, and never publishes a version twice or a name for two servers', async () => {
    const endpoint = await start();
    await fleetOf(endpoint, [everything, unpinned]);
    const refused = async (body: object) => (await endpoint.call('POST', '/v1/admin/registry', body)).body.error.message as string;

    expect(await refused({ serverKey: unpinned.serverKey })).toMatch(
      /^version: the fleet runs pypi:mcp-server-fetch without an exact version/,
    );
    expect(await refused({ serverKey: unpinned.serverKey, version: '^1.2.0' })).toMatch(/^version: a range is not a version/);
    expect(await refused({ serverKey: unpinned.serverKey, version: 'latest' })).toMatch(/^version: `latest` is not a version/);
    expect(await refused({ serverKey: everything.serverKey, description: 'x'.repeat(101) })).toMatch(/description: at most 100 characters/);
    expect(await refused({ serverKey: everything.serverKey, name: 'org.other/everything' })).toMatch(
      /^name: org.other\/everything is not under the organisation's namespace; use com.example\//,
    );
    expect(await refused({ serverKey: everything.serverKey, name: 'com.example/has space' })).toMatch(/^name: a reverse-DNS namespace/);
    expect(await refused({ serverKey: 'npm:nobody-runs-this' })).toMatch(/no device reports npm:nobody-runs-this/);

    expect((await endpoint.call('POST', '/v1/admin/registry', { serverKey: everything.serverKey })).status).toBe(201);
    const again = await endpoint.call('POST', '/v1/admin/registry', { serverKey: everything.serverKey });
    expect(again).toMatchObject({
      status: 409,
      body: { error: { message: expect.stringMatching(/^version: com.example\/everything 2025.9.25 was published already/) } },
    });
    const taken = await endpoint.call('POST', '/v1/admin/registry', {
      serverKey: unpinned.serverKey,
      version: '1.0.0',
      name: 'com.example/everything',
    });
    expect(taken).toMatchObject({
      status: 409,
      body: { error: { message: expect.stringContaining("already the registry's name for npm:@modelcontextprotocol/server-everything") } },
    });
  });

  it('refuses a server blocked for all agents, deprecates a published one when it is blocked, and restores it when the block is lifted', async () => {
    const endpoint = await start();
    await fleetOf(endpoint, [everything, unpinned]);
    const block = await endpoint.call('POST', '/v1/admin/rules', {
      target: { serverKey: unpinned.serverKey },
      agents: ['*'],
      verdict: 'block',
      justification: 'fetches anything',
    });
    expect(await endpoint.call('POST', '/v1/admin/registry', { serverKey: unpinned.serverKey, version: '1.0.0' })).toMatchObject({
      status: 409,
      body: {
        error: { code: 'blocked', message: expect.stringContaining('blocked for all agents by admin@example.com: fetches anything') },
      },
    });
    expect(block.status).toBe(201);

    expect((await endpoint.call('POST', '/v1/admin/registry', { serverKey: everything.serverKey })).status).toBe(201);
    const blocked = await endpoint.call('POST', '/v1/admin/rules', {
      target: { serverKey: everything.serverKey },
      agents: ['*'],
      verdict: 'block',
      justification: 'exfiltrates files',
    });
    const latest = await endpoint.call('GET', '/v0.1/servers/com.example%2Feverything/versions/latest', undefined, {});
    expect(ServerResponse.parse(latest.body)._meta).toMatchObject({
      'io.modelcontextprotocol.registry/official': { status: 'deprecated', isLatest: true },
      'dev.mcpwarden/status': { reason: 'blocked by the organisation: exfiltrates files' },
    });
    // Why, but never who: the admin history keeps who blocked it.
    expect(JSON.stringify(latest.body)).not.toContain('admin@example.com');
    await endpoint.call('DELETE', `/v1/admin/rules/${blocked.body.id}`);
    const restored = await endpoint.call('GET', '/v0.1/servers/com.example%2Feverything/versions/latest', undefined, {});
    expect(restored.body._meta['io.modelcontextprotocol.registry/official'].status).toBe('active');
    const history = (await endpoint.call('GET', '/v1/admin/history?server=npm%3A%40modelcontextprotocol%2Fserver-everything')).body;
    expect(history.items?.map((action: { action: string }) => action.action) ?? []).toEqual(
      expect.arrayContaining(['registry-published', 'registry-deprecated', 'registry-restored']),
    );
  });

  it('lets owners and approvers publish and take out, viewers only read, and only owners set what laptops do', async () => {
    const endpoint = await start();
    await fleetOf(endpoint, [everything]);
    const account = async (email: string, role: string) => {
      const made = await endpoint.call('POST', '/v1/admin/admins', { email, role });
      return { authorization: `Bearer ${made.body.token}` };
    };
    const viewer = await account('vera@corp.example', 'viewer');
    const approver = await account('alice@corp.example', 'approver');

    expect(await endpoint.call('POST', '/v1/admin/registry', { serverKey: everything.serverKey }, viewer)).toMatchObject({
      status: 403,
      body: { error: { message: expect.stringContaining('this needs the approver role') } },
    });
    expect((await endpoint.call('POST', '/v1/admin/registry', { serverKey: everything.serverKey }, approver)).status).toBe(201);
    expect((await endpoint.call('GET', '/v1/admin/registry', undefined, viewer)).body.items).toHaveLength(1);
    expect((await endpoint.call('GET', '/v1/admin/registry?limit=abc', undefined, viewer)).body.error.message).toContain(
      'limit must be a whole number',
    );
    expect((await endpoint.call('PUT', '/v1/admin/registry/settings', { mode: 'only' }, approver)).status).toBe(403);
    expect((await endpoint.call('DELETE', '/v1/admin/registry/com.example%2Feverything', undefined, viewer)).status).toBe(403);
    expect((await endpoint.call('DELETE', '/v1/admin/registry/com.example%2Feverything', undefined, approver)).status).toBe(204);
    expect((await endpoint.call('DELETE', '/v1/admin/registry/com.example%2Feverything', undefined, approver)).status).toBe(404);
    expect((await endpoint.call('PUT', '/v1/admin/registry/settings', { mode: 'only' })).status).toBe(204);
    expect((await endpoint.call('GET', '/v1/admin/registry/settings', undefined, viewer)).body).toMatchObject({
      mode: 'only',
      namespace: 'com.example',
    });
  });
});

describe('the registry API as clients read it', () => {
  async function registryOf(count: number) {
    const endpoint = await start();
    const servers = Array.from({ length: count }, (_, index) =>
      serverEntry(`tool-${index}`, {
        id: `tool-${index}`,
        package: { registry: 'npm', name: `tool-${index}`, version: `1.0.${index}`, pinned: true },
      }),
    );
    await fleetOf(endpoint, servers);
    for (const server of servers)
      expect((await endpoint.call('POST', '/v1/admin/registry', { serverKey: server.serverKey })).status).toBe(201);
    return endpoint;
  }
  const names = (list: ServerList) => list.servers.map((entry) => entry.server.name);

  it("answers VS Code's sequence: a probe with limit=1, pages of limit=50&version=latest to the end, then lookups by name", async () => {
    const endpoint = await registryOf(53);
    const probeRead = await endpoint.call('GET', '/v0.1/servers?limit=1', undefined, {});
    expect(ServerList.parse(probeRead.body)).toMatchObject({
      servers: [{ server: { name: 'com.example/tool-0' } }],
      metadata: { count: 1 },
    });
    expect(probeRead.body.metadata.nextCursor).toEqual(expect.any(String));

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await endpoint.call(
        'GET',
        `/v0.1/servers?limit=50&version=latest${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        undefined,
        {},
      );
      const list = ServerList.parse(page.body);
      seen.push(...names(list));
      cursor = list.metadata.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    expect(new Set(seen).size).toBe(53);

    const lookup = await endpoint.call('GET', '/v0.1/servers/com.example%2Ftool-52/versions/latest', undefined, {});
    expect(ServerResponse.parse(lookup.body)).toMatchObject({ server: { name: 'com.example/tool-52', version: '1.0.52' } });
    expect((await endpoint.call('GET', '/v0.1/servers/com.example%2Ftool-52/versions/1.0.52', undefined, {})).status).toBe(200);
    expect(await endpoint.call('GET', '/v0.1/servers/com.example%2Fnope/versions/latest', undefined, {})).toMatchObject({
      status: 404,
      body: { error: 'Server not found' },
    });
  });

  it('searches by name, refuses a tampered cursor, and sends CORS headers on reads and preflights', async () => {
    const endpoint = await registryOf(12);
    expect((await endpoint.call('GET', '/v0.1/servers?search=', undefined, {})).body.servers).toHaveLength(12);
    const found = await endpoint.call('GET', '/v0.1/servers?search=TOOL-1', undefined, {});
    expect(names(found.body)).toEqual(['com.example/tool-1', 'com.example/tool-10', 'com.example/tool-11']);

    const first = await endpoint.call('GET', '/v0.1/servers?limit=5', undefined, {});
    const cursor = first.body.metadata.nextCursor as string;
    const tampered = `${cursor.slice(0, -2)}${cursor.endsWith('A') ? 'B' : 'A'}A`;
    expect(await endpoint.call('GET', `/v0.1/servers?limit=5&cursor=${encodeURIComponent(tampered)}`, undefined, {})).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('the cursor was not issued by this server or was altered') },
    });
    expect(
      (await endpoint.call('GET', `/v0.1/servers?limit=5&search=tool&cursor=${encodeURIComponent(cursor)}`, undefined, {})).status,
    ).toBe(400);
    expect(first.headers.get('access-control-allow-origin')).toBe('*');

    const preflight = await fetch(`${endpoint.base}/v0.1/servers`, {
      method: 'OPTIONS',
      headers: {
        origin: 'vscode-file://vscode-app',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(
      Object.fromEntries(
        ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers'].map((name) => [
          name,
          preflight.headers.get(name),
        ]),
      ),
    ).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, OPTIONS',
      'access-control-allow-headers': 'Authorization, Content-Type',
    });
    // A client's own token is not ours to judge: the read is public whatever it carries.
    expect((await endpoint.call('GET', '/v0.1/servers', undefined, { authorization: 'Bearer gho_someone-elses' })).status).toBe(200);
    // A path the registry does not serve answers in its shape, readable cross-origin.
    const missing = await endpoint.call('GET', '/v0.1/nothing-here', undefined, {});
    expect(missing).toMatchObject({ status: 404, body: { error: 'Not found' } });
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    // Nothing else gets CORS headers.
    expect((await endpoint.call('GET', '/v1/admin/registry')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('shows deletions to updated_since readers only, and moves the policy laptops receive', async () => {
    const endpoint = await registryOf(3);
    // updated_since is inclusive and times are kept to the millisecond: the publishes must fall strictly before it.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    await pause();
    const before = new Date().toISOString();
    await pause();
    expect((await endpoint.call('DELETE', '/v1/admin/registry/com.example%2Ftool-1')).status).toBe(204);
    expect(names((await endpoint.call('GET', '/v0.1/servers', undefined, {})).body)).toEqual(['com.example/tool-0', 'com.example/tool-2']);
    const changed = await endpoint.call('GET', `/v0.1/servers?updated_since=${encodeURIComponent(before)}`, undefined, {});
    expect(changed.body.servers).toEqual([
      expect.objectContaining({
        server: expect.objectContaining({ name: 'com.example/tool-1' }),
        _meta: expect.objectContaining({ 'io.modelcontextprotocol.registry/official': expect.objectContaining({ status: 'deleted' }) }),
      }),
    ]);
    expect((await endpoint.call('GET', '/v0.1/servers/com.example%2Ftool-1/versions/latest', undefined, {})).status).toBe(404);
    expect((await endpoint.call('GET', '/v0.1/servers?updated_since=yesterday', undefined, {})).body.error).toMatch(
      /updated_since must be an RFC 3339 time/,
    );

    const policy = async () => (await endpoint.call('GET', '/v1/admin/policy')).body;
    expect((await policy()).registry).toBeUndefined();
    await endpoint.call('PUT', '/v1/admin/registry/settings', { mode: 'only' });
    const only = await policy();
    expect(only.registry).toEqual({ mode: 'only', serverKeys: ['npm:tool-0', 'npm:tool-2'] });
    await endpoint.call('DELETE', '/v1/admin/registry/com.example%2Ftool-2');
    const after = await policy();
    expect(after.registry.serverKeys).toEqual(['npm:tool-0']);
    expect(after.version).not.toBe(only.version);
    // Saving the policy's other settings keeps what laptops do with the registry.
    await endpoint.call('PUT', '/v1/admin/policy/settings', { defaultVerdict: 'allow' });
    expect((await policy()).registry.mode).toBe('only');
  });

  it('refuses a namespace, a range or an upstream that cannot work, before anything starts', async () => {
    const io = { stdout: () => {}, stderr: () => {}, untilStopped: async () => {} } as never;
    await expect(runServer(['--registry-namespace', 'example'], io)).rejects.toThrow(
      '--registry-namespace example: expected a reverse-DNS name',
    );
    await expect(runServer(['--registry-allow', '10.0.0.0/8,office'], io)).rejects.toThrow(
      '--registry-allow office: expected an IP address or a CIDR range',
    );
    await expect(runServer(['--upstream-registry', 'registry.example'], io)).rejects.toThrow(
      '--upstream-registry registry.example: expected an http(s):// URL',
    );
  });

  it('is read only from the organisation network when told so', async () => {
    const endpoint = await start({ namespace: 'com.example', allowFrom: ['10.0.0.0/8'] });
    expect(await endpoint.call('GET', '/v0.1/servers', undefined, {})).toMatchObject({
      status: 403,
      body: { error: "the organisation's MCP registry is read only from its own network" },
    });
    const inside = await start({ namespace: 'com.example', allowFrom: ['127.0.0.0/8'] });
    expect((await inside.call('GET', '/v0.1/servers', undefined, {})).status).toBe(200);
  });
});

describe('following an upstream registry', () => {
  it('raises an entry the fleet runs that the upstream removes, once, and blocks it fleet-wide when the organisation chose so', async () => {
    const upstream = await start({ namespace: 'io.github.modelcontextprotocol' });
    await fleetOf(upstream, [everything, unpinned]);
    expect((await upstream.call('POST', '/v1/admin/registry', { serverKey: everything.serverKey })).status).toBe(201);
    expect((await upstream.call('POST', '/v1/admin/registry', { serverKey: unpinned.serverKey, version: '1.0.0' })).status).toBe(201);

    const endpoint = await start();
    await fleetOf(endpoint, [everything]);
    await endpoint.call('PUT', '/v1/admin/registry/settings', { mode: 'gallery', upstreamBlocks: true });
    const follow = { url: upstream.base };
    expect(await pollUpstream(endpoint.storage, follow)).toEqual({ seen: 2, alerts: [] });

    // Moderation removes both; only the one the fleet runs concerns this organisation.
    await upstream.call('DELETE', '/v1/admin/registry/io.github.modelcontextprotocol%2Feverything');
    await upstream.call('DELETE', '/v1/admin/registry/io.github.modelcontextprotocol%2Ffetch');
    const { alerts } = await pollUpstream(endpoint.storage, follow);
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: 'deleted',
        name: 'io.github.modelcontextprotocol/everything',
        serverKey: everything.serverKey,
        ruleId: expect.any(String),
      }),
    ]);
    expect((await pollUpstream(endpoint.storage, follow)).alerts).toEqual([]);

    const servers = (await endpoint.call('GET', '/v1/admin/servers')).body.items;
    expect(servers[0].decision).toMatchObject({ status: 'rejected', markedBy: `upstream:${new URL(upstream.base).host}` });
    expect(servers[0].decision.reason).toContain('marked io.github.modelcontextprotocol/everything deleted');
    expect((await endpoint.call('GET', '/v1/admin/registry/alerts')).body.items).toHaveLength(1);
  });

  it('says an entry now names another package, without blocking when the organisation did not choose so', async () => {
    const upstream = await start({ namespace: 'io.github.acme' });
    const renamed = serverEntry('everything', {
      id: 'acme-everything',
      serverKey: 'npm:@acme/everything',
      package: { registry: 'npm', name: '@acme/everything', version: '2.0.0', pinned: true },
    });
    await fleetOf(upstream, [everything, renamed]);
    expect((await upstream.call('POST', '/v1/admin/registry', { serverKey: everything.serverKey })).status).toBe(201);
    const endpoint = await start();
    await fleetOf(endpoint, [everything]);
    await pollUpstream(endpoint.storage, { url: upstream.base });

    // The same name republished for another package: a new latest version naming @acme/everything.
    await upstream.call('DELETE', '/v1/admin/registry/io.github.acme%2Feverything');
    expect(
      (await upstream.call('POST', '/v1/admin/registry', { serverKey: renamed.serverKey, name: 'io.github.acme/everything' })).status,
    ).toBe(201);
    const { alerts } = await pollUpstream(endpoint.storage, { url: upstream.base });
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: 'identity-changed',
        serverKey: everything.serverKey,
        detail: expect.stringContaining('now lists io.github.acme/everything as npm:@acme/everything'),
      }),
    ]);
    expect(alerts[0]!.ruleId).toBeUndefined();
    expect((await endpoint.call('GET', '/v1/admin/servers')).body.items[0].decision.status).toBe('pending');
  });

  it('raises an entry published and removed upstream between two reads, by what it named', async () => {
    const upstream = await start({ namespace: 'io.github.someone' });
    await fleetOf(upstream, [everything]);
    const endpoint = await start();
    await fleetOf(endpoint, [everything]);
    expect(await pollUpstream(endpoint.storage, { url: upstream.base })).toEqual({ seen: 0, alerts: [] });
    expect((await upstream.call('POST', '/v1/admin/registry', { serverKey: everything.serverKey })).status).toBe(201);
    await upstream.call('DELETE', '/v1/admin/registry/io.github.someone%2Feverything');
    const { alerts } = await pollUpstream(endpoint.storage, { url: upstream.base });
    expect(alerts).toEqual([expect.objectContaining({ kind: 'deleted', serverKey: everything.serverKey })]);
    expect(alerts[0]!.ruleId).toBeUndefined();
  });

  it('says clearly when the upstream is not a registry, and keeps its place', async () => {
    const endpoint = await start();
    await expect(pollUpstream(endpoint.storage, { url: `${endpoint.base}/nowhere` })).rejects.toThrow(
      /answered 404 to \/nowhere\/v0.1\/servers/,
    );
    expect(await endpoint.storage.registry.upstreamSince(`${endpoint.base}/nowhere`)).toBeUndefined();
  });
});
