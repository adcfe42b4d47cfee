// The central endpoint at fleet size, for both backends: simulated laptops (20 servers each: 8 every laptop
// has, 12 from a long tail of distinct servers) enroll and report through the real HTTP API of real
// `mcp-warden server` processes, then the admin lists are timed at that size, with an event log of millions of
// rows (seeded in SQL: the event ingest rate is measured through HTTP on a sample). The load generator runs on
// the same machine as the server and the database. BENCH_FLEET_LAPTOPS (default 100,000) and
// BENCH_FLEET_EVENTS (default 10,000,000) size it; `npm run bench -- fleet sqlite` or `… fleet postgres` runs one.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { Pool } from 'undici';
import { startThrowawayPostgres } from '../scripts/throwaway-postgres.mjs';
import { timeConsoleViews } from './console-views.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'dist/agent/cli.js');
const LAPTOPS = Number(process.env.BENCH_FLEET_LAPTOPS ?? 100_000);
const EVENTS = Number(process.env.BENCH_FLEET_EVENTS ?? 10_000_000);
const SAMPLE_EVENTS = 100_000;
const CONCURRENCY = 64;
const COMMON = 8;
const TAIL = 12;
const TAIL_SIZE = Math.max(1000, Math.round(LAPTOPS / 5));
const CLIENTS = ['cursor', 'claude-code', 'vscode', 'windsurf', 'claude-desktop', 'gemini-cli'];
const ADMIN = { authorization: 'Bearer bench-admin' };

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function server(device, slot) {
  const tail = slot >= COMMON;
  // Tail servers are spread over TAIL_SIZE names, more often the first ones (a long tail).
  const index = tail ? Math.floor(TAIL_SIZE * (((device * 7919 + slot * 104729) % 1_000_003) / 1_000_003) ** 2) : slot;
  const name = tail ? `tail-${index}` : `common-${slot}`;
  const client = CLIENTS[(device + slot) % CLIENTS.length];
  return {
    id: `${String(device).padStart(8, '0')}${String(slot).padStart(8, '0')}`,
    serverKey: `npm:@bench/${name}`,
    name,
    client,
    scope: 'user',
    configPath: `/Users/user${device}/.cursor/mcp.json`,
    transport: 'stdio',
    command: 'npx',
    args: ['-y', `@bench/${name}@1.0.0`],
    envKeys: slot % 3 ? [] : ['API_TOKEN'],
    headerKeys: [],
    disabled: false,
    autoApprove: [],
    inputs: [],
    package: { registry: 'npm', name: `@bench/${name}`, version: '1.0.0', pinned: true },
    // What a server reaches follows from what it runs, the same on every laptop; findings come from each laptop's own config.
    accessType: (tail ? index : slot) % 2 ? 'local' : 'public',
    findings: slot % 3 ? [] : [{ id: 'plaintext-secret', severity: 'high', evidence: 'env API_TOKEN holds a literal credential' }],
  };
}

const inventory = (device) => ({
  sources: [
    { path: `/Users/user${device}/.cursor/mcp.json`, client: 'cursor', scope: 'user', format: 'jsonc', status: 'ok', serverCount: 20 },
  ],
  servers: Array.from({ length: COMMON + TAIL }, (_, slot) => server(device, slot)),
});

const gzip = (value) => gzipSync(JSON.stringify(value), { level: 1 });

function startServer(args, label) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        CLI,
        'server',
        ...args,
        '--admin-token',
        'bench-admin',
        '--enroll-secret',
        'bench',
        '--enroll-rate',
        '1000000',
        '--registry-namespace',
        'com.bench',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('listening')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${label} exited ${code}: ${output}`)));
  });
}

/** Peak resident memory of a process, from Linux's /proc (VmHWM). */
function peakRss(pid) {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

async function post(pool, route, body, token, gzipped = true) {
  for (;;) {
    const response = await pool.request({
      path: route,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body,
    });
    const text = await response.body.text();
    if (response.statusCode === 503 || response.statusCode === 429) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    if (response.statusCode >= 300) throw new Error(`${route}: ${response.statusCode} ${text}`);
    return JSON.parse(text);
  }
}

/** Runs `work(i)` for i in [0, count) with a fixed number in flight; answers the rate per second. */
async function drive(count, work) {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

async function timed(pool, route, runs = 5) {
  const times = [];
  let body;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const response = await pool.request({ path: route, method: 'GET', headers: ADMIN });
    body = await response.body.text();
    times.push(performance.now() - start);
    if (response.statusCode !== 200) throw new Error(`${route}: ${response.statusCode} ${body}`);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(runs / 2)], body: JSON.parse(body) };
}

/** 10 million events over the last 30 days for the whole fleet, written straight into the database. */
async function seedEvents(backend, location, devices) {
  const start = performance.now();
  const now = Date.now();
  const span = 30 * 86_400_000;
  if (backend === 'sqlite') {
    const db = new Database(location);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const insert = db.prepare(
      `INSERT INTO events (id, device_id, type, at, received_at, client, server_key, decision, user_name, capability, search_text, event, human, agent) VALUES (?, ?, 'tool-call', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const batch = db.transaction((from, to) => {
      for (let index = from; index < to; index++) {
        const device = devices[index % devices.length];
        const at = new Date(now - (index / EVENTS) * span).toISOString();
        const client = CLIENTS[index % CLIENTS.length];
        const decision = index % 7 ? 'approved' : 'rejected';
        const serverKey = `npm:@bench/common-${index % COMMON}`;
        const id = `e${index}`;
        insert.run(
          id,
          device,
          at,
          at,
          client,
          serverKey,
          decision,
          `user${index % devices.length}`,
          'tool:read_file',
          `${serverKey}\ntool:read_file`,
          JSON.stringify({ id, type: 'tool-call', at, client, serverKey, decision: { status: decision, reason: 'bench' } }),
          // The device `laptop-k` enrolled as user `userk` (see the enrollment above).
          `human|user${index % devices.length}@laptop-${index % devices.length}`,
          `agent|${client}@laptop-${index % devices.length}`,
        );
      }
    });
    for (let from = 0; from < EVENTS; from += 50_000) batch(from, Math.min(EVENTS, from + 50_000));
    db.close();
  } else {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    for (let day = 0; day <= 31; day++) {
      const date = new Date(now - day * 86_400_000).toISOString().slice(0, 10);
      const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      await client.query(
        `CREATE TABLE IF NOT EXISTS events_${date.replaceAll('-', '')} PARTITION OF events FOR VALUES FROM ('${date}') TO ('${next}')`,
      );
    }
    const ids = devices.map((id) => `'${id}'`).join(',');
    for (let from = 0; from < EVENTS; from += 1_000_000) {
      const to = Math.min(EVENTS, from + 1_000_000);
      await client.query(`
        WITH devices AS (SELECT array[${ids}]::text[] AS ids)
        INSERT INTO events (id, device_id, type, at, received_at, client, server_key, decision, user_name, capability, search_text, event, human, agent)
        SELECT 'e' || i, ids[1 + i % ${devices.length}], 'tool-call', at, at,
               (array['${CLIENTS.join("','")}'])[1 + i % ${CLIENTS.length}],
               'npm:@bench/common-' || (i % ${COMMON}),
               CASE WHEN i % 7 = 0 THEN 'rejected' ELSE 'approved' END,
               'user' || (i % ${devices.length}), 'tool:read_file', 'npm:@bench/common-' || (i % ${COMMON}) || E'\\ntool:read_file',
               json_build_object('id', 'e' || i, 'type', 'tool-call', 'at', at)::text,
               'human|user' || (i % ${devices.length}) || '@laptop-' || (i % ${devices.length}),
               'agent|' || (array['${CLIENTS.join("','")}'])[1 + i % ${CLIENTS.length}] || '@laptop-' || (i % ${devices.length})
        FROM devices, generate_series(${from}, ${to - 1}) AS i,
             LATERAL (SELECT to_char(to_timestamp((${now} - (i::float8 / ${EVENTS}) * ${span}) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at) t`);
    }
    await client.query('ANALYZE events');
    await client.end();
  }
  return (performance.now() - start) / 1000;
}

/** What migration 0007 does on an upgrade: the events stored before it counted per day, server and person, once. */
async function countForCompliance(backend, location) {
  const start = performance.now();
  const { complianceCountsSchema } = await import('../dist/server/storage/migration-0007-compliance-counts.js');
  const dialect =
    backend === 'sqlite'
      ? new SqliteDialect({ database: new Database(location) })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: location, max: 1 }) });
  const db = new Kysely({ dialect });
  try {
    // As on an upgrade, where the table starts empty (the sampled events through HTTP were counted as they came).
    await db.deleteFrom('compliance_counts').execute();
    await complianceCountsSchema(db, backend);
  } finally {
    await db.destroy();
  }
  return (performance.now() - start) / 1000;
}

async function runBackend(backend) {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-fleet-bench-'));
  const cluster =
    backend === 'postgres'
      ? await startThrowawayPostgres({ durable: true, settings: { shared_buffers: '1GB', max_wal_size: '4GB' } })
      : undefined;
  const location = cluster ? cluster.url : path.join(folder, 'mcp-warden.sqlite');
  const storageArgs = cluster ? ['--database', cluster.url] : ['--data', folder];
  if (cluster) execFileSync(process.execPath, [CLI, 'server', 'migrate', '--database', cluster.url], { stdio: 'ignore' });
  const ports = [await freePort(), await freePort()];
  const children = [await startServer([...storageArgs, '--port', String(ports[0])], `${backend} server`)];
  const pools = [new Pool(`http://127.0.0.1:${ports[0]}`, { connections: CONCURRENCY })];
  const rows = [];
  const say = (label, value) => {
    rows.push([label, value]);
    // The server's peak memory so far, so that a run says which step reached it.
    console.error(`  [${backend}] ${label}: ${value}  (server peak so far ${Math.round(peakRss(children[0].pid) / 1024 / 1024)} MB)`);
  };
  try {
    const devices = new Array(LAPTOPS);
    const enrollRate = await drive(LAPTOPS, async (index) => {
      const body = JSON.stringify({
        secret: 'bench',
        device: { hostname: `laptop-${index}`, platform: 'darwin', osVersion: '24', user: `user${index}`, agentVersion: '0.1.0' },
      });
      devices[index] = await post(pools[0], '/v1/enroll', body, undefined, false);
    });
    say(`enrollments per second (${LAPTOPS.toLocaleString('en')} laptops)`, Math.round(enrollRate));

    const report = (index, revision, kind) =>
      gzip(
        kind === 'full'
          ? { reportId: randomUUID(), revision, generatedAt: new Date().toISOString(), kind, inventory: inventory(index) }
          : {
              reportId: randomUUID(),
              revision,
              generatedAt: new Date().toISOString(),
              kind,
              baseRevision: revision - 1,
              upserted: [],
              removed: [],
            },
      );
    const send = (pool, index, revision, kind) =>
      post(pool, `/v1/devices/${devices[index].deviceId}/inventory`, report(index, revision, kind), devices[index].token);
    say('full reports per second (20 servers each)', Math.round(await drive(LAPTOPS, (index) => send(pools[0], index, 1, 'full'))));
    // The first read of the counts after the burst waits until they hold every report accepted: how far the
    // fold lags behind the reports.
    say('the servers list right after them (the counts caught up)', `${(await timed(pools[0], '/v1/admin/servers', 1)).ms.toFixed(0)} ms`);
    say('unchanged deltas per second', Math.round(await drive(LAPTOPS, (index) => send(pools[0], index, 2, 'delta'))));

    const batch = (index) => ({
      events: Array.from({ length: 100 }, (_, n) => ({
        id: randomUUID(),
        type: 'tool-call',
        at: new Date().toISOString(),
        client: 'cursor',
        serverKey: `npm:@bench/common-${n % COMMON}`,
        capability: { kind: 'tool', name: 'read_file' },
        decision: { status: 'approved', reason: 'bench' },
        user: `user${index}`,
      })),
    });
    const eventRate = await drive(SAMPLE_EVENTS / 100, (index) =>
      post(pools[0], `/v1/devices/${devices[index].deviceId}/events`, gzip(batch(index)), devices[index].token),
    );
    say('events ingested per second (batches of 100)', Math.round(eventRate * 100));

    const seeded = await seedEvents(
      backend,
      location,
      devices.slice(0, 5000).map((device) => device.deviceId),
    );
    say(`seeding ${EVENTS.toLocaleString('en')} events in SQL (not the API)`, `${seeded.toFixed(0)} s`);
    say(
      'counting them for compliance reports, as migration 0007 does on upgrade',
      `${(await countForCompliance(backend, location)).toFixed(0)} s`,
    );
    // The server closed the pool's connections while they idled through the seeding: start fresh ones.
    await pools[0].close();
    pools[0] = new Pool(`http://127.0.0.1:${ports[0]}`, { connections: CONCURRENCY });

    // A few decisions, so that the history and the decision sorts have rows.
    for (const [serverKey, verdict] of [
      ['npm:@bench/common-1', 'block'],
      ['npm:@bench/common-2', 'allow'],
      ['npm:@bench/common-3', 'block'],
    ])
      await pools[0]
        .request({
          path: '/v1/admin/rules',
          method: 'POST',
          headers: { ...ADMIN, 'content-type': 'application/json' },
          body: JSON.stringify({ target: { serverKey }, agents: ['*'], verdict, justification: 'bench' }),
        })
        .then((response) => response.body.text());
    // The allowed common server and a few of the tail published to the registry, timed as admins publish them.
    const publishing = [];
    for (const serverKey of ['npm:@bench/common-2', 'npm:@bench/common-4', 'npm:@bench/common-5']) {
      const start = performance.now();
      const response = await pools[0].request({
        path: '/v1/admin/registry',
        method: 'POST',
        headers: { ...ADMIN, 'content-type': 'application/json' },
        body: JSON.stringify({ serverKey, version: '1.0.0' }),
      });
      const text = await response.body.text();
      if (response.statusCode !== 201) throw new Error(`publishing ${serverKey}: ${response.statusCode} ${text}`);
      publishing.push(performance.now() - start);
    }
    say('publishing a server every laptop runs to the registry', `${Math.max(...publishing).toFixed(1)} ms at most`);
    const lists = [
      ['servers, first page', '/v1/admin/servers'],
      ['servers, filtered (agent, risk, search)', '/v1/admin/servers?agent=cursor&risk=high&q=tail-1'],
      ['servers, by device count', '/v1/admin/servers?sort=-deviceCount'],
      ['servers, by decision (pending)', '/v1/admin/servers?decision=pending'],
      ['servers, sorted by decision (blocked first)', '/v1/admin/servers?sort=-decision'],
      ['servers, sorted by who decided', '/v1/admin/servers?sort=markedBy'],
      ['devices, first page', '/v1/admin/devices'],
      ['devices, filtered (search)', '/v1/admin/devices?q=laptop-999'],
      ['devices, by agent', '/v1/admin/devices?agent=windsurf'],
      ['server detail', `/v1/admin/servers/${encodeURIComponent('npm:@bench/common-0')}`],
      ['server devices, first page', `/v1/admin/servers/${encodeURIComponent('npm:@bench/common-0')}/devices`],
      ['events, first page', '/v1/admin/events'],
      [
        'audit: one agent, 30 days',
        `/v1/admin/events?agent=claude-code&from=${new Date(Date.now() - 30 * 86_400_000).toISOString()}&to=${new Date().toISOString()}`,
      ],
      [
        'audit: one human, 30 days',
        `/v1/admin/events?human=${encodeURIComponent('human|user7@laptop-7')}&from=${new Date(Date.now() - 30 * 86_400_000).toISOString()}&to=${new Date().toISOString()}`,
      ],
      ['audit: one agent on one device', `/v1/admin/events?agentKey=${encodeURIComponent('agent|cursor@laptop-7')}`],
      ['requests, first page', '/v1/admin/requests'],
      ['rules, first page', '/v1/admin/rules'],
      ['agents (counts kept as reports arrive)', '/v1/admin/agents'],
      [
        'compliance report, 30 days',
        `/v1/admin/compliance?from=${new Date(Date.now() - 30 * 86_400_000).toISOString()}&to=${new Date().toISOString()}`,
      ],
      ['registry, first page (as VS Code reads it)', '/v0.1/servers?limit=50&version=latest'],
    ];
    for (const [label, route] of lists) {
      const { ms, body } = await timed(pools[0], route);
      const total = body.total === undefined ? '' : `, total ${body.total.toLocaleString('en')}${body.totalExact === false ? '+' : ''}`;
      say(`${label}`, `${ms.toFixed(1)} ms${total}`);
    }
    // The second page, through its cursor.
    const page1 = (await timed(pools[0], '/v1/admin/servers?sort=-deviceCount', 1)).body;
    say(
      'servers, second page by cursor',
      `${(await timed(pools[0], `/v1/admin/servers?sort=-deviceCount&cursor=${page1.nextCursor}`)).ms.toFixed(1)} ms`,
    );
    const since = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    for (const [label, value] of await timeConsoleViews(`http://127.0.0.1:${ports[0]}`, 'bench-admin', [
      ['Audit Data', '/'],
      ['Audit Data, filtered (agent, risk, search)', '/?agent=cursor&risk=high&q=tail-1'],
      ['Audit Data, by device count', '/?sort=-deviceCount'],
      ['server details (a server on every laptop)', `/servers/${encodeURIComponent('npm:@bench/common-0')}`],
      ['where a server is configured', `/servers/${encodeURIComponent('npm:@bench/common-0')}?tab=configured`],
      ['audit logs', '/audit-logs'],
      ['audit logs, only denied, 30 days', `/audit-logs?decision=rejected&from=${since}`],
      ['a human and their calls', `/humans/${encodeURIComponent('human|user7@laptop-7')}`],
      ['devices', '/devices'],
      ['history', '/history'],
      ['compliance, 30 days', '/compliance'],
    ]))
      say(label, value);
    say('server process peak memory (RSS)', `${Math.round(peakRss(children[0].pid) / 1024 / 1024)} MB`);

    if (cluster) {
      // Full reports with one server changed: one process, then two processes taking turns.
      const changed = (index, revision) => {
        const servers = inventory(index).servers.map((entry, slot) =>
          slot === revision % 20 ? { ...entry, args: [...entry.args, `r${revision}`] } : entry,
        );
        return gzip({
          reportId: randomUUID(),
          revision,
          generatedAt: new Date().toISOString(),
          kind: 'full',
          inventory: { ...inventory(index), servers },
        });
      };
      const sample = Math.min(LAPTOPS, 10_000);
      const one = await drive(sample, (index) =>
        post(pools[0], `/v1/devices/${devices[index].deviceId}/inventory`, changed(index, 3), devices[index].token),
      );
      children.push(await startServer([...storageArgs, '--port', String(ports[1])], 'second server'));
      pools.push(new Pool(`http://127.0.0.1:${ports[1]}`, { connections: CONCURRENCY }));
      // Warmed as the first one is, and as a process behind a load balancer is once it has run a while: it knows
      // every sample device's token (a policy fetch each) and has compiled the report path (reports from laptops
      // outside the sample), so that the comparison is between two running processes, not one and a cold start.
      await drive(sample, async (index) => {
        const response = await pools[1].request({
          path: `/v1/devices/${devices[index].deviceId}/policy`,
          method: 'GET',
          headers: { authorization: `Bearer ${devices[index].token}` },
        });
        const text = await response.body.text();
        if (response.statusCode !== 200) throw new Error(`warming the second process: ${response.statusCode} ${text}`);
      });
      const warm = Math.min(2000, LAPTOPS - sample);
      await drive(warm, (index) =>
        post(
          pools[1],
          `/v1/devices/${devices[sample + index].deviceId}/inventory`,
          changed(sample + index, 3),
          devices[sample + index].token,
        ),
      );
      const two = await drive(sample, (index) =>
        post(pools[index % 2], `/v1/devices/${devices[index].deviceId}/inventory`, changed(index, 4), devices[index].token),
      );
      say('changed full reports/s, one process', Math.round(one));
      say('changed full reports/s, two processes', Math.round(two));
    }
    return {
      title: `Fleet: ${LAPTOPS.toLocaleString('en')} laptops on ${backend === 'postgres' ? 'PostgreSQL' : 'SQLite'} (targets: ≥ 1,000 full reports/s, ≥ 3,000 deltas/s, lists < 200 ms, audit < 300 ms, < 500 MB)`,
      rows,
    };
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
    for (const child of children) {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
    }
    await cluster?.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

export async function runFleetBench(only) {
  const results = [];
  for (const backend of ['sqlite', 'postgres']) if (!only || only === backend) results.push(await runBackend(backend));
  return results;
}
