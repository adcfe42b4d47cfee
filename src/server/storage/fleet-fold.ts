// What a report changes in the fleet's counts, how many changes merge into one write, and how SQLite folds
// them. SQLite keeps the counts (fleet_servers, agent_stats) in the index file beside the database, written
// by the index's worker thread (server-index.ts) from the changes reports append to fleet_changes: folded by
// the writer, they took 43% of its time at 100,000 laptops. The worker runs these functions as source, so each
// is self-contained: it names only its arguments and the functions of this file. PostgreSQL folds with Kysely
// (fleet-counts.ts), from the same merge.
import type Database from 'better-sqlite3';
import type { ServerEntry } from '../../shared/inventory.js';
import { severityRank } from '../../shared/present.js';
import { SEVERITIES } from '../../shared/vocabulary.js';

/** A server entry's columns in fleet_servers. */
export interface FleetEntry {
  name: string;
  search_text: string;
  access_type: string;
  transport: string;
  url: string | null;
  findings: string;
  findings_risk: number;
}

/** What one report changed in the fleet's counts. */
export interface FleetChange {
  at: string;
  /** serverKey, agent, devices gained (1) or lost (-1) or neither (0), and the entry when added or changed. */
  pairs: [string, string, number, FleetEntry?][];
  /** agent, devices gained or lost, servers gained or lost. */
  agents: [string, number, number][];
  /** serverKey and the worst risk of its latest successful probe. */
  probeRisks: [string, number][];
}

/** Each severity's rank as stored (present.ts's severityRank), handed to the worker as data. */
export type SeverityRanks = Readonly<Record<string, number>>;

export const SEVERITY_RANKS: SeverityRanks = Object.fromEntries(SEVERITIES.map((severity) => [severity, severityRank(severity)]));

export function fleetEntry(server: ServerEntry, ranks: SeverityRanks): FleetEntry {
  return {
    name: server.name,
    search_text: `${server.name}\n${server.serverKey}`.toLowerCase(),
    access_type: server.accessType,
    transport: server.transport,
    url: server.url ?? null,
    findings: JSON.stringify(server.findings),
    findings_risk: Math.max(0, ...server.findings.map((finding) => ranks[finding.severity] ?? 0)),
  };
}

export interface MergedPair {
  serverKey: string;
  client: string;
  devices: number;
  /** The latest entry, and when it was reported. */
  entry?: FleetEntry;
  first: string;
  last: string;
}

/** Changes as one, in key order (two writers of the same rows take them in the same order). */
export interface MergedChanges {
  pairs: MergedPair[];
  /** agent, devices and servers gained or lost; agents with neither left out. */
  agents: [string, number, number][];
  /** serverKey and its latest probe risk. */
  probeRisks: [string, number][];
}

/** Merges changes, oldest first: counts summed, the latest entry and probe risk kept. */
export function mergeFleetChanges(changes: readonly FleetChange[]): MergedChanges {
  const pairs = new Map<string, MergedPair>();
  const agents = new Map<string, [number, number]>();
  const probeRisks = new Map<string, number>();
  for (const change of changes) {
    for (const [serverKey, client, devices, entry] of change.pairs) {
      const key = `${serverKey}\0${client}`;
      const merged = pairs.get(key) ?? { serverKey, client, devices: 0, first: change.at, last: change.at };
      merged.devices += devices;
      if (entry) {
        merged.entry = entry;
        merged.last = change.at;
      }
      pairs.set(key, merged);
    }
    for (const [client, devices, servers] of change.agents) {
      const sum = agents.get(client) ?? [0, 0];
      agents.set(client, [sum[0] + devices, sum[1] + servers]);
    }
    for (const [serverKey, risk] of change.probeRisks) probeRisks.set(serverKey, risk);
  }
  const byKey = (a: [string, unknown], b: [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return {
    pairs: [...pairs.entries()].sort(byKey).map(([, pair]) => pair),
    agents: [...agents.entries()]
      .sort(byKey)
      .filter(([, [devices, servers]]) => devices !== 0 || servers !== 0)
      .map(([client, [devices, servers]]): [string, number, number] => [client, devices, servers]),
    probeRisks: [...probeRisks.entries()].sort(byKey),
  };
}

/** The schemas one connection names the index's tables and the database's by. */
export interface IndexSchemas {
  index: string;
  database: string;
  /** The same connection may take the changes out once applied (the database in memory). */
  takeApplied: boolean;
}

/** SQLite: creates the count tables in the index, empty, as migrations 0001 and 0004 had them in the database. */
export function createCountTables(db: Database.Database, schemas: IndexSchemas): void {
  const index = schemas.index;
  db.exec(`drop table if exists ${index}.fleet_servers`);
  db.exec(`drop table if exists ${index}.agent_stats`);
  db.exec(
    `create table ${index}.fleet_servers (server_key text not null, client text not null, name text not null,` +
      ' search_text text not null, access_type text not null, transport text not null, url text, risk integer not null,' +
      ' findings_risk integer not null, probe_risk integer not null default 0, findings text not null,' +
      ' device_count integer not null, first_detected text not null, last_updated text not null,' +
      ' primary key (server_key, client)) without rowid',
  );
  for (const column of ['name', 'device_count', 'last_updated', 'access_type'])
    db.exec(`create index ${index}.fleet_servers_${column} on fleet_servers (${column}, server_key, client)`);
  db.exec(`create table ${index}.agent_stats (client text primary key, device_count integer not null, server_count integer not null)`);
}

/**
 * SQLite: counts the fleet again from the database's rows, into count tables created anew, once server_devices
 * has been built from them: each server's devices; its entry as the device that first reported it most recently has it
 * (the rows do not say which device changed it last); its first detection and latest change as the first seen
 * of its oldest and newest device; its probe risk from its latest successful probe; each agent's devices and
 * servers.
 */
export function rebuildCounts(db: Database.Database, schemas: IndexSchemas, ranks: SeverityRanks): void {
  const { index, database } = schemas;
  const perStep = 500;
  createCountTables(db, schemas);
  // From the index's compact rows, not device_servers' (each holds its whole entry).
  db.exec(
    `insert into ${index}.fleet_servers (server_key, client, name, search_text, access_type, transport, url, risk,` +
      ' findings_risk, probe_risk, findings, device_count, first_detected, last_updated)' +
      ` select server_key, client, '', '', '', '', null, 0, 0, 0, '[]', count(distinct device_id), min(first_seen), max(first_seen)` +
      ` from ${index}.server_devices group by server_key, client order by server_key, client`,
  );
  const entryOf =
    `select f.server_key, f.client, (select d.entry from ${index}.server_devices s join ${database}.device_servers d` +
    ' on d.device_id = s.device_id and d.server_id = s.server_id where s.server_key = f.server_key and s.client = f.client' +
    ` order by s.first_seen desc limit 1) as entry from ${index}.fleet_servers f`;
  // Two statements, so that every page after the first starts where the last ended, on the primary key.
  const firstEntries = db.prepare(`${entryOf} order by f.server_key, f.client limit ?`);
  const nextEntries = db.prepare(`${entryOf} where (f.server_key, f.client) > (?, ?) order by f.server_key, f.client limit ?`);
  const setEntry = db.prepare(
    `update ${index}.fleet_servers set name = ?, search_text = ?, access_type = ?, transport = ?, url = ?, findings = ?,` +
      ' findings_risk = ?, risk = ? where server_key = ? and client = ?',
  );
  for (let after: { server_key: string; client: string } | undefined; ;) {
    const rows = (after ? nextEntries.all(after.server_key, after.client, perStep) : firstEntries.all(perStep)) as {
      server_key: string;
      client: string;
      entry: string;
    }[];
    if (rows.length === 0) break;
    for (const row of rows) {
      const entry = fleetEntry(JSON.parse(row.entry), ranks);
      const { name, search_text, access_type, transport, url, findings, findings_risk } = entry;
      setEntry.run(name, search_text, access_type, transport, url, findings, findings_risk, findings_risk, row.server_key, row.client);
    }
    after = rows[rows.length - 1];
  }
  const probes = db.prepare(
    `select latest.server_key, r.probe from (select server_key, fingerprint, max(probed_at) from ${database}.device_probes` +
      ` where status = 'ok' and server_key > ? group by server_key order by server_key limit ?) latest` +
      ` join ${database}.probe_results r on r.server_key = latest.server_key and r.fingerprint = latest.fingerprint order by latest.server_key`,
  );
  const setProbeRisk = db.prepare(`update ${index}.fleet_servers set probe_risk = ?, risk = max(findings_risk, ?) where server_key = ?`);
  for (let after = ''; ;) {
    const rows = probes.all(after, perStep) as { server_key: string; probe: string }[];
    if (rows.length === 0) break;
    for (const row of rows) {
      const risks = (JSON.parse(row.probe) as { risks?: { severity: string }[] }).risks ?? [];
      const risk = Math.max(0, ...risks.map((signal) => ranks[signal.severity] ?? 0));
      setProbeRisk.run(risk, risk, row.server_key);
    }
    after = rows[rows.length - 1]!.server_key;
  }
  db.exec(
    `insert into ${index}.agent_stats (client, device_count, server_count)` +
      ` select client, count(*), 0 from ${database}.device_agents group by client`,
  );
  db.exec(
    `insert into ${index}.agent_stats (client, device_count, server_count)` +
      ` select client, 0, count(*) from ${index}.server_devices where true group by client` +
      ' on conflict (client) do update set server_count = excluded.server_count',
  );
}

/**
 * SQLite: folds the changes after those the index holds (at most `limit` of them) into the counts in one
 * transaction; answers how far it got. A row whose name and access type stay as they were is written without
 * setting them, nor its device count when that stays: SQLite rewrites an index's entry whenever an update sets
 * one of its columns, even to the value it had.
 */
export function foldCounts(db: Database.Database, schemas: IndexSchemas, limit: number): number {
  const { index, database } = schemas;
  const read = db.prepare(`select id, change from ${database}.fleet_changes where id > ? order by id limit ?`);
  const stored = db.prepare(
    `select name, access_type, device_count, probe_risk from ${index}.fleet_servers where server_key = ? and client = ?`,
  );
  const insert = db.prepare(
    `insert into ${index}.fleet_servers (server_key, client, name, search_text, access_type, transport, url, risk,` +
      ' findings_risk, probe_risk, findings, device_count, first_detected, last_updated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)',
  );
  const remove = db.prepare(`delete from ${index}.fleet_servers where server_key = ? and client = ?`);
  const updates = new Map<string, Database.Statement>();
  const update = (columns: readonly string[]) => {
    const text = `update ${index}.fleet_servers set ${columns.map((column) => `${column} = ?`).join(', ')} where server_key = ? and client = ?`;
    const statement = updates.get(text) ?? db.prepare(text);
    updates.set(text, statement);
    return statement;
  };
  const addToAgent = db.prepare(
    `insert into ${index}.agent_stats (client, device_count, server_count) values (?, ?, ?) on conflict (client) do update` +
      ' set device_count = device_count + excluded.device_count, server_count = server_count + excluded.server_count',
  );
  const setProbeRisk = db.prepare(
    `update ${index}.fleet_servers set probe_risk = ?, risk = max(findings_risk, ?) where server_key = ? and probe_risk != ?`,
  );
  return db.transaction(() => {
    // From where the file says, not the caller: another process's worker on the same file may have gone on.
    const from = db.prepare(`select folded from ${index}.index_state`).pluck().get() as number;
    const rows = read.all(from, limit) as { id: number; change: string }[];
    if (rows.length === 0) return from;
    const merged = mergeFleetChanges(rows.map((row) => JSON.parse(row.change)));
    for (const pair of merged.pairs) {
      const before = stored.get(pair.serverKey, pair.client) as
        { name: string; access_type: string; device_count: number; probe_risk: number } | undefined;
      const entry = pair.entry;
      if (!before) {
        // A server no device loaded before: it joins the list with the devices that load it now.
        if (entry && pair.devices > 0)
          insert.run(
            pair.serverKey,
            pair.client,
            entry.name,
            entry.search_text,
            entry.access_type,
            entry.transport,
            entry.url,
            entry.findings_risk,
            entry.findings_risk,
            entry.findings,
            pair.devices,
            pair.first,
            pair.last,
          );
        continue;
      }
      const devices = before.device_count + pair.devices;
      // A server no device loads any more leaves the list.
      if (devices <= 0) {
        remove.run(pair.serverKey, pair.client);
        continue;
      }
      const set: [string, string | number | null][] = [];
      if (entry) {
        if (entry.name !== before.name) set.push(['name', entry.name]);
        if (entry.access_type !== before.access_type) set.push(['access_type', entry.access_type]);
        set.push(
          ['search_text', entry.search_text],
          ['transport', entry.transport],
          ['url', entry.url],
          ['findings', entry.findings],
          ['findings_risk', entry.findings_risk],
          ['risk', Math.max(entry.findings_risk, before.probe_risk)],
          ['last_updated', pair.last],
        );
      }
      if (pair.devices !== 0) set.push(['device_count', devices]);
      if (set.length) update(set.map(([column]) => column)).run(...set.map(([, value]) => value), pair.serverKey, pair.client);
    }
    for (const [client, devices, servers] of merged.agents) addToAgent.run(client, devices, servers);
    for (const [serverKey, risk] of merged.probeRisks) setProbeRisk.run(risk, risk, serverKey, risk);
    const upTo = rows[rows.length - 1]!.id;
    db.prepare(`update ${index}.index_state set folded = ?`).run(upTo);
    if (schemas.takeApplied) db.prepare(`delete from ${database}.fleet_changes where id <= ?`).run(upTo);
    return upTo;
  })();
}
