// Guard overhead: tools/call latency through `mcp-warden guard` against the same server called directly
// (median and p99 of sequential calls), messages per second through the guard with calls in flight, and the
// same latency through the loopback HTTP guard against server-everything over streamable HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { spawn } from 'node:child_process';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'dist/agent/cli.js');
const EVERYTHING = path.join(REPO, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const CALLS = 2000;

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const us = (ms) => `${Math.round(ms * 1000)} µs`;

/**
 * Calls through two clients in turns (a, b, a, b, …), so the machine's drift in load (this box is shared and
 * noisy) falls on both alike; returns each one's times.
 */
async function timeInTurns(first, second, calls) {
  for (let i = 0; i < 200; i++) {
    await first.callTool({ name: 'get-sum', arguments: { a: i, b: 1 } });
    await second.callTool({ name: 'get-sum', arguments: { a: i, b: 1 } });
  }
  const times = [[], []];
  for (let i = 0; i < calls; i++) {
    for (const [index, client] of [first, second].entries()) {
      const start = performance.now();
      await client.callTool({ name: 'get-sum', arguments: { a: i, b: 1 } });
      times[index].push(performance.now() - start);
    }
  }
  return times;
}

async function timeCalls(client, calls = CALLS) {
  const times = [];
  for (let i = 0; i < 200; i++) await client.callTool({ name: 'get-sum', arguments: { a: i, b: 1 } }); // warm up
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await client.callTool({ name: 'get-sum', arguments: { a: i, b: 1 } });
    times.push(performance.now() - start);
  }
  return times;
}

/** server-everything over streamable HTTP on a free loopback port. */
async function startEverythingHttp() {
  const { createServer } = await import('node:net');
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  });
  const child = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server-everything did not start')), 15_000);
    child.stderr.on('data', (chunk) => /listening|running/i.test(chunk.toString()) && (clearTimeout(timer), resolve()));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, stop: () => child.kill('SIGKILL') };
}

async function httpRows(stateDir, policy) {
  const { guardUrl } = await import(path.join(REPO, 'dist/agent/platform/guard-invocation.js'));
  const server = await startEverythingHttp();
  const subject = {
    serverId: 'bench-http',
    serverKey: 'npm:@modelcontextprotocol/server-everything',
    serverName: 'everything',
    clients: ['cursor'],
    url: server.url,
  };
  // The guard in a process of its own, as the agent runs it, not sharing the client's event loop.
  const script = `const { startHttpGuard } = await import(${JSON.stringify(path.join(REPO, 'dist/agent/guard/http-guard.js'))});
const guard = await startHttpGuard({ stateDir: ${JSON.stringify(stateDir)}, port: 0, route: async () => (${JSON.stringify({ subject, upstream: server.url })}), policy: () => (${JSON.stringify(policy)}), deviceIps: () => ['127.0.0.1'], warn: () => {} });
console.log(guard.base);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve) => child.stdout.once('data', (chunk) => resolve(chunk.toString().trim())));
  const proxy = { base, close: async () => child.kill('SIGKILL') };
  const direct = new Client({ name: 'bench', version: '1' });
  const guarded = new Client({ name: 'bench', version: '1' });
  try {
    await direct.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    await guarded.connect(new StreamableHTTPClientTransport(new URL(guardUrl(proxy.base, 'bench-http', server.url))));
    const calls = 1000;
    const [directTimes, guardedTimes] = await timeInTurns(direct, guarded, calls);
    return [
      [
        `HTTP, ${calls} calls each, in turns: direct median / p99`,
        `${us(percentile(directTimes, 0.5))} / ${us(percentile(directTimes, 0.99))}`,
      ],
      ['HTTP: through the loopback guard median / p99', `${us(percentile(guardedTimes, 0.5))} / ${us(percentile(guardedTimes, 0.99))}`],
      ['HTTP: added by the guard median', us(percentile(guardedTimes, 0.5) - percentile(directTimes, 0.5))],
    ];
  } finally {
    await guarded.close().catch(() => undefined);
    await direct.close().catch(() => undefined);
    await proxy.close();
    server.stop();
  }
}

export async function runGuardBench() {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-guard-bench-'));
  // A realistic policy: some rules for this server, so every call is evaluated.
  const rules = ['get-env', 'echo', 'trigger-long-running-operation'].map((name, index) => ({
    id: `r${index}`,
    target: { serverKey: 'npm:@modelcontextprotocol/server-everything', capability: { kind: 'tool', name } },
    agents: ['*'],
    verdict: 'block',
    justification: 'bench',
    markedBy: 'bench',
    updatedAt: '2026-11-20T00:00:00Z',
  }));
  const policy = { version: 'bench', defaultVerdict: 'allow', rules };
  writeFileSync(
    path.join(stateDir, 'policy.json'),
    JSON.stringify({ policy, fetchedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }),
  );
  const direct = new Client({ name: 'bench', version: '1' });
  await direct.connect(new StdioClientTransport({ command: process.execPath, args: [EVERYTHING], stderr: 'ignore' }));
  const guarded = new Client({ name: 'bench', version: '1' });
  await guarded.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [
        CLI,
        'guard',
        '--server',
        'bench',
        '--server-key',
        'npm:@modelcontextprotocol/server-everything',
        '--client',
        'cursor',
        '--state-dir',
        stateDir,
        '--',
        process.execPath,
        EVERYTHING,
      ],
      stderr: 'ignore',
    }),
  );
  try {
    const directTimes = await timeCalls(direct);
    const guardedTimes = await timeCalls(guarded);
    // Throughput: 2,000 calls with 32 in flight; each call is two messages through the guard.
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next++ < CALLS) await guarded.callTool({ name: 'get-sum', arguments: { a: next, b: 1 } });
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const directMedian = percentile(directTimes, 0.5);
    const guardedMedian = percentile(guardedTimes, 0.5);
    return {
      title: `Guard: ${CALLS} sequential tools/call through mcp-warden guard vs directly (target: < 1 ms added at the median)`,
      rows: [
        ['direct: median / p99', `${us(directMedian)} / ${us(percentile(directTimes, 0.99))}`],
        ['through the guard: median / p99', `${us(guardedMedian)} / ${us(percentile(guardedTimes, 0.99))}`],
        [
          'added by the guard: median / p99',
          `${us(guardedMedian - directMedian)} / ${us(percentile(guardedTimes, 0.99) - percentile(directTimes, 0.99))}`,
        ],
        ['messages per second through the guard (32 in flight)', `${Math.round((CALLS * 2) / seconds)}`],
        ...(await httpRows(stateDir, policy)),
      ],
    };
  } finally {
    await guarded.close();
    await direct.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
