// Guard overhead: tools/call latency through `mcp-warden guard` against the same server called directly
// (median and p99 of sequential calls), messages per second through the guard with calls in flight, and the
// same latency through the loopback HTTP guard against server-everything over streamable HTTP, beside what a
// bare forwarding proxy and a raw TCP relay add on the same path (this machine's floors), and the CPU each used.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
/** Calls each client makes before the timed ones, so that every process on the path runs warm code. */
const WARM_UP = 200;

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const us = (ms) => `${Math.round(ms * 1000)} µs`;

/**
 * Calls through the clients in turns (a, b, c, a, b, c, …), so the machine's drift in load (this box is shared
 * and noisy) falls on all alike; returns each one's times.
 */
async function timeInTurns(clients, calls) {
  for (let i = 0; i < WARM_UP; i++) for (const client of clients) await client.callTool({ name: 'get-sum', arguments: { a: i, b: 1 } });
  const times = clients.map(() => []);
  for (let i = 0; i < calls; i++) {
    for (const [index, client] of clients.entries()) {
      const start = performance.now();
      await client.callTool({ name: 'get-sum', arguments: { a: i, b: 1 } });
      times[index].push(performance.now() - start);
    }
  }
  return times;
}

// The floor: a proxy that only forwards, in a process of its own as the guard is, built as leanly as Node and the
// guard's own libraries allow (undici's dispatcher, the answer's bytes written back as they come, its end in the
// same packet as its last bytes). What it adds is what any Node HTTP hop costs on this machine; what the guard
// adds beyond it is the guard's own work.
const BARE_PROXY = `import http from 'node:http';
import { getGlobalDispatcher } from 'undici';
const upstream = new URL(process.argv[1]);
const hop = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);
const kept = (headers) => Object.fromEntries(Object.entries(headers).filter(([name]) => !hop.has(name)));
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = req.method === 'POST' ? Buffer.concat(chunks) : null;
    let held = false;
    getGlobalDispatcher().dispatch(
      { origin: upstream.origin, path: upstream.pathname, method: req.method, headers: kept(req.headers), body, headersTimeout: 0, bodyTimeout: 0 },
      {
        onRequestStart: () => undefined,
        onResponseStart: (controller, status, headers) => res.writeHead(status, kept(headers)),
        onResponseData: (controller, chunk) => {
          if (!held) {
            held = true;
            res.cork();
            setImmediate(() => ((held = false), res.writableEnded || res.uncork()));
          }
          if (!res.write(chunk)) (controller.pause(), res.once('drain', () => controller.resume()));
        },
        onResponseEnd: () => res.end(),
        onResponseError: (controller, error) => res.destroy(error),
      },
    );
  });
});
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port + '/mcp'));`;

// Below that floor: a relay of raw bytes, no HTTP at all, in a process of its own. What it adds is the cost of
// one more process on the path (two more loopback hops and their wake-ups), which no proxy can avoid.
const TCP_RELAY = `import net from 'node:net';
const upstream = new URL(process.argv[1]);
const relay = net.createServer((client) => {
  const server = net.connect(Number(upstream.port), upstream.hostname);
  client.setNoDelay(true);
  server.setNoDelay(true);
  client.pipe(server).on('error', () => client.destroy());
  server.pipe(client).on('error', () => server.destroy());
});
relay.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + relay.address().port + upstream.pathname));`;

/** CPU milliseconds a process has used so far, all its threads (Linux's /proc; undefined elsewhere). */
function cpuMs(pid) {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
}

/** A child process that prints the URL it serves on its first line. */
async function startPrinting(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO });
  const url = await new Promise((resolve) => child.stdout.once('data', (chunk) => resolve(chunk.toString().trim())));
  return { url, cpuMs: () => cpuMs(child.pid), close: async () => child.kill('SIGKILL') };
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
  const proxy = await startPrinting(['--input-type=module', '-e', script]);
  const bare = await startPrinting(['--input-type=module', '-e', BARE_PROXY, server.url]);
  const tcp = await startPrinting(['--input-type=module', '-e', TCP_RELAY, server.url]);
  const direct = new Client({ name: 'bench', version: '1' });
  const guarded = new Client({ name: 'bench', version: '1' });
  const forwarded = new Client({ name: 'bench', version: '1' });
  const relayed = new Client({ name: 'bench', version: '1' });
  try {
    await direct.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    await guarded.connect(new StreamableHTTPClientTransport(new URL(guardUrl(proxy.url, 'bench-http', server.url))));
    await forwarded.connect(new StreamableHTTPClientTransport(new URL(bare.url)));
    await relayed.connect(new StreamableHTTPClientTransport(new URL(tcp.url)));
    const calls = 1000;
    const before = [proxy, bare].map((child) => child.cpuMs());
    const [directTimes, guardedTimes, forwardedTimes, relayedTimes] = await timeInTurns([direct, guarded, forwarded, relayed], calls);
    // Each of them served its calls (warm-up included) in the same stretch: its CPU per call is its own.
    const cpuPerCall = [proxy, bare].map((child, index) =>
      before[index] === undefined ? 'n/a' : us((child.cpuMs() - before[index]) / (calls + WARM_UP)),
    );
    const median = (times) => percentile(times, 0.5);
    return [
      [`HTTP, ${calls} calls each, in turns: direct median / p99`, `${us(median(directTimes))} / ${us(percentile(directTimes, 0.99))}`],
      ['HTTP: through the loopback guard median / p99', `${us(median(guardedTimes))} / ${us(percentile(guardedTimes, 0.99))}`],
      ['HTTP: added by the guard median', us(median(guardedTimes) - median(directTimes))],
      ['HTTP: added by a bare forwarding proxy median', us(median(forwardedTimes) - median(directTimes))],
      ['HTTP: added by a raw TCP relay median', us(median(relayedTimes) - median(directTimes))],
      ['HTTP: CPU per call, the guard / the bare proxy', `${cpuPerCall[0]} / ${cpuPerCall[1]}`],
    ];
  } finally {
    for (const client of [relayed, forwarded, guarded, direct]) await client.close().catch(() => undefined);
    await tcp.close();
    await bare.close();
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
    const [directTimes] = await timeInTurns([direct], CALLS);
    const [guardedTimes] = await timeInTurns([guarded], CALLS);
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
