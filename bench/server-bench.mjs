// Central endpoint throughput: inventory reports ingested per second from 200 simulated devices of 20 servers
// each (the real `mcp-warden server` in its own process, SQLite on disk, gzip bodies, loopback); and the bytes a
// delta report weighs when nothing changed.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { prepareReport, snapshotOf } from '../dist/agent/sync/report-builder.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'dist/agent/cli.js');
const DEVICES = 200;
const SERVERS = 20;
const ROUNDS = 10;

function serverEntry(device, index) {
  const name = `server-${index}`;
  return {
    id: `${String(device).padStart(4, '0')}${String(index).padStart(12, '0')}`,
    serverKey: `npm:@bench/${name}`,
    name,
    client: ['cursor', 'claude-code', 'vscode', 'windsurf'][index % 4],
    scope: 'user',
    configPath: `/Users/user${device}/.cursor/mcp.json`,
    transport: 'stdio',
    command: 'npx',
    args: ['-y', `@bench/${name}@1.${index}.0`, '--root', `/Users/user${device}/work`],
    envKeys: ['API_TOKEN'],
    headerKeys: [],
    disabled: false,
    autoApprove: [],
    inputs: [],
    package: { registry: 'npm', name: `@bench/${name}`, version: `1.${index}.0`, pinned: true },
    accessType: 'public',
    findings: [{ id: 'plaintext-secret', severity: 'high', evidence: 'env API_TOKEN holds a literal credential' }],
  };
}

function inventory(device) {
  return {
    sources: [
      {
        path: `/Users/user${device}/.cursor/mcp.json`,
        client: 'cursor',
        scope: 'user',
        format: 'jsonc',
        status: 'ok',
        serverCount: SERVERS,
      },
    ],
    servers: Array.from({ length: SERVERS }, (_, index) => serverEntry(device, index)),
  };
}

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function runServerBench() {
  const data = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-server-bench-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/srvprof'] : []),
      CLI,
      'server',
      '--port',
      String(port),
      '--data',
      data,
      '--admin-token',
      'bench',
      '--enroll-secret',
      'bench',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => child.stdout.on('data', (chunk) => chunk.toString().includes('listening') && resolve()));
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 32 });
  try {
    const post = async (route, body, token) => {
      const response = await pool.request({
        path: route,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: gzipSync(JSON.stringify(body)),
      });
      const text = await response.body.text();
      if (response.statusCode >= 300) throw new Error(`${route}: ${response.statusCode} ${text}`);
      return JSON.parse(text);
    };
    const devices = [];
    for (let device = 0; device < DEVICES; device++) {
      const enrolled = await post('/v1/enroll', {
        secret: 'bench',
        device: { hostname: `laptop-${device}`, platform: 'darwin', osVersion: '24', user: `user${device}`, agentVersion: '0.1.0' },
      });
      devices.push({ ...enrolled, inventory: inventory(device) });
    }
    // Bodies are prepared (and gzipped) beforehand: this measures the server, not the load generator.
    const requests = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const device of devices) {
        // Each round one server of each device changes (a new version), as configs drift in real fleets.
        const servers = device.inventory.servers.map((server, index) =>
          index === round % SERVERS
            ? { ...server, args: [...server.args.slice(0, 1), `${server.args[1]}-r${round}`, ...server.args.slice(2)] }
            : server,
        );
        const report = {
          reportId: randomUUID(),
          revision: round,
          generatedAt: new Date().toISOString(),
          kind: 'full',
          inventory: { ...device.inventory, servers },
        };
        requests.push({ route: `/v1/devices/${device.deviceId}/inventory`, body: gzipSync(JSON.stringify(report)), token: device.token });
      }
    }
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < requests.length) {
          const request = requests[next++];
          const response = await pool.request({
            path: request.route,
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${request.token}` },
            body: request.body,
          });
          await response.body.text();
          if (response.statusCode !== 200) throw new Error(`report: ${response.statusCode}`);
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;

    // A delta when nothing changed, as the agent would build it.
    const sample = devices[0];
    const state = { nextRevision: 7, acknowledged: { revision: 6, target: 't', snapshot: snapshotOf(sample.inventory) } };
    const pending = {
      reportId: randomUUID(),
      revision: 7,
      createdAt: new Date().toISOString(),
      inventory: sample.inventory,
      deviceIps: ['192.168.1.20'],
    };
    const delta = JSON.stringify(prepareReport(pending, state, 't'));
    const full = JSON.stringify(prepareReport(pending, { nextRevision: 7 }, 't'));
    return {
      title: `Central endpoint: ${DEVICES} devices × ${SERVERS} servers, ${requests.length} full reports (target: ≥ 1,000 reports/s)`,
      rows: [
        ['reports ingested per second', `${Math.round(requests.length / seconds)}`],
        ['full report of 20 servers (JSON / gzip)', `${full.length} / ${gzipSync(full).length} bytes`],
        ['delta report, nothing changed (JSON / gzip)', `${delta.length} / ${gzipSync(delta).length} bytes`],
      ],
    };
  } finally {
    await pool.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(data, { recursive: true, force: true });
  }
}
