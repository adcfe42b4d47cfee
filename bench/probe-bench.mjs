// Probing speed: 10 real stdio servers from npm (distinct launches of server-everything, -filesystem and
// -memory), probed concurrently; against the slowest single probe, and against `mcporter list --json` on the
// same config file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { scan } from '../dist/agent/discovery/scan.js';
import { probeAll } from '../dist/agent/probe/probe-all.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'dist/agent/cli.js');
const MCPORTER = path.join(REPO, 'node_modules/mcporter/dist/cli.js');
const server = (name) => path.join(REPO, `node_modules/@modelcontextprotocol/server-${name}/dist/index.js`);

function tenServers(home) {
  const servers = {};
  for (let i = 0; i < 4; i++)
    servers[`everything-${i}`] = { command: process.execPath, args: [server('everything')], env: { BENCH_ID: String(i) } };
  for (let i = 0; i < 3; i++) {
    mkdirSync(path.join(home, `root-${i}`), { recursive: true });
    servers[`filesystem-${i}`] = { command: process.execPath, args: [server('filesystem'), path.join(home, `root-${i}`)] };
  }
  for (let i = 0; i < 3; i++)
    servers[`memory-${i}`] = {
      command: process.execPath,
      args: [server('memory')],
      env: { MEMORY_FILE_PATH: path.join(home, `memory-${i}.jsonl`) },
    };
  return servers;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${Math.round(value)} ms`;

/** The floor: the same servers started and initialised with the plain SDK client, all at once, nothing listed. */
async function startOnly(servers) {
  const start = performance.now();
  await Promise.all(
    Object.values(servers).map(async ({ command, args, env }) => {
      const client = new Client({ name: 'floor', version: '1' });
      await client.connect(new StdioClientTransport({ command, args, env: { ...process.env, ...env }, stderr: 'ignore' }));
      await client.close();
    }),
  );
  return performance.now() - start;
}

/** A pause so that servers still exiting from one phase do not slow the next. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

function timeCommand(file, args, options) {
  const start = performance.now();
  execFileSync(process.execPath, [file, ...args], { stdio: 'ignore', timeout: 120_000, ...options });
  return performance.now() - start;
}

export async function runProbeBench() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-probe-bench-'));
  const empty = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-empty-home-'));
  try {
    const config = path.join(home, '.cursor', 'mcp.json');
    const servers = tenServers(home);
    mkdirSync(path.dirname(config), { recursive: true });
    writeFileSync(config, JSON.stringify({ mcpServers: servers }, null, 2));
    const world = { platform: 'linux', home, root: '/', env: {} };
    const outcome = await scan({ world, clients: ['cursor'] });

    const inProcess = async (concurrency) => {
      const start = performance.now();
      const probes = await probeAll(outcome, { mode: 'all', env: process.env, home, concurrency });
      const wall = performance.now() - start;
      const results = Object.values(probes);
      if (results.some((probe) => probe.status !== 'ok'))
        throw new Error(`a probe failed: ${JSON.stringify(results.map((probe) => probe.reason))}`);
      return { wall, slowest: Math.max(...results.map((probe) => probe.durationMs)) };
    };
    await inProcess(4); // warm the file cache
    const runs4 = [await inProcess(4), await inProcess(4), await inProcess(4)];
    const runs10 = [await inProcess(10), await inProcess(10), await inProcess(10)];
    await settle();

    const wardenArgs = [
      'scan',
      '--probe',
      // The fake home is a replay by its path; its servers are this bench's own, started on purpose.
      '--probe-replay',
      '--json',
      '--no-cache',
      '--client',
      'cursor',
      '--home',
      home,
      '--platform',
      'linux',
      '--state-dir',
      path.join(home, '.state'),
    ];
    const warden = median([0, 1, 2].map(() => timeCommand(CLI, wardenArgs, {})));
    const cachedArgs = wardenArgs.filter((arg) => arg !== '--no-cache');
    timeCommand(CLI, cachedArgs, {});
    const wardenCached = median([0, 1, 2].map(() => timeCommand(CLI, cachedArgs, {})));
    // mcporter reads the same file; an empty HOME and folder keep it from importing other configs.
    const mcporter = median(
      [0, 1, 2].map(() =>
        timeCommand(MCPORTER, ['--config', config, 'list', '--json'], { cwd: empty, env: { ...process.env, HOME: empty } }),
      ),
    );
    await settle();
    // Last: the plain SDK's close() does not wait for its servers to exit, which would load the runs after it.
    const floor = median([await startOnly(servers), await startOnly(servers), await startOnly(servers)]);

    return {
      title: `Probing 10 real stdio servers on ${os.cpus().length} cores (target: MCP Warden ≤ 0.5 × mcporter)`,
      rows: [
        ['concurrency 4: wall time, median of 3', ms(median(runs4.map((run) => run.wall)))],
        ['  slowest single probe in those runs', ms(median(runs4.map((run) => run.slowest)))],
        ['concurrency 10: wall time, median of 3', ms(median(runs10.map((run) => run.wall)))],
        ['  slowest single probe in those runs', ms(median(runs10.map((run) => run.slowest)))],
        ['floor: the 10 servers started by the plain SDK, at once', ms(floor)],
        ['mcp-warden scan --probe --json (whole process)', ms(warden)],
        ['mcporter list --json, same config (whole process)', ms(mcporter)],
        ['ratio MCP Warden / mcporter (both probing afresh)', (warden / mcporter).toFixed(2)],
        ['mcp-warden scan --probe, cache warm (later runs)', ms(wardenCached)],
      ],
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  }
}
