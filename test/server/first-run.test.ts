// `mcp-warden server` as an admin first runs it: no option but where to keep its data. It makes an owner token
// and an enroll secret, keeps them private, says them once with a sign-in link that works once, and on later
// starts says only where the console is. Flags still win.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/machines.js';
import { freePort } from '../helpers/probe-home.js';

let running: ChildProcess | undefined;
const folders: string[] = [];

afterEach(async () => {
  await stop();
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function stop() {
  if (!running || running.exitCode !== null) return;
  const child = running;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

/** Starts the server and answers what it printed once it listens (and has said its start-up lines). */
async function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ base: string; output: string }> {
  const port = await freePort();
  const environment = { ...process.env, ...env };
  for (const key of ['MCP_WARDEN_ADMIN_TOKEN', 'MCP_WARDEN_ENROLL_SECRET', 'MCP_WARDEN_DATA'] as const)
    if (!(key in env)) delete environment[key];
  const child = spawn(process.execPath, [CLI, 'server', '--port', String(port), ...args], {
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running = child;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (
        output.includes('Admin console:') &&
        (!output.includes('First start') || output.includes('Owner token') || output.includes('enroll'))
      )
        setTimeout(() => (clearTimeout(timer), resolve()), 100);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
  return { base: `http://127.0.0.1:${port}`, output };
}

describe('the first start of mcp-warden server', () => {
  it('makes and keeps an owner token and an enroll secret, says them once with a one-time sign-in link', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-first-run-'));
    folders.push(data);
    const { base, output } = await start(['--data', data]);
    const kept = JSON.parse(readFileSync(path.join(data, 'secrets.json'), 'utf8')) as { adminToken: string; enrollSecret: string };
    expect(statSync(path.join(data, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(output).toContain(`Admin console: ${base}/`);
    expect(output).toContain(
      `The owner token, for later sign-ins and the admin API, is in ${path.join(data, 'secrets.json')} (adminToken).`,
    );
    // The token itself is never printed: a service's output ends up in its log.
    expect(output).not.toContain(kept.adminToken);
    expect(output).toContain(`    mcp-warden enroll --server ${base} --secret ${kept.enrollSecret}\n`);
    const link = /Sign in to the console with this link \(works once, for 15 minutes\): (\S+)/.exec(output)![1]!;
    expect(link.startsWith(`${base}/auth/once?code=`)).toBe(true);

    // Opening the link only asks (a link previewer spends nothing); its button signs the owner in, once.
    const code = new URL(link).searchParams.get('code')!;
    expect(await (await fetch(link)).text()).toContain('Sign in as owner');
    expect(await (await fetch(link)).text()).toContain('Sign in as owner');
    const post = () =>
      fetch(`${base}/auth/once`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ code }).toString(),
      });
    const first = await post();
    expect(first.status).toBe(303);
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const me = await fetch(`${base}/v1/admin/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ email: 'admin', role: 'owner', via: 'session' });
    const again = await post();
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('It was used already, or is older than 15 minutes');
    expect((await fetch(link)).status).toBe(410);
    // The kept token works, and so does the enroll secret.
    expect((await fetch(`${base}/v1/admin/me`, { headers: { authorization: `Bearer ${kept.adminToken}` } })).status).toBe(200);
    const enroll = await fetch(`${base}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        secret: kept.enrollSecret,
        device: { hostname: 'laptop-1', platform: 'linux', osVersion: '6', user: 'alice', agentVersion: '0.1.0' },
      }),
    });
    expect(enroll.status).toBe(201);
    await stop();

    // A later start reads them back and says no secret.
    const later = await start(['--data', data]);
    expect(later.output).not.toContain('First start');
    expect(later.output).not.toContain(kept.adminToken);
    expect(later.output).not.toContain(kept.enrollSecret);
    expect((await fetch(`${later.base}/v1/admin/me`, { headers: { authorization: `Bearer ${kept.adminToken}` } })).status).toBe(200);
    expect((await fetch(`${later.base}/auth/once?code=anything`, { redirect: 'manual' })).status).toBe(410);
  });

  it('lets flags and the environment win, and keeps only what it made', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-first-run-'));
    folders.push(data);
    const { base, output } = await start(['--data', data], { MCP_WARDEN_ADMIN_TOKEN: 'given-admin-token-0123456789' });
    expect(output).toContain('First start: made an enroll secret');
    expect(output).not.toContain('owner token');
    expect(output).not.toContain('/auth/once');
    expect(readFileSync(path.join(data, 'secrets.json'), 'utf8')).not.toContain('given-admin-token');
    expect((await fetch(`${base}/v1/admin/me`, { headers: { authorization: 'Bearer given-admin-token-0123456789' } })).status).toBe(200);
  });

  it('keeps nothing when the first start fails, so the next one still says everything', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-first-run-'));
    folders.push(data);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    const failed = spawn(process.execPath, [CLI, 'server', '--data', data, '--port', String(port)], {
      env: { ...process.env, MCP_WARDEN_ADMIN_TOKEN: '', MCP_WARDEN_ENROLL_SECRET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await new Promise((resolve) => failed.once('exit', resolve))).not.toBe(0);
    await new Promise((resolve) => blocker.close(resolve));
    expect(existsSync(path.join(data, 'secrets.json'))).toBe(false);
    const { output } = await start(['--data', data]);
    expect(output).toContain('First start: made an owner token and an enroll secret');
  });

  it('ends a session made from a token when that token is revoked', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-first-run-'));
    folders.push(data);
    const { base } = await start(['--data', data], {
      MCP_WARDEN_ADMIN_TOKEN: 'given-admin-token-0123456789',
      MCP_WARDEN_ENROLL_SECRET: 'given-enroll-secret-0123456789',
    });
    const owner = { authorization: 'Bearer given-admin-token-0123456789', 'content-type': 'application/json' };
    const made = await (
      await fetch(`${base}/v1/admin/admins`, {
        method: 'POST',
        headers: owner,
        body: JSON.stringify({ email: 'olga@corp.example', role: 'approver' }),
      })
    ).json();
    const signIn = await fetch(`${base}/auth/token`, { method: 'POST', headers: { authorization: `Bearer ${made.token}` } });
    expect(signIn.status).toBe(204);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    expect((await fetch(`${base}/v1/admin/me`, { headers: { cookie } })).status).toBe(200);
    // Olga makes a new token of the same name: the old one is revoked, and the session made from it ends.
    const rotated = await fetch(`${base}/v1/admin/admins/olga@corp.example/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${made.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(rotated.status).toBe(201);
    expect((await fetch(`${base}/v1/admin/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('asks for both secrets with --database, where no data folder is shared', async () => {
    const run = spawn(process.execPath, [CLI, 'server', '--database', 'postgres://warden@127.0.0.1:1/warden'], {
      env: { ...process.env, MCP_WARDEN_ADMIN_TOKEN: '', MCP_WARDEN_ENROLL_SECRET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => run.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('with --database, give --admin-token and --enroll-secret');
  });
});
