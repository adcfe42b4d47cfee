// How the embedded SQLite backend writes: reports that arrive together share one commit and write the
// fleet's counts once, the ingest queries compiled once take any values, and the write-ahead log is folded
// back by the checkpoint worker, not by the requests.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compiledOnce } from '../../src/server/storage/compiled-once.js';
import { openDatabase } from '../../src/server/storage/database.js';
import { GroupCommit } from '../../src/server/storage/group-commit.js';
import { statementPieces } from '../../src/server/storage/statement-pieces.js';
import { openStorage } from '../../src/server/storage/open-storage.js';
import type { OpenDatabase } from '../../src/server/storage/database.js';
import { migrate } from '../../src/server/storage/database.js';
import { fullReport, serverEntry } from '../helpers/server-entries.js';

const NOW = '2026-12-01T12:00:00.000Z';
let folder: string;
let open: OpenDatabase | undefined;

beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-sqlite-writes-'));
});
afterEach(async () => {
  await open?.close();
  open = undefined;
  rmSync(folder, { recursive: true, force: true });
});

async function migrated(): Promise<OpenDatabase> {
  open = openDatabase({ dialect: 'sqlite', file: path.join(folder, 'warden.sqlite') });
  await migrate(open);
  return open;
}

describe('group commit', () => {
  it('answers writes that arrive together from one transaction, and keeps only what the successful ones left for later', async () => {
    const { db } = await migrated();
    const finished: string[][] = [];
    const group = new GroupCommit<string>(db, async (trx, later) => {
      finished.push([...later]);
      await trx
        .insertInto('settings')
        .values({ key: 'finished', value: later.join(',') })
        .execute();
    });
    const runs: string[] = [];
    const write = (key: string, fail = false) =>
      group.run(async (trx, later) => {
        runs.push(key);
        await trx.insertInto('settings').values({ key, value: 'x' }).execute();
        later.push(key);
        if (fail) throw new Error(`${key} failed`);
        return key;
      });
    const outcomes = await Promise.allSettled([write('a'), write('b', true), write('c')]);
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([
      'a',
      'b failed',
      'c',
    ]);
    // One batch: the failed write is undone alone, its leftovers are not written.
    expect(finished).toEqual([['a', 'c']]);
    const rows = await db.selectFrom('settings').select(['key', 'value']).orderBy('key').execute();
    expect(rows).toEqual([
      { key: 'a', value: 'x' },
      { key: 'c', value: 'x' },
      { key: 'finished', value: 'a,c' },
    ]);
    // Run without savepoints until b failed, then again with them; a write failing alone is not run again.
    expect(runs).toEqual(['a', 'b', 'a', 'b', 'c']);
    await expect(write('d', true)).rejects.toThrow('d failed');
    expect(runs.slice(5)).toEqual(['d']);
    expect(await db.selectFrom('settings').select('key').where('key', '=', 'd').execute()).toEqual([]);
  });

  it('rejects every write of a batch whose leftovers cannot be written, each failed one with its own error, and keeps none of them', async () => {
    const { db } = await migrated();
    const group = new GroupCommit<string>(db, async () => {
      throw new Error('counts failed');
    });
    const write = (key: string, fail = false) =>
      group.run(async (trx, later) => {
        await trx.insertInto('settings').values({ key, value: 'x' }).execute();
        later.push(key);
        if (fail) throw new Error(`${key} failed`);
      });
    const outcomes = await Promise.allSettled([write('a'), write('b', true), write('c')]);
    // Each failed write keeps its own error; the others are answered with the batch's.
    expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as Error).message : 'kept'))).toEqual([
      'counts failed',
      'b failed',
      'counts failed',
    ]);
    expect(await db.selectFrom('settings').select('key').execute()).toEqual([]);
  });
});

describe('temporary files', () => {
  it.runIf(process.platform === 'linux')('keeps journals too large for memory in the data folder, not in /tmp', async () => {
    const { db } = await migrated();
    const value = 'x'.repeat(4000);
    await db.transaction().execute(async (trx) => {
      for (let row = 0; row < 100; row++)
        await trx
          .insertInto('settings')
          .values({ key: `k${row}`, value })
          .execute();
    });
    const openTemporaryFiles = () =>
      readdirSync('/proc/self/fd')
        .map((fd) => {
          try {
            return readlinkSync(`/proc/self/fd/${fd}`);
          } catch {
            return '';
          }
        })
        .filter((target) => target.includes('etilqs_'));
    const trx = await db.startTransaction().execute();
    const savepoint = await trx.savepoint('big').execute();
    // 100 pages written again inside a savepoint: a journal of about 400 KiB, past what SQLite keeps in memory.
    await savepoint
      .updateTable('settings')
      .set({ value: 'y'.repeat(4000) })
      .execute();
    const during = openTemporaryFiles();
    await savepoint.releaseSavepoint('big').execute();
    await trx.commit().execute();
    expect(during.length).toBeGreaterThan(0);
    for (const target of during) expect(target.startsWith(`${folder}${path.sep}etilqs_`)).toBe(true);
  });
});

describe('fleet counts', () => {
  it('counts every report accepted before a read, also across a restart that left changes unfolded', async () => {
    const file = path.join(folder, 'warden.sqlite');
    let storage = await openStorage({ dialect: 'sqlite', file }, { eventRetentionDays: 30 });
    const devices = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        storage.createDevice(
          { hostname: name, platform: 'linux', osVersion: '6', user: 'u', agentVersion: '0.1.0' },
          randomUUID(),
          NOW,
          undefined,
        ),
      ),
    );
    await Promise.all(devices.map((device) => storage.ingest(device.id, fullReport(1, [serverEntry('git')]), NOW)));
    await storage.close();
    // Appended in the reports' own transactions, and still there: the writer takes them out once folded, in bulk.
    open = openDatabase({ dialect: 'sqlite', file });
    expect((await open.db.selectFrom('fleet_changes').select('id').execute()).length).toBe(3);
    await open.close();
    open = undefined;

    storage = await openStorage({ dialect: 'sqlite', file }, { eventRetentionDays: 30 });
    try {
      const page = await storage.fleetServers({}, { limit: 10, sort: 'name', descending: false });
      expect(page.items.map((server) => [server.serverKey, server.deviceCount])).toEqual([['npm:git', 3]]);
      expect((await storage.agentStats()).map((agent) => [agent.agent, agent.deviceCount])).toEqual([['cursor', 3]]);
    } finally {
      await storage.close();
    }
  });
});

describe('queries compiled once', () => {
  it('runs with new values in the places of the first ones, whatever order the keys were written in', async () => {
    const { db } = await migrated();
    const insert = compiledOnce(
      (rows: { key: string; value: string }[]) => db.insertInto('settings').values(rows),
      (rows) => rows.length,
    );
    const read = compiledOnce((key: string) => db.selectFrom('settings').select(['key', 'value']).where('key', '=', key));
    await insert(db, [{ key: 'one', value: '1' }]);
    await insert(db, [{ value: '2', key: 'two' }]);
    await insert(db, [
      { key: 'three', value: '3' },
      { value: '4', key: 'four' },
    ]);
    expect(await read(db, 'two')).toEqual([{ key: 'two', value: '2' }]);
    expect(await read(db, 'four')).toEqual([{ key: 'four', value: '4' }]);
    expect(await read(db, 'five')).toEqual([]);
    // Values written in the query itself stay in their places on every run.
    const others = compiledOnce((key: string) => db.selectFrom('settings').select('key').where('key', '!=', key).where('value', '<', '4'));
    expect(await others(db, 'one')).toEqual(expect.arrayContaining([{ key: 'two' }, { key: 'three' }]));
    expect(await others(db, 'two')).toHaveLength(2);
    // A row with a key more than the query was compiled for would misplace values: refused.
    await expect(insert(db, [{ key: 'six', value: '6', extra: 'x' } as { key: string; value: string }])).rejects.toThrow(
      'a compiled query got arguments with other keys (extra, key, value) than it was compiled for (key, value)',
    );
  });
});

describe('statement pieces', () => {
  const rows = Array.from({ length: 1000 }, (_, index) => index);
  it('cuts rows for SQLite into runs of powers of two, the longest first, so a statement has a handful of texts', () => {
    const pieces = statementPieces('sqlite')(rows);
    expect(pieces.flat()).toEqual(rows);
    // 1000 = 7 × 128 + 64 + 32 + 8
    expect(pieces.map((piece) => piece.length)).toEqual([128, 128, 128, 128, 128, 128, 128, 64, 32, 8]);
    const lengths = new Set(
      Array.from({ length: 300 }, (_, count) => statementPieces('sqlite')(rows.slice(0, count + 1)).map((piece) => piece.length)).flat(),
    );
    expect([...lengths].sort((a, b) => a - b)).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
  });
  it('cuts rows for PostgreSQL into runs as long as they may be (each run is a round trip there)', () => {
    expect(statementPieces('postgres')(rows).map((piece) => piece.length)).toEqual([200, 200, 200, 200, 200]);
    expect(statementPieces('postgres')([])).toEqual([]);
    expect(statementPieces('sqlite')([])).toEqual([]);
  });
  it('keeps to the most rows a caller says: as many on PostgreSQL, the power of two below it on SQLite', () => {
    expect(statementPieces('postgres')(rows, 1000).map((piece) => piece.length)).toEqual([1000]);
    expect(statementPieces('sqlite')(rows, 500).map((piece) => piece.length)).toEqual([256, 256, 256, 128, 64, 32, 8]);
    expect(statementPieces('sqlite')(rows, 500).flat()).toEqual(rows);
  });
});

/** The write-ahead log's checkpoint sequence number (its header's fourth word): one more each time it starts over. */
function walRestarts(file: string): number {
  const header = Buffer.alloc(16);
  const descriptor = openSync(file, 'r');
  try {
    readSync(descriptor, header, 0, 16, 0);
  } finally {
    closeSync(descriptor);
  }
  return header.readUInt32BE(12);
}

describe('write-ahead log', () => {
  it('starts over between batches under writes that never pause, instead of growing without end', async () => {
    const file = path.join(folder, 'warden.sqlite');
    // A bound of 1 MiB, so that a few seconds of writes cross it many times.
    const storage = await openStorage({ dialect: 'sqlite', file }, { eventRetentionDays: 30, walRestartPages: 256 });
    const first = await storage.createDevice(
      { hostname: 'laptop', platform: 'linux', osVersion: '6', user: 'u', agentVersion: '0.1.0' },
      randomUUID(),
      NOW,
      undefined,
    );
    const restarts = [walRestarts(`${file}-wal`)];
    let largest = 0;
    for (let revision = 1; revision <= 1200; revision++) {
      const servers = Array.from({ length: 20 }, (_, index) => serverEntry(`s${index}`, { args: ['-y', `r${revision}`] }));
      await storage.ingest(first.id, fullReport(revision, servers), NOW);
      largest = Math.max(largest, statSync(`${file}-wal`).size);
    }
    restarts.push(walRestarts(`${file}-wal`));
    await storage.close();
    expect(restarts[1]).toBeGreaterThan(restarts[0]!);
    // Never started over, the log of these 1,200 reports reaches about 70 MiB.
    expect(largest).toBeLessThan(24 * 1024 * 1024);
  });

  it('starts over while reports are written (the worker checkpoints it), and is folded into the file when the storage closes', async () => {
    const file = path.join(folder, 'warden.sqlite');
    const storage = await openStorage({ dialect: 'sqlite', file }, { eventRetentionDays: 30 });
    const restarts: number[] = [];
    // Rounds go on until the log started over (a checkpoint must fall in a pause; a loaded machine takes more
    // rounds for that), within a bound.
    const deadline = Date.now() + 30_000;
    let round = 0;
    for (; round < 50 || (restarts.at(-1) === restarts[0] && Date.now() < deadline); round++) {
      const devices = await Promise.all(
        Array.from({ length: 25 }, (_, index) =>
          storage.createDevice(
            { hostname: `laptop-${round}-${index}`, platform: 'linux', osVersion: '6', user: 'u', agentVersion: '0.1.0' },
            randomUUID(),
            NOW,
            undefined,
          ),
        ),
      );
      await Promise.all(
        devices.map((device, index) =>
          storage.ingest(
            device.id,
            fullReport(1, [serverEntry(`fs-${index}`), serverEntry(`git-${round}`), serverEntry('memory', { args: ['-y', `r${round}`] })]),
            NOW,
          ),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 25));
      restarts.push(walRestarts(`${file}-wal`));
    }
    // SQLite starts the log over only once a checkpoint has copied all of it back: without them it only grows.
    expect(restarts.at(-1)).toBeGreaterThan(restarts[0]!);
    await storage.close();
    expect(existsSync(`${file}-wal`)).toBe(false);

    const again = await openStorage({ dialect: 'sqlite', file }, { eventRetentionDays: 30 });
    expect((await again.fleetServer('npm:memory'))[0]?.deviceCount).toBe(round * 25);
    await again.close();
  }, 60_000);
});
