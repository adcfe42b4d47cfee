// `mcp-warden enforce`, `restore`, and the agent in enforce mode, as commands on a copied machine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, copyMachine, machineFlags } from '../../helpers/machines.js';

let machine: ReturnType<typeof copyMachine> | undefined;
afterEach(() => machine?.remove());

const run = (env: NodeJS.ProcessEnv, ...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, MCP_WARDEN_PROBE: 'off', ...env },
    timeout: 30_000,
  });

describe('enforce and restore from the command line', () => {
  it('says what it would wrap, wraps it, and restores every byte', () => {
    machine = copyMachine('linux');
    const state = path.join(machine.root, '.state');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    const before = readFileSync(file, 'utf8');
    const flags = [...machineFlags('linux', machine.root), '--state-dir', state];

    const dry = run({}, 'enforce', '--dry-run', ...flags);
    expect(dry.stdout).toMatch(/^Would wrap \d+ server\(s\) with the guard\n {2}Claude Desktop: filesystem/);
    expect(readFileSync(file, 'utf8')).toBe(before);

    const done = run({}, 'enforce', ...flags);
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toContain('Cursor: cursor-linux');
    expect(done.stdout).toMatch(/Not wrapped \(\d+\)\n[\s\S]*Claude Code: app-api: remote servers are wrapped only by a running agent/);
    expect(readFileSync(file, 'utf8')).toContain('"guard"');
    expect(readdirSync(path.join(state, 'enforce', 'backups')).length).toBeGreaterThan(0);

    // The inventory still knows each server for what it is.
    const scanned = JSON.parse(run({}, 'scan', '--json', '--client', 'cursor', ...machineFlags('linux', machine.root)).stdout);
    expect(scanned.servers.find((server: { name: string }) => server.name === 'cursor-linux').serverKey).toBe(
      'npm:@modelcontextprotocol/server-memory',
    );

    const restored = run({}, 'restore', '--state-dir', state);
    expect(restored.stdout).toMatch(/^Restored \d+ server entries\n$/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('lets the agent follow the mode: wrap in enforce, restore in monitor', () => {
    machine = copyMachine('linux');
    const state = path.join(machine.root, '.state');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    const before = readFileSync(file, 'utf8');
    const flags = [...machineFlags('linux', machine.root), '--state-dir', state];
    const enforcing = run({ MCP_WARDEN_MODE: 'enforce' }, 'agent', '--once', ...flags);
    expect(enforcing.stdout).toMatch(/enforce: wrapped \d+ server\(s\) with the guard/);
    expect(readFileSync(file, 'utf8')).toContain('"guard"');
    const monitoring = run({ MCP_WARDEN_MODE: 'monitor' }, 'agent', '--once', ...flags);
    expect(monitoring.stdout).toMatch(/monitor: restored \d+ server\(s\)/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('takes a server the organisation blocks out of its config in enforce mode, keeps showing it, and puts it back', () => {
    machine = copyMachine('linux');
    const state = path.join(machine.root, '.state');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    const before = readFileSync(file, 'utf8');
    const flags = [...machineFlags('linux', machine.root), '--state-dir', state];
    // The policy the agent last received: the memory server is blocked for Cursor.
    mkdirSync(state, { recursive: true });
    const rule = {
      id: 'r1',
      target: { serverKey: 'npm:@modelcontextprotocol/server-memory' },
      agents: ['cursor'],
      verdict: 'block',
      justification: 'stores chat history unencrypted',
      markedBy: 'sec@example.com',
      updatedAt: '2026-11-01T00:00:00Z',
    };
    writeFileSync(
      path.join(state, 'policy.json'),
      JSON.stringify({
        policy: { version: 'p1', defaultVerdict: 'allow', rules: [rule] },
        fetchedAt: '2026-11-01T00:00:00Z',
        checkedAt: '2026-11-01T00:00:00Z',
      }),
    );

    const enforcing = run({ MCP_WARDEN_MODE: 'enforce' }, 'agent', '--once', ...flags);
    expect(enforcing.stdout).toContain('enforce: took out 1 server(s) the organisation blocks (quarantined)');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ mcpServers: {} });
    const status = run({}, 'status', ...flags);
    expect(status.stdout).toMatch(/cursor-linux\s+Blocked\s+.*stores chat history unencrypted.*\(taken out of its config until approved\)/);

    // Back to monitor: the entry returns exactly as it was written.
    const monitoring = run({ MCP_WARDEN_MODE: 'monitor' }, 'agent', '--once', ...flags);
    expect(monitoring.stdout).toContain('monitor: put back 1 server(s) from quarantine');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});
