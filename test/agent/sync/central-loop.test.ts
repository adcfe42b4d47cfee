// The whole loop over loopback, through the real commands: `mcp-warden server`, `enroll`, `agent --once`, the
// admin API, `status --json`. A fixture Mac is scanned; its planted secrets must never reach the server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, PLANTED_SECRETS, copyMachine, expectNoPlantedSecret, machineFlags } from '../../helpers/machines.js';
import { type ServerProcess, startServerProcess } from '../../helpers/server-process.js';

let server: ServerProcess;
let url: string;
let data: string;
let state: string;
const ADMIN = { authorization: 'Bearer e2e-admin-token', 'content-type': 'application/json' };
// The fixture machines name remote servers that must never be contacted: no probing here.
const env = { ...process.env, MCP_WARDEN_PROBE: 'off' };

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function admin(method: string, route: string, body?: unknown) {
  const response = await fetch(`${url}/v1/admin/${route}`, { method, headers: ADMIN, ...(body ? { body: JSON.stringify(body) } : {}) });
  return response.status === 204 ? undefined : response.json();
}

beforeAll(async () => {
  data = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-e2e-data-'));
  state = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-e2e-state-'));
  server = await startServerProcess(['--data', data, '--admin-name', 'admin@example.com'], {
    ...env,
    MCP_WARDEN_ADMIN_TOKEN: 'e2e-admin-token',
    MCP_WARDEN_ENROLL_SECRET: 'e2e-enroll-secret',
  });
  url = server.base;
});

afterAll(async () => {
  await server?.stop();
  rmSync(data, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

describe('the central loop', () => {
  it('enrolls, reports, receives the admin’s decisions, and shows them with their justification', async () => {
    const flags = [...machineFlags('darwin'), '--state-dir', state];
    expect(cli('enroll', '--server', url, '--secret', 'e2e-enroll-secret', '--state-dir', state)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^enrolled with http:\/\/127\.0\.0\.1:\d+ as device [0-9a-f-]{36}\n$/),
    });
    const first = cli('agent', '--once', ...flags);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/report: revision 1 accepted \(full: 84 servers\)/);

    const fleet = ((await admin('GET', 'servers?limit=500')) as { items: unknown }).items as {
      serverKey: string;
      agent: string;
      decision: { label: string };
    }[];
    expect(fleet.length).toBeGreaterThan(60);
    expect(fleet.every((row) => row.decision.label === 'Pending review')).toBe(true);

    await admin('POST', 'rules', {
      target: { serverKey: 'npm:@modelcontextprotocol/server-github' },
      agents: ['*'],
      verdict: 'block',
      justification: 'use the approved GitHub app instead',
    });
    await admin('POST', 'rules', {
      target: { serverKey: 'url:https://mcp.sentry.dev/mcp' },
      agents: ['claude-code'],
      verdict: 'conditional',
      conditions: { expiresAt: '2026-01-31T00:00:00Z' },
      justification: 'incident review in January',
    });

    const second = cli('agent', '--once', ...flags);
    expect(second.stdout).toMatch(/report: revision 2 accepted \(delta: 0 changed, 0 removed\)/);
    expect(second.stdout).toMatch(/policy: version [0-9a-f]{32} \(2 rules\)/);

    const status = JSON.parse(cli('status', '--json', ...flags).stdout);
    const decision = (client: string, name: string) =>
      status.servers.find((entry: { client: string; name: string }) => entry.client === client && entry.name === name).decision;
    expect(decision('claude-desktop', 'github')).toMatchObject({
      status: 'rejected',
      reason: 'blocked for all agents by admin@example.com: use the approved GitHub app instead',
      markedBy: 'admin@example.com',
    });
    expect(decision('goose', 'github')).toMatchObject({ status: 'rejected' });
    expect(decision('claude-code', 'sentry')).toMatchObject({
      status: 'expired',
      reason: 'conditional approval by admin@example.com expired on 2026-01-31T00:00:00Z: incident review in January',
      expiresAt: '2026-01-31T00:00:00Z',
    });
    expect(decision('claude-code', 'linear')).toMatchObject({ status: 'pending' });
    expect(status.servers[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        serverKey: expect.any(String),
        client: expect.any(String),
        name: expect.any(String),
      }),
    );
    expect(status.policy.rules).toBe(2);
    expect(status.central.serverUrl).toBe(url);

    const table = cli('status', ...flags).stdout;
    expect(table).toMatch(/github +Blocked +blocked for all agents by admin@example\.com: use the approved GitHub app instead/);
    expect(table).toMatch(/sentry +Blocked \(approval expired\) +conditional approval by admin@example\.com expired on 2026-01-31/);
  });

  it('delivers an approval request the admin sees', async () => {
    const flags = [...machineFlags('darwin'), '--state-dir', state];
    const sent = cli('request-approval', 'slack', '--reason', 'our team channel bot', ...flags);
    expect(sent).toMatchObject({ code: 0, stdout: 'approval request for slack sent\n' });
    const requests = ((await admin('GET', 'requests')) as { items: unknown }).items as {
      serverName: string;
      reason: string;
      client: string;
      serverKey: string;
    }[];
    expect(requests).toEqual([
      expect.objectContaining({
        serverName: 'slack',
        client: 'claude-code',
        serverKey: 'npm:@modelcontextprotocol/server-slack',
        reason: 'our team channel bot',
      }),
    ]);
  });

  it('keeps running: reports again when a config changes, and stops cleanly', async () => {
    const machine = copyMachine('linux');
    const agentState = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-agent-state-'));
    const agent = spawn(
      process.execPath,
      [CLI, 'agent', '--server', url, '--secret', 'e2e-enroll-secret', '--state-dir', agentState, ...machineFlags('linux', machine.root)],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    agent.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const until = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const check = setInterval(() => {
          if (pattern.test(output)) return (clearInterval(check), resolve());
          if (Date.now() - started > 15_000) {
            clearInterval(check);
            reject(new Error(`no ${pattern} in:\n${output}`));
          }
        }, 50);
      });
    try {
      await until(/report: revision 1 accepted \(full: 29 servers\)/);
      writeFileSync(
        path.join(machine.world.home, '.cursor/mcp.json'),
        JSON.stringify({
          mcpServers: { 'cursor-linux': { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory@2026.8.31'] } },
        }),
      );
      await until(/configuration change\(s\)[\s\S]*report: revision 2 accepted \(delta: 1 changed, 0 removed\)/);
      agent.kill('SIGINT');
      expect(await new Promise((resolve) => agent.once('exit', resolve))).toBe(0);
      expect(output).toMatch(/agent stopped\n$/);
    } finally {
      if (agent.exitCode === null) agent.kill('SIGKILL');
      machine.remove();
      rmSync(agentState, { recursive: true, force: true });
    }
  });

  it('never lets a planted secret reach the server', () => {
    const db = new Database(path.join(data, 'mcp-warden.sqlite'), { readonly: true });
    const tables = ['devices', 'device_servers', 'device_probes', 'reports', 'events'];
    const everything = tables.map((table) => JSON.stringify(db.prepare(`SELECT * FROM ${table}`).all())).join('\n');
    db.close();
    expect(everything).toContain('server-github');
    expect(expectNoPlantedSecret(everything)).toEqual([]);
    expect(PLANTED_SECRETS.length).toBeGreaterThan(15);
    // The device token lives in the state folder, readable by its user only.
    expect(readFileSync(path.join(state, 'device.json'), 'utf8')).toContain('token');
    expect(statSync(path.join(state, 'device.json')).mode & 0o777).toBe(0o600);
  });
});
