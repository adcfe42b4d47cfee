// SQLite copies its write-ahead log back into the database file (a checkpoint, with an fsync) from inside
// whichever commit crosses the log's size limit: on the one thread that serves every request. Here a worker
// thread with its own connection checkpoints instead, every fraction of a second and without blocking the
// writer, so commits only append to the log; SQLite starts the log over after a checkpoint that copied all
// of it. Never a blocking (RESTART) checkpoint: it would hold the write lock, and a batch that has begun
// reading cannot wait for that lock (SQLite answers SQLITE_BUSY at once), so whole batches would fail.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** Checkpoints this often. */
const EVERY_MS = 200;
/** SQLite's own default: what the writer goes back to should the worker fail. */
const WRITER_CHECKPOINT_PAGES = 1000;

// The worker runs as source (eval) so that it is the same under tsc's output and under tests run from .ts;
// it loads better-sqlite3 from where this module resolves it.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 2000');
const checkpoint = (mode) => { try { return db.pragma('wal_checkpoint(' + mode + ')')[0]; } catch { return undefined; } };
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint('PASSIVE');
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  /** Takes a last checkpoint and closes the worker's connection. */
  stop(): Promise<void>;
}

/** Takes checkpoints off the writer `database` (a WAL-mode file, not :memory:). */
export function startWalCheckpointer(database: Database.Database): WalCheckpointer {
  database.pragma('wal_autocheckpoint = 0');
  const file = database.name;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      everyMs: EVERY_MS,
    },
  });
  // A worker that fails only means that commits checkpoint for themselves again.
  let failed = false;
  worker.on('error', () => {
    failed = true;
    if (database.open) database.pragma(`wal_autocheckpoint = ${WRITER_CHECKPOINT_PAGES}`);
  });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Held again until it has exited: the process must not end in the middle of its last checkpoint.
      worker.ref();
      if (!failed) worker.postMessage('stop');
      await exited;
    },
  };
}
