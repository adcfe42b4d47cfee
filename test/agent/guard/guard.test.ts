// A real MCP client (the SDK's) speaking to @modelcontextprotocol/server-everything through `mcp-warden guard`:
// blocked tools vanish, calling one returns the reason, allowed calls pass through unchanged, an expired
// conditional blocks, the policy changes without a restart, and every call leaves a chained audit entry that
// reaches the reference server.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy, Rule } from '../../../src/shared/policy.js';
import { verifyAuditFile } from '../../../src/agent/guard/audit-log.js';
import { DEFAULT_SETTINGS } from '../../../src/agent/settings/agent-settings.js';
import { SyncEngine } from '../../../src/agent/sync/sync-engine.js';
import { buildServer } from '../../../src/server/app.js';
import { memoryStorage } from '../../../src/server/storage/open-storage.js';
import type { Storage } from '../../../src/server/storage/storage.js';
import { allEvents } from '../../helpers/storage-reads.js';
import { CLI } from '../../helpers/machines.js';
import { EVERYTHING, NODE, SERVERS } from '../../helpers/probe-home.js';

const KEY = 'npm:@modelcontextprotocol/server-everything';
let stateDir: string;
let guarded: Client;
let direct: Client;
let storage: Storage;
let central: FastifyInstance;
let url: string;

function rule(fields: Partial<Rule> & Pick<Rule, 'verdict'>, tool?: string): Rule {
  return {
    id: `r-${tool ?? 'server'}-${fields.verdict}`,
    target: { serverKey: KEY, ...(tool ? { capability: { kind: 'tool' as const, name: tool } } : {}) },
    agents: ['cursor'],
    justification: `decided for ${tool ?? 'the server'}`,
    markedBy: 'security@example.com',
    updatedAt: '2026-11-20T09:00:00Z',
    ...fields,
  };
}

function writePolicy(rules: Rule[]): void {
  const policy: Policy = { version: `v${Date.now()}`, defaultVerdict: 'allow', rules };
  writeFileSync(
    path.join(stateDir, 'policy.json.tmp'),
    JSON.stringify({ policy, fetchedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }),
  );
  // As the agent writes it: atomically.
  renameSync(path.join(stateDir, 'policy.json.tmp'), path.join(stateDir, 'policy.json'));
}

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-guard-'));
  storage = await memoryStorage();
  central = await buildServer({ storage, enrollSecret: 'secret', adminToken: 'admin', adminName: 'security@example.com' });
  url = await central.listen({ port: 0, host: '127.0.0.1' });
  writePolicy([
    rule({ verdict: 'block' }, 'get-env'),
    rule({ verdict: 'conditional', conditions: { expiresAt: '2026-01-01T00:00:00Z' } }, 'echo'),
  ]);

  guarded = new Client({ name: 'cursor', version: '1' });
  await guarded.connect(
    new StdioClientTransport({
      command: NODE,
      args: [
        CLI,
        'guard',
        '--server',
        'srv-everything',
        '--server-key',
        KEY,
        '--client',
        'cursor',
        '--name',
        'everything',
        '--state-dir',
        stateDir,
        '--',
        NODE,
        EVERYTHING,
      ],
      stderr: 'ignore',
    }),
  );
  direct = new Client({ name: 'direct', version: '1' });
  await direct.connect(new StdioClientTransport({ command: NODE, args: [EVERYTHING], stderr: 'ignore' }));
}, 30_000);

afterAll(async () => {
  await guarded?.close();
  await direct?.close();
  await central?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const toolNames = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();

describe('mcp-warden guard', () => {
  it('hides blocked and expired tools from tools/list, and nothing else', async () => {
    const all = await toolNames(direct);
    expect(all).toContain('get-env');
    expect(await toolNames(guarded)).toEqual(all.filter((name) => name !== 'get-env' && name !== 'echo'));
  });

  it('answers a call to a blocked tool with the reason, without passing it on', async () => {
    await expect(guarded.callTool({ name: 'get-env', arguments: {} })).rejects.toThrow(
      'Blocked by your organisation: tool get-env blocked for cursor by security@example.com: decided for get-env',
    );
    await expect(guarded.callTool({ name: 'echo', arguments: { message: 'hi' } })).rejects.toThrow(
      /conditional approval by security@example\.com expired on 2026-01-01T00:00:00Z/,
    );
  });

  it('passes allowed calls through unchanged', async () => {
    const args = { name: 'get-sum', arguments: { a: 2, b: 40 } };
    expect(await guarded.callTool(args)).toEqual(await direct.callTool(args));
  });

  it('picks up a new policy without a restart', async () => {
    writePolicy([rule({ verdict: 'block' }, 'get-sum')]);
    const started = Date.now();
    while ((await toolNames(guarded)).includes('get-sum') && Date.now() - started < 5000)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await toolNames(guarded)).not.toContain('get-sum');
    expect(await toolNames(guarded)).toContain('get-env');
    await expect(guarded.callTool({ name: 'get-sum', arguments: { a: 1, b: 1 } })).rejects.toThrow(/blocked for cursor/);
  });

  it('writes a hash-chained audit entry per call, without the arguments, and shows tampering', () => {
    const folder = path.join(stateDir, 'audit');
    const [file] = readdirSync(folder).map((name) => path.join(folder, name));
    const entries = readFileSync(file!, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries.map((entry) => `${entry.capability.name} ${entry.decision} ${entry.outcome}`)).toEqual([
      'get-env deny denied',
      'echo deny denied',
      'get-sum allow ok',
      'get-sum deny denied',
    ]);
    expect(entries[2]).toMatchObject({
      agent: 'cursor',
      serverKey: KEY,
      serverName: 'everything',
      argumentsDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      user: expect.any(String),
    });
    expect(JSON.stringify(entries)).not.toContain('"a":2');
    expect(verifyAuditFile(file!)).toEqual({ ok: true, entries: 4, lastHash: entries[3].hash });
    const tampered = readFileSync(file!, 'utf8').replace('"decision":"deny"', '"decision":"allow"');
    writeFileSync(`${file}.tampered`, tampered);
    expect(verifyAuditFile(`${file}.tampered`)).toEqual({ ok: false, line: 1, problem: 'its content does not match its hash (edited)' });
  });

  it('checks every chain with `mcp-warden audit`, and names the first broken line', () => {
    const intact = spawnSync(NODE, [CLI, 'audit', '--state-dir', stateDir], { encoding: 'utf8', timeout: 20_000 });
    expect(intact.status).toBe(0);
    expect(intact.stdout).toBe('1 audit chain(s), 4 entries intact\n');
    const copy = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-audit-copy-'));
    try {
      cpSync(path.join(stateDir, 'audit'), path.join(copy, 'audit'), { recursive: true });
      const [name] = readdirSync(path.join(copy, 'audit')).filter((file) => file.endsWith('.jsonl'));
      const file = path.join(copy, 'audit', name!);
      // Removing the second entry breaks the chain at the one that followed it.
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      writeFileSync(file, `${[lines[0], ...lines.slice(2)].join('\n')}\n`);
      const broken = spawnSync(NODE, [CLI, 'audit', '--state-dir', copy], { encoding: 'utf8', timeout: 20_000 });
      expect(broken.status).toBe(1);
      expect(broken.stdout).toContain(`BROKEN ${file}:2: does not follow the entry before it (removed, reordered or inserted)`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('sends the audit entries to the central endpoint, where they can be searched', async () => {
    const engine = new SyncEngine({ stateDir, settings: { ...DEFAULT_SETTINGS, serverUrl: url, enrollSecret: 'secret' } });
    const flushed = await engine.flush();
    await engine.close();
    expect(flushed.events).toBe(4);
    const calls = await allEvents(storage, { type: 'tool-call' });
    expect(calls.map((event) => `${event.capability?.name} ${event.decision?.status}`)).toEqual([
      'get-env rejected',
      'echo rejected',
      'get-sum approved',
      'get-sum rejected',
    ]);
    expect(await allEvents(storage, { type: 'tool-call', capability: 'tool:get-sum', decision: 'rejected' })).toHaveLength(1);
    // Each call carries its link of the guard's hash chain, and the endpoint found the chain whole.
    expect(calls.map((event) => (event.data as { sequence: number }).sequence)).toEqual([1, 2, 3, 4]);
    expect(await allEvents(storage, { type: 'audit-chain-broken' })).toEqual([]);
  });

  it('skips a banner line a server writes with its answer, says so, and serves the client on', async () => {
    const client = new Client({ name: 'cursor', version: '1' });
    const transport = new StdioClientTransport({
      command: NODE,
      args: [
        CLI,
        'guard',
        '--server',
        'srv-banner',
        '--server-key',
        'npm:banner',
        '--client',
        'cursor',
        '--name',
        'banner',
        '--state-dir',
        stateDir,
        '--',
        NODE,
        path.join(SERVERS, 'banner.mjs'),
      ],
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await client.connect(transport);
      expect(client.getServerVersion()?.name).toBe('banner');
      expect(await toolNames(client)).toEqual(['greet']);
      expect(stderr).toContain('mcp-warden guard: dropped a line from the server that is not JSON-RPC');
    } finally {
      await client.close();
    }
  });
});
