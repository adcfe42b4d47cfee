// SQLite: which devices run each server (server_devices, the per-server device list) and the fleet's counts
// (fleet_servers, agent_stats: the servers list, the agents) are kept off the writer's thread. Every report adds
// about a dozen rows to server_devices, each on its own page of an index ordered by server, and rewrites the
// count rows of its servers and their indexes: on SQLite's one writer, the first cost a third of a full report
// (at 100,000 laptops: 1,064 full reports a second without that index, 761 with it) and folding the counts 43%
// of the writer's time. So a report only appends what it changed to server_device_changes and fleet_changes, in
// its own transaction (nothing is lost should the process stop), and a worker thread applies the changes in a
// file of its own (DIR/mcp-warden.sqlite-servers), which the writer's connection reads as the attached schema
// `server_index` (the database has no tables of those names: unqualified, they are the index's). Reads of them
// settle first: they see every report accepted before them. The file holds nothing that the database does not:
// missing, from another history (a restore), or of an older layout, it is built again from the database's rows.
// PostgreSQL has no such file: server_devices is a view of device_servers there (migration 0008), and its
// counts are folded by fleet-counts.ts.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  type IndexSchemas,
  SEVERITY_RANKS,
  createCountTables,
  fleetEntry,
  foldCounts,
  mergeFleetChanges,
  rebuildCounts,
} from './fleet-fold.js';
import { StorageNeedsOperatorError } from './storage.js';
import { sqliteDriverPath } from './worker-driver.js';

/** What the writer and the index agree on. */
export interface ServerIndex {
  /** Resolves once every change committed before the call is in server_devices and the counts. */
  settle(): Promise<void>;
  /** Between write batches (no transaction open): lets go of the changes the index has applied. */
  betweenWrites(): void;
  stop(): Promise<void>;
}

/** How far the index has applied each table of changes (their ids). */
export interface IndexPosition {
  applied: number;
  folded: number;
}

/** The index file of a database file. */
export const serverIndexFile = (file: string): string => `${file}-servers`;

/**
 * Before the writer attaches the index file: one that is not a database any more (damaged, overwritten) is
 * removed with its log, to be built anew. Nothing is lost: the database holds everything it did.
 */
export function discardUnreadableIndex(file: string): void {
  const indexFile = serverIndexFile(file);
  try {
    const probe = new Database(indexFile, { fileMustExist: true });
    try {
      probe.prepare('select count(*) from sqlite_master').get();
    } finally {
      probe.close();
    }
  } catch (error) {
    const code = String((error as { code?: unknown }).code);
    if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') return; // missing (built on start) or a real fault
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${indexFile}${suffix}`, { force: true });
  }
}

/** Changes a worker applies in one transaction at most, so that a settle never waits behind a huge one. */
const CHANGES_PER_STEP = 500;
/** Applies what reports appended this often. */
const EVERY_MS = 50;
/** The writer takes applied changes out once this many have gathered (one small transaction). */
const TAKE_AFTER = 200;
/**
 * The index file's page cache (KiB) and the pages its log gathers before they are copied back into it. It is
 * written across its whole width, and a count row that many laptops share is written at every step: copied
 * back every 1,000 pages (SQLite's default) from a 4 MiB cache, the worker fell 28,000-35,000 reports behind a
 * burst of 100,000 first reports (the first read after it waited 18-31 s); with 32 MiB, 13,000 behind; copied
 * back every 40,000 pages too (a log of up to 160 MiB), within 700 (444 ms).
 */
const CACHE_KIB = 32_768;
const LOG_PAGES = 40_000;
/** Waited before a worker that failed is started again. */
const RESTART_MS = 1000;

/**
 * Makes the index ready on one connection and answers how far it is applied: creates its tables, and builds
 * it again from the database's rows unless what it holds is the database's own past (applied between the last
 * change taken out and the last one appended, for both tables of changes). Runs in the worker, or in the
 * writer's thread for a database in memory; self-contained, since the worker runs its source: `buildCounts`
 * builds the counts from the database's rows (fleet-fold.ts), in the same transaction as server_devices.
 */
export function prepareServerIndex(db: Database.Database, names: IndexSchemas, buildCounts: () => void): IndexPosition {
  const layout = 2;
  const stateTable =
    `${names.index}.index_state (id integer primary key check (id = 1), layout integer not null,` +
    ' applied integer not null, folded integer not null)';
  db.exec(`create table if not exists ${stateTable}`);
  const state = db.prepare(`select * from ${names.index}.index_state`).get() as
    { layout: number; applied: number; folded?: number } | undefined;
  /** The last change appended to a table, and the last one taken out of it. */
  const ends = (table: string, last: number) => {
    const oldest = db.prepare(`select min(id) - 1 from ${names.database}.${table}`).pluck().get() as number | null;
    return { last, takenUpTo: oldest ?? last };
  };
  const within = (at: number | undefined, table: { last: number; takenUpTo: number }) =>
    at !== undefined && at >= table.takenUpTo && at <= table.last;
  // Deferred, as every transaction here: an immediate one would take the database's write lock too, not only the index's.
  return db.transaction(() => {
    const appended = appendedUpTo(db, names);
    const changes = ends('server_device_changes', appended.applied);
    const counts = ends('fleet_changes', appended.folded);
    if (state && state.layout === layout && within(state.applied, changes) && within(state.folded, counts))
      return { applied: state.applied, folded: state.folded! };
    db.exec(`drop table if exists ${names.index}.server_devices`);
    db.exec(
      `create table ${names.index}.server_devices (server_key text not null, first_seen text not null, device_id text not null,` +
        ` server_id text not null, client text not null, primary key (server_key, first_seen, device_id, server_id)) without rowid`,
    );
    db.exec(
      `insert into ${names.index}.server_devices select server_key, first_seen, device_id, server_id, client from ${names.database}.device_servers` +
        ` order by server_key, first_seen, device_id, server_id`,
    );
    buildCounts();
    // An older layout's state has other columns.
    db.exec(`drop table ${names.index}.index_state`);
    db.exec(`create table ${stateTable}`);
    db.prepare(`insert into ${names.index}.index_state values (1, ?, ?, ?)`).run(layout, changes.last, counts.last);
    if (names.takeApplied) {
      db.prepare(`delete from ${names.database}.server_device_changes where id <= ?`).run(changes.last);
      db.prepare(`delete from ${names.database}.fleet_changes where id <= ?`).run(counts.last);
    }
    return { applied: changes.last, folded: counts.last };
  })();
}

/**
 * Applies the changes after those the index holds (at most `limit` of them) in one transaction; answers how
 * far it got.
 * A change is one report's: `[device, added [serverKey, firstSeen, serverId, client][], removed [serverKey,
 * firstSeen, serverId][]]`. Each row's last change wins, and the rows are written in key order.
 */
export function applyServerChanges(db: Database.Database, names: IndexSchemas, limit: number): number {
  const read = db.prepare(`select id, change from ${names.database}.server_device_changes where id > ? order by id limit ?`);
  const insert = db.prepare(`insert or replace into ${names.index}.server_devices values (?, ?, ?, ?, ?)`);
  const remove = db.prepare(
    `delete from ${names.index}.server_devices where server_key = ? and first_seen = ? and device_id = ? and server_id = ?`,
  );
  return db.transaction(() => {
    // From where the file says, not the caller: another process's worker on the same file may have gone on.
    const from = db.prepare(`select applied from ${names.index}.index_state`).pluck().get() as number;
    const rows = read.all(from, limit) as { id: number; change: string }[];
    if (rows.length === 0) return from;
    const last = new Map<string, (string | null)[]>();
    for (const row of rows) {
      const [device, added, removed] = JSON.parse(row.change) as [string, string[][], string[][]];
      for (const [serverKey, firstSeen, serverId] of removed)
        last.set(`${serverKey}\0${firstSeen}\0${device}\0${serverId}`, [serverKey!, firstSeen!, device, serverId!, null]);
      for (const [serverKey, firstSeen, serverId, client] of added)
        last.set(`${serverKey}\0${firstSeen}\0${device}\0${serverId}`, [serverKey!, firstSeen!, device, serverId!, client!]);
    }
    for (const key of [...last.keys()].sort()) {
      const row = last.get(key)!;
      if (row[4] === null) remove.run(row.slice(0, 4));
      else insert.run(row);
    }
    const upTo = rows[rows.length - 1]!.id;
    db.prepare(`update ${names.index}.index_state set applied = ?`).run(upTo);
    if (names.takeApplied) db.prepare(`delete from ${names.database}.server_device_changes where id <= ?`).run(upTo);
    return upTo;
  })();
}

/** How far the database's tables of changes go: the last change appended to each. */
export function appendedUpTo(db: Database.Database, names: IndexSchemas): IndexPosition {
  const sequences = db
    .prepare(`select name, seq from ${names.database}.sqlite_sequence where name in ('server_device_changes', 'fleet_changes')`)
    .all() as { name: string; seq: number }[];
  const last = (table: string) => Number(sequences.find((row) => row.name === table)?.seq ?? 0);
  return { applied: last('server_device_changes'), folded: last('fleet_changes') };
}

/**
 * Applies the changes appended up to `until`, a step of each table in turn (under a burst of reports neither
 * waits for the other to catch up, and the worker answers its messages between two catch-ups); answers how far
 * it got.
 */
export function catchUpIndex(
  position: IndexPosition,
  until: IndexPosition,
  applyServerStep: () => number,
  foldCountStep: () => number,
): IndexPosition {
  let { applied, folded } = position;
  // Another process's worker writing the file (a command run beside the server) is waited for at the next catch-up.
  const step = (run: () => number, from: number) => {
    try {
      return run();
    } catch (error) {
      if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) return from;
      throw error;
    }
  };
  for (;;) {
    const next = {
      applied: applied < until.applied ? step(applyServerStep, applied) : applied,
      folded: folded < until.folded ? step(foldCountStep, folded) : folded,
    };
    if (next.applied === applied && next.folded === folded) return next;
    ({ applied, folded } = next);
  }
}

// The worker runs as source (eval), as wal-checkpointer.ts's does, with the functions above and fleet-fold.ts's
// as they were compiled. It opens the index file, attaches the database, and answers each settle once it has
// caught up.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const prepareServerIndex = ${prepareServerIndex.toString()};
const applyServerChanges = ${applyServerChanges.toString()};
const appendedUpTo = ${appendedUpTo.toString()};
const catchUpIndex = ${catchUpIndex.toString()};
const fleetEntry = ${fleetEntry.toString()};
const mergeFleetChanges = ${mergeFleetChanges.toString()};
const createCountTables = ${createCountTables.toString()};
const rebuildCounts = ${rebuildCounts.toString()};
const foldCounts = ${foldCounts.toString()};
const db = new Database(workerData.indexFile);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = -' + workerData.cacheKib);
db.pragma('wal_autocheckpoint = ' + workerData.logPages);
db.pragma('busy_timeout = 5000');
db.prepare('attach database ? as warden').run(workerData.file);
const names = { index: 'main', database: 'warden', takeApplied: false };
let position = prepareServerIndex(db, names, () => rebuildCounts(db, names, workerData.ranks));
const catchUp = (until = appendedUpTo(db, names)) => {
  position = catchUpIndex(
    position,
    until,
    () => applyServerChanges(db, names, workerData.perStep),
    () => foldCounts(db, names, workerData.perStep),
  );
};
// A settle is answered once everything appended before it is applied, waiting out another process's worker.
let stopped = false;
const settle = (token, until) => {
  if (stopped) return;
  catchUp(until);
  if (position.applied < until.applied || position.folded < until.folded)
    return setTimeout(() => settle(token, until), workerData.everyMs);
  parentPort.postMessage({ ...position, settled: token });
};
parentPort.postMessage(position);
const timer = setInterval(() => {
  const before = position;
  catchUp();
  if (position.applied !== before.applied || position.folded !== before.folded) parentPort.postMessage(position);
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'stop') {
    stopped = true;
    clearInterval(timer);
    db.close();
    return parentPort.close();
  }
  settle(message.settle, appendedUpTo(db, names));
});
`;

/** The index of a database file, kept by a worker thread; the writer's connection has it attached. */
export function startServerIndex(database: Database.Database): ServerIndex {
  const file = database.name;
  let position: IndexPosition = { applied: 0, folded: 0 };
  /** How far the writer took the applied changes out. */
  let taken: IndexPosition = { applied: 0, folded: 0 };
  let asked = 0;
  const waiting = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  let worker: Worker | undefined;
  /** Why the last worker stopped, until a new one answers. */
  let failure: Error | undefined;
  /** The failure last told in the process's warnings, until a worker applies changes again. */
  let warned: string | undefined;
  let stopping = false;

  // Admins of any role read this in the console: the file's name, not the server's folders.
  const fail = (cause: Error): Error => {
    const error = new StorageNeedsOperatorError(
      `the server index (${path.basename(serverIndexFile(file))}, beside the database) cannot be used (${cause.message}); ` +
        'the database holds all it held: stop the server, delete that file, and start again to build it anew',
    );
    // In the server's log too, for when no admin opens those lists: once per failure, not at every restart.
    if (error.message !== warned) process.emitWarning((warned = error.message), 'ServerIndexWarning');
    return (failure = error);
  };
  const start = () => {
    const started = new Worker(WORKER_SOURCE, {
      eval: true,
      // It holds one step's changes at a time (500 first reports with their entries: about 15 MB parsed), not
      // the writer's data: a heap sized for that with room to spare, not one sized like the writer's.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 2 },
      workerData: {
        file,
        indexFile: serverIndexFile(file),
        driver: sqliteDriverPath(),
        cacheKib: CACHE_KIB,
        logPages: LOG_PAGES,
        perStep: CHANGES_PER_STEP,
        everyMs: EVERY_MS,
        ranks: SEVERITY_RANKS,
      },
    });
    started.on('message', (message: IndexPosition & { settled?: number }) => {
      if (message.applied !== position.applied || message.folded !== position.folded) warned = undefined;
      position = { applied: message.applied, folded: message.folded };
      failure = undefined;
      if (message.settled === undefined) return;
      for (const [token, settle] of waiting)
        if (token <= message.settled) {
          waiting.delete(token);
          settle.resolve();
        }
      if (waiting.size === 0) started.unref();
    });
    // A worker that failed (a full disk, a damaged file) is started again after a while: it checks the file as
    // it opens and goes on from what it applied. Reads meanwhile fail at once, with what to do. ('exit' follows.)
    started.on('error', (error) => void fail(error));
    started.once('exit', () => {
      worker = undefined;
      if (stopping) return;
      const reason = failure ?? fail(new Error('its worker stopped'));
      for (const settle of waiting.values()) settle.reject(reason);
      waiting.clear();
      setTimeout(() => {
        if (!stopping) worker = start();
      }, RESTART_MS).unref();
    });
    // After its listeners: adding one holds the process open again.
    started.unref();
    return started;
  };
  worker = start();

  return {
    settle() {
      if (failure) return Promise.reject(failure);
      const token = ++asked;
      return new Promise<void>((resolve, reject) => {
        waiting.set(token, { resolve, reject });
        // Held open while a read waits for it (a command-line read may have nothing else going on).
        worker?.ref();
        worker?.postMessage({ settle: token });
      });
    },
    betweenWrites() {
      if (database.inTransaction) return;
      try {
        if (position.applied - taken.applied >= TAKE_AFTER) {
          database.prepare('delete from server_device_changes where id <= ?').run(position.applied);
          taken = { ...taken, applied: position.applied };
        }
        if (position.folded - taken.folded >= TAKE_AFTER) {
          database.prepare('delete from fleet_changes where id <= ?').run(position.folded);
          taken = { ...taken, folded: position.folded };
        }
      } catch {
        // Left for the next gap between batches: applied changes only take room meanwhile.
      }
    },
    async stop() {
      stopping = true;
      const running = worker;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.ref();
      running.postMessage('stop');
      await exited;
    },
  };
}

/** The index of a database in memory, in an attached schema of its own, applied in the writer's own thread. */
export function inlineServerIndex(database: Database.Database): ServerIndex {
  const names: IndexSchemas = { index: 'server_index', database: 'main', takeApplied: true };
  let position = prepareServerIndex(database, names, () => rebuildCounts(database, names, SEVERITY_RANKS));
  const catchUp = () => {
    position = catchUpIndex(
      position,
      appendedUpTo(database, names),
      () => applyServerChanges(database, names, CHANGES_PER_STEP),
      () => foldCounts(database, names, CHANGES_PER_STEP),
    );
  };
  return {
    async settle() {
      // Never inside a transaction another caller holds open between two of its statements.
      while (database.inTransaction) await new Promise((resolve) => setImmediate(resolve));
      catchUp();
    },
    betweenWrites() {
      if (database.inTransaction) return;
      try {
        catchUp();
      } catch {
        // Applied by the next read's settle, which says why should it fail again.
      }
    },
    stop: async () => {},
  };
}
