// The trust holes of an agent installed on a whole fleet, tried through the real commands as a new user would:
// a cloned repository under a scan root, a replayed copy of another machine, and the agent's own secrets in
// the environment of every server it starts or guards.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppService } from '../../../src/agent/app/app-service.js';
import { worldFromProcess } from '../../../src/agent/discovery/world.js';
import { DEFAULT_SETTINGS } from '../../../src/agent/settings/agent-settings.js';
import { SyncEngine } from '../../../src/agent/sync/sync-engine.js';
import { CLI } from '../../helpers/machines.js';
import { NODE, SERVERS } from '../../helpers/probe-home.js';

const CANARY = 'canary-enroll-secret-0b7f3c';
const ADMIN_CANARY = 'canary-admin-token-5d21aa';

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

function write(file: string, content: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

const envServer = (out: string) => ({ command: NODE, args: [path.join(SERVERS, 'writes-env.mjs'), out] });

/** A Linux home of this machine's user: a Cursor server of the user's own, and a cloned repository under ~/code. */
function laptop() {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-trust-'));
  const home = path.join(folder, 'home');
  const pwned = path.join(folder, 'pwned-marker');
  const own = path.join(folder, 'own-server.env.json');
  write(path.join(home, '.cursor', 'mcp.json'), { mcpServers: { mine: envServer(own) } });
  write(path.join(home, 'code', 'cloned', '.mcp.json'), { mcpServers: { evil: { command: 'sh', args: ['-c', `touch ${pwned}`] } } });
  write(path.join(home, '.claude.json'), { projects: {} });
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: '',
    MCP_WARDEN_ENROLL_SECRET: CANARY,
    MCP_WARDEN_ADMIN_TOKEN: ADMIN_CANARY,
    MCP_WARDEN_STATE_DIR: path.join(folder, 'state'),
  };
  return { home, pwned, own, env, state: path.join(folder, 'state') };
}

describe('what the agent starts on a laptop', () => {
  it('`scan --probe` starts the user’s own server without the agent’s secrets, and never the cloned repository’s', () => {
    const machine = laptop();
    const run = spawnSync(NODE, [CLI, 'scan', '--probe', '--json', '--scan-root', path.join(machine.home, 'code')], {
      encoding: 'utf8',
      env: machine.env,
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      servers: { id: string; name: string }[];
      probes: Record<string, { status: string; reason?: string }>;
    };
    const probeOf = (name: string) => result.probes[result.servers.find((server) => server.name === name)!.id]!;
    expect(probeOf('mine').status).toBe('ok');
    expect(probeOf('evil')).toEqual(
      expect.objectContaining({ status: 'skipped', reason: expect.stringContaining('~/code/cloned was found only under a scan root') }),
    );
    expect(run.stderr).toContain('1 server was not started: project servers their client has no record of the user approving');
    expect(existsSync(machine.pwned)).toBe(false);

    const seen = JSON.parse(readFileSync(machine.own, 'utf8')) as Record<string, string>;
    expect(JSON.stringify(seen)).not.toContain(CANARY);
    expect(JSON.stringify(seen)).not.toContain(ADMIN_CANARY);
    expect(Object.keys(seen).filter((name) => name.startsWith('MCP_WARDEN_'))).toEqual([]);
    expect(seen).toMatchObject({ HOME: machine.home, PATH: process.env.PATH });
  });

  it('`agent --once` does not run the cloned repository’s server either', () => {
    const machine = laptop();
    const run = spawnSync(NODE, [CLI, 'agent', '--once', '--scan-root', path.join(machine.home, 'code')], {
      encoding: 'utf8',
      env: machine.env,
      timeout: 60_000,
    });
    expect(run.stdout).toContain('cycle: 2 servers, 1 probed');
    expect(existsSync(machine.own)).toBe(true);
    expect(existsSync(machine.pwned)).toBe(false);
    expect(readFileSync(machine.own, 'utf8')).not.toContain(CANARY);
  });
});

describe('a replayed copy of another machine', () => {
  /** A copied Linux disk whose user's Cursor runs a server that leaves a marker when started. */
  function copiedMachine() {
    folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-replay-'));
    const root = path.join(folder, 'copy');
    const home = path.join(root, 'home', 'erin');
    const marker = path.join(folder, 'replayed-server-started');
    write(path.join(home, '.cursor', 'mcp.json'), { mcpServers: { theirs: envServer(marker), remote: { url: 'http://127.0.0.1:9/mcp' } } });
    return { root, home, marker, flags: ['--home', home, '--root', root, '--platform', 'linux'], state: path.join(folder, 'state') };
  }

  it('is only read by `scan --probe`, which says so, unless --probe-replay asks to start its servers here', () => {
    const copy = copiedMachine();
    const run = spawnSync(NODE, [CLI, 'scan', '--probe', '--json', ...copy.flags, '--state-dir', copy.state], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const probes = Object.values(JSON.parse(run.stdout).probes as Record<string, { status: string; reason: string }>);
    expect(probes.map((probe) => probe.status)).toEqual(['skipped', 'skipped']);
    expect(probes[0]!.reason).toContain(
      'a copy of another machine (--home/--root/--platform): MCP Warden reads its files and never starts or contacts its servers',
    );
    expect(run.stderr).toContain(
      'This is a copy of another machine: 2 servers were not started or contacted (--probe-replay starts them here).',
    );
    expect(existsSync(copy.marker)).toBe(false);

    const asked = spawnSync(
      NODE,
      [CLI, 'scan', '--probe', '--probe-replay', '--json', '--client', 'cursor', ...copy.flags, '--state-dir', copy.state],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(asked.status, asked.stderr).toBe(0);
    expect(existsSync(copy.marker)).toBe(true);
  });

  it('keeps the probe cache in this machine’s state folder (MCP_WARDEN_STATE_DIR), never inside the copy', () => {
    const copy = copiedMachine();
    const run = spawnSync(NODE, [CLI, 'scan', '--probe', '--probe-replay', '--json', '--client', 'cursor', ...copy.flags], {
      encoding: 'utf8',
      env: { ...process.env, MCP_WARDEN_STATE_DIR: copy.state },
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(path.join(copy.state, 'probe-cache.json'))).toBe(true);
    expect(
      readdirSync(copy.root, { recursive: true })
        .map(String)
        .filter((file) => file.includes('probe-cache')),
    ).toEqual([]);
  });

  it('is only read by `agent --once`', () => {
    const copy = copiedMachine();
    const run = spawnSync(NODE, [CLI, 'agent', '--once', ...copy.flags, '--state-dir', copy.state], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toContain('cycle: 2 servers, 0 probed');
    expect(run.stdout).toContain('This is a copy of another machine');
    expect(existsSync(copy.marker)).toBe(false);
  });

  it('is only read by the window’s agent core (the harness)', async () => {
    const copy = copiedMachine();
    const settings = { ...DEFAULT_SETTINGS };
    const engine = new SyncEngine({ stateDir: copy.state, settings, log: () => undefined });
    const service = new AppService({
      scanOptions: { world: worldFromProcess({ home: copy.home, root: copy.root, platform: 'linux' }) },
      stateDir: copy.state,
      settings,
      engine,
    });
    try {
      const snapshot = await service.snapshot();
      expect(snapshot.servers.map((server) => server.probe?.status)).toEqual(['skipped', 'skipped']);
      expect(existsSync(copy.marker)).toBe(false);
    } finally {
      await engine.close();
    }
  });
});

describe('the guard', () => {
  it('passes on what the client gave it, minus the agent’s own variables', async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-guard-env-'));
    const out = path.join(folder, 'guarded.env.json');
    const guard: ChildProcess = spawn(
      NODE,
      [
        CLI,
        'guard',
        '--server',
        's1',
        '--server-key',
        'cmd:writes-env',
        '--client',
        'cursor',
        '--state-dir',
        path.join(folder, 'state'),
        '--',
        NODE,
        path.join(SERVERS, 'writes-env.mjs'),
        out,
      ],
      {
        env: { ...process.env, FROM_CLIENT_CONFIG: 'kept', MCP_WARDEN_ENROLL_SECRET: CANARY, mcp_warden_admin_token: ADMIN_CANARY },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    try {
      const deadline = Date.now() + 15_000;
      while (!existsSync(out) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const seen = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
      expect(seen.FROM_CLIENT_CONFIG).toBe('kept');
      expect(JSON.stringify(seen)).not.toContain(CANARY);
      expect(JSON.stringify(seen)).not.toContain(ADMIN_CANARY);
    } finally {
      const exited = new Promise((resolve) => guard.once('exit', resolve));
      guard.stdin!.end();
      await exited;
    }
  });
});
