// Probing the real reference servers from npm, over every transport: what they expose, counted exactly.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanResult } from '../../../src/shared/inventory.js';
import { probeAll } from '../../../src/agent/probe/probe-all.js';
import { CLI } from '../../helpers/machines.js';
import { EVERYTHING, FILESYSTEM, MEMORY, NODE, type ProbeHome, probeHome, startEverythingHttp } from '../../helpers/probe-home.js';

const names = (list: { name: string }[]) => list.map((item) => item.name).sort();

describe('stdio servers from npm', () => {
  let home: ProbeHome;
  beforeAll(() => {
    home = probeHome({
      everything: { command: NODE, args: [EVERYTHING] },
      filesystem: { command: NODE, args: [FILESYSTEM, '${userHome}'] },
      memory: { command: NODE, args: [MEMORY], env: { MEMORY_FILE_PATH: '${userHome}/memory.jsonl' } },
    });
  });
  afterAll(() => home.remove());

  it('lists what each exposes, with server info, protocol and capabilities', async () => {
    const probes = await probeAll(await home.scan(), { mode: 'all', env: process.env, home: home.home });
    const byName = (name: string) =>
      Object.values(probes).find(
        (probe) =>
          probe.serverInfo &&
          probe.tools.length &&
          (name === 'everything' ? probe.prompts.length : true) &&
          probe.serverInfo.name.includes(name),
      );

    const everything = byName('everything')!;
    expect(everything).toMatchObject({
      status: 'ok',
      transport: 'stdio',
      serverInfo: { name: 'mcp-servers/everything', version: '2.0.0' },
      protocolVersion: '2025-11-25',
    });
    expect([everything.tools.length, everything.resources.length, everything.resourceTemplates.length, everything.prompts.length]).toEqual([
      13, 7, 2, 4,
    ]);
    expect(names(everything.tools)).toContain('get-sum');
    expect(everything.capabilities).toHaveProperty('tools');

    const filesystem = byName('secure-filesystem')!;
    expect(filesystem.tools).toHaveLength(14);
    expect(names(filesystem.tools)).toEqual(
      expect.arrayContaining(['read_text_file', 'write_file', 'move_file', 'list_allowed_directories']),
    );
    expect([filesystem.resources.length, filesystem.prompts.length]).toEqual([0, 0]);

    const memory = byName('memory')!;
    expect([memory.tools.length, memory.resources.length, memory.prompts.length]).toEqual([9, 1, 0]);
  });

  it('hashes each capability over its canonical declaration and fingerprints the server', async () => {
    const first = await probeAll(await home.scan(), { mode: 'all', env: process.env, home: home.home });
    const second = await probeAll(await home.scan(), { mode: 'all', env: process.env, home: home.home });
    for (const [id, probe] of Object.entries(first)) {
      expect(probe.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(second[id]!.fingerprint).toBe(probe.fingerprint);
      expect(probe.tools.every((tool) => /^[0-9a-f]{64}$/.test(tool.hash))).toBe(true);
    }
  });

  it('sees the filesystem server’s write and delete tools as privileged', async () => {
    const probes = await probeAll(await home.scan(), { mode: 'all', env: process.env, home: home.home });
    const filesystem = Object.values(probes).find((probe) => probe.serverInfo?.name === 'secure-filesystem-server')!;
    const risky = filesystem.tools
      .filter((tool) => tool.risks.some((risk) => risk.id === 'privileged-access' && risk.severity === 'high'))
      .map((tool) => tool.name);
    expect(risky).toEqual(expect.arrayContaining(['write_file', 'edit_file', 'create_directory', 'move_file']));
    expect(risky).not.toContain('read_text_file');
  });

  it('shows probes in `mcp-warden scan --probe --json`, keyed by server id', () => {
    const run = spawnSync(
      NODE,
      [
        CLI,
        'scan',
        '--probe',
        '--probe-replay',
        '--json',
        '--home',
        home.home,
        '--platform',
        'linux',
        '--client',
        'cursor',
        '--state-dir',
        home.stateDir,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const result = ScanResult.parse(JSON.parse(run.stdout));
    expect(Object.keys(result.probes!).sort()).toEqual(result.servers.map((server) => server.id).sort());
    expect(Object.values(result.probes!).map((probe) => probe.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('shows status, counts and the highest risks in the table', () => {
    const run = spawnSync(
      NODE,
      [
        CLI,
        'scan',
        '--probe',
        '--probe-replay',
        '--home',
        home.home,
        '--platform',
        'linux',
        '--client',
        'cursor',
        '--state-dir',
        home.stateDir,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stdout).toMatch(/everything +stdio +user .* ok: 13 tools, 9 resources, 4 prompts/);
    expect(run.stdout).toMatch(/filesystem +stdio +user .* ok: 14 tools, 0 resources, 0 prompts +high privileged-access/);
  });
});

describe('remote servers on loopback', () => {
  it('speaks streamable HTTP to server-everything', async () => {
    const server = await startEverythingHttp('streamableHttp');
    const home = probeHome({ remote: { type: 'http', url: server.url } });
    try {
      const probes = await probeAll(await home.scan(), { mode: 'all', env: process.env, home: home.home });
      const probe = Object.values(probes)[0]!;
      expect(probe).toMatchObject({ status: 'ok', transport: 'http', serverInfo: { name: 'mcp-servers/everything' } });
      expect([probe.tools.length, probe.prompts.length]).toEqual([13, 4]);
    } finally {
      home.remove();
      await server.stop();
    }
  });

  it('speaks SSE to server-everything, both when the config says sse and when it falls back from HTTP', async () => {
    const server = await startEverythingHttp('sse');
    const home = probeHome({ declared: { type: 'sse', url: server.url }, undeclared: { type: 'http', url: server.url } });
    try {
      const { result, ...rest } = await home.scan();
      const probes = await probeAll({ result, ...rest }, { mode: 'all', env: process.env, home: home.home });
      for (const server of result.servers) {
        expect(probes[server.id], server.name).toMatchObject({ status: 'ok', transport: 'sse' });
        expect(probes[server.id]!.tools).toHaveLength(13);
      }
    } finally {
      home.remove();
      await server.stop();
    }
  });
});
