// Admins as people: accounts with roles made with `mcp-warden server admin`, their own tokens (shown once,
// revocable), each refused change saying which role it needs, Marked By naming the admin who decided, and
// the history of every change, paged and filtered.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/app.js';
import { openStorage } from '../../src/server/storage/open-storage.js';
import { CLI } from '../helpers/machines.js';

const run = promisify(execFile);
const BOOTSTRAP = { authorization: 'Bearer bootstrap-token' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let app: FastifyInstance | undefined;
let base: string;
let folder: string;

beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-admins-'));
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  rmSync(folder, { recursive: true, force: true });
});

async function start() {
  const storage = await openStorage({ dialect: 'sqlite', file: path.join(folder, 'mcp-warden.sqlite') }, { eventRetentionDays: 30 });
  app = await buildServer({ storage, enrollSecret: 'enroll-secret', adminToken: 'bootstrap-token', adminName: 'it@corp.example' });
  app.addHook('onClose', () => storage.close());
  base = await app.listen({ port: 0, host: '127.0.0.1' });
}

async function call(method: string, route: string, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

const rule = (serverKey: string) => ({ target: { serverKey }, agents: ['*'], verdict: 'block', justification: 'not reviewed' });

describe('admin accounts from the command line', () => {
  it('adds admins with a token printed once, lists them, rotates and removes them', async () => {
    const admin = (...args: string[]) => run(process.execPath, [CLI, 'server', 'admin', ...args, '--data', folder]);
    const added = await admin('add', '--email', 'Alice@Corp.example', '--role', 'approver');
    const token = added.stdout.trim();
    expect(token).toMatch(/^mwa_[A-Za-z0-9_-]{43}$/);
    expect(added.stderr).toContain('added alice@corp.example as approver');
    await expect(admin('add', '--email', 'alice@corp.example', '--role', 'viewer')).rejects.toMatchObject({
      stderr: expect.stringContaining('alice@corp.example is already an admin; `admin token --email alice@corp.example` gives a new token'),
    });
    await expect(admin('add', '--email', 'bob@corp.example', '--role', 'boss')).rejects.toMatchObject({
      stderr: expect.stringContaining('--role boss: expected one of viewer, approver, owner'),
    });

    await start();
    expect((await call('GET', '/v1/admin/me', bearer(token))).body).toMatchObject({
      email: 'alice@corp.example',
      role: 'approver',
      via: 'token',
    });
    await app!.close();
    app = undefined;

    const list = await admin('list');
    expect(list.stdout).toMatch(/^EMAIL\s+ROLE\s+TOKENS\s+LAST USED\s+ADDED BY\n/);
    expect(list.stdout).toMatch(/alice@corp\.example\s+approver\s+1\s+2\d{3}-\d\d-\d\dT[\d:.]+Z\s+cli:/);

    const rotated = (await admin('token', '--email', 'alice@corp.example')).stdout.trim();
    expect(rotated).not.toBe(token);
    await start();
    expect((await call('GET', '/v1/admin/servers', bearer(token))).status).toBe(401);
    expect((await call('GET', '/v1/admin/servers', bearer(rotated))).status).toBe(200);
    await app!.close();
    app = undefined;

    await admin('remove', '--email', 'alice@corp.example');
    await start();
    expect((await call('GET', '/v1/admin/servers', bearer(rotated))).status).toBe(401);
    const history = (await call('GET', '/v1/admin/history?sort=at', BOOTSTRAP)).body!.items as { action: string; admin: string }[];
    expect(history.map((entry) => entry.action)).toEqual(['admin-added', 'token-issued', 'token-revoked', 'token-issued', 'admin-removed']);
    expect(new Set(history.map((entry) => entry.admin))).toEqual(new Set([`cli:${os.userInfo().username}`]));
    // Eight runs of the command, each opening (and on the first, migrating) the database: bounded, not timed.
  }, 60_000);
});

describe('single sign-on settings', () => {
  it('refuses a setup that cannot work, saying what is missing', async () => {
    const server = (...args: string[]) =>
      run(process.execPath, [CLI, 'server', '--data', folder, '--admin-token', 'a', '--enroll-secret', 'e', ...args]).catch(
        (error: { code: number; stderr: string }) => error,
      );
    const oidc = ['--oidc-issuer', 'https://login.corp.example', '--oidc-client-id', 'warden', '--oidc-client-secret', 's'];
    for (const [args, message] of [
      [['--oidc-issuer', 'https://login.corp.example'], '--oidc-issuer needs --oidc-client-id and --oidc-client-secret'],
      [oidc, '--oidc-issuer needs --public-url'],
      [[...oidc, '--public-url', 'http://warden.corp.example'], 'single sign-on needs https://'],
      [
        [...oidc, '--public-url', 'https://warden.corp.example', '--oidc-role-map', 'admins=boss'],
        '--oidc-role-map admins=boss: expected value=role',
      ],
      [
        [...oidc, '--public-url', 'https://warden.corp.example', '--oidc-role-map', 'admins=owner'],
        '--oidc-role-map needs --oidc-role-claim',
      ],
    ] as const)
      expect(await server(...args)).toMatchObject({ code: 2, stderr: expect.stringContaining(message) });
  });
});

describe('roles over the admin API', () => {
  beforeEach(() => start());

  async function account(email: string, role: string) {
    const made = await call('POST', '/v1/admin/admins', BOOTSTRAP, { email, role });
    expect(made.status).toBe(201);
    return bearer(made.body!.token as string);
  }

  it('lets each role do what it is for, and refuses the rest with the role needed', async () => {
    const viewer = await account('vera@corp.example', 'viewer');
    const approver = await account('alice@corp.example', 'approver');
    const owner = await account('olga@corp.example', 'owner');

    expect((await call('GET', '/v1/admin/servers', viewer)).status).toBe(200);
    expect(await call('POST', '/v1/admin/rules', viewer, rule('npm:fs'))).toEqual({
      status: 403,
      body: {
        error: {
          code: 'forbidden',
          message: 'this needs the approver role (also decides: rules and approval requests); vera@corp.example is a viewer',
        },
      },
    });
    const made = await call('POST', '/v1/admin/rules', approver, rule('npm:fs'));
    expect(made).toMatchObject({ status: 201, body: { markedBy: 'alice@corp.example' } });
    expect((await call('DELETE', `/v1/admin/rules/${made.body!.id as string}`, viewer)).status).toBe(403);

    const settings = { defaultVerdict: 'block' };
    expect((await call('PUT', '/v1/admin/policy/settings', approver, settings)).body).toMatchObject({
      error: { message: 'this needs the owner role (also changes settings and admins); alice@corp.example is an approver' },
    });
    expect((await call('PUT', '/v1/admin/policy/settings', owner, settings)).status).toBe(200);
    expect((await call('POST', '/v1/admin/admins', approver, { email: 'eve@corp.example', role: 'owner' })).status).toBe(403);

    // Each admin makes their own tokens; nobody, not even an owner, one to act as someone else.
    const own = await call('POST', '/v1/admin/admins/vera@corp.example/tokens', viewer, { name: 'laptop' });
    expect(own).toMatchObject({ status: 201, body: { name: 'laptop', token: expect.stringMatching(/^mwa_/) } });
    expect((await call('POST', '/v1/admin/admins/alice@corp.example/tokens', viewer, {})).status).toBe(403);
    expect((await call('POST', '/v1/admin/admins/alice@corp.example/tokens', owner, {})).body).toMatchObject({
      error: { message: 'an admin makes their own tokens; alice@corp.example can, or `mcp-warden server admin token` on the endpoint' },
    });
    expect((await call('DELETE', '/v1/admin/admins/olga@corp.example', owner)).body).toMatchObject({
      error: { message: 'an admin cannot remove their own account; ask another owner' },
    });
    expect((await call('DELETE', '/v1/admin/admins/vera@corp.example', owner)).status).toBe(204);
    expect((await call('GET', '/v1/admin/servers', viewer)).status).toBe(401);
  });

  it('never shows a token again after it was made, and keeps only its hash', async () => {
    const made = await call('POST', '/v1/admin/admins', BOOTSTRAP, { email: 'alice@corp.example', role: 'viewer' });
    const token = made.body!.token as string;
    const listed = JSON.stringify((await call('GET', '/v1/admin/admins', BOOTSTRAP)).body);
    const history = JSON.stringify((await call('GET', '/v1/admin/history', BOOTSTRAP)).body);
    expect(listed).toContain('alice@corp.example');
    for (const shown of [listed, history]) expect(shown).not.toContain(token.slice(4, 20));
    expect((await call('POST', '/v1/admin/admins', BOOTSTRAP, { email: 'alice@corp.example', role: 'owner' })).status).toBe(409);
    expect((await call('POST', '/v1/admin/admins', BOOTSTRAP, { email: 'not-an-email', role: 'owner' })).status).toBe(400);
    expect((await call('GET', '/v1/admin/servers', bearer('mwa_guessed'))).status).toBe(401);
  });

  it('answers what changed in an agent’s access over time, and who changed it', async () => {
    const approver = await account('alice@corp.example', 'approver');
    const forCursor = { ...rule('npm:fs'), agents: ['cursor'] };
    const first = await call('POST', '/v1/admin/rules', approver, forCursor);
    await call('POST', '/v1/admin/rules', BOOTSTRAP, { ...rule('npm:git'), agents: ['vscode'] });
    await call('DELETE', `/v1/admin/rules/${first.body!.id as string}`, approver);

    const page = await call('GET', '/v1/admin/history?agent=cursor&sort=at&limit=1', BOOTSTRAP);
    expect(page.body).toMatchObject({ total: 2, items: [{ action: 'rule-added', admin: 'alice@corp.example', serverKey: 'npm:fs' }] });
    const next = await call('GET', `/v1/admin/history?agent=cursor&sort=at&limit=1&cursor=${page.body!.nextCursor as string}`, BOOTSTRAP);
    expect(next.body).toMatchObject({ items: [{ action: 'rule-removed', before: { verdict: 'block', markedBy: 'alice@corp.example' } }] });
    const bootstrap = await call('GET', '/v1/admin/history?admin=it@corp.example&action=rule-added', BOOTSTRAP);
    expect(bootstrap.body).toMatchObject({ total: 1, items: [{ serverKey: 'npm:git', agents: ['vscode'] }] });
    expect((await call('GET', '/v1/admin/history?action=exploded', BOOTSTRAP)).status).toBe(400);
  });
});
