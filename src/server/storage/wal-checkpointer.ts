// SQLite copies its write-ahead log back into the database file (a checkpoint, with an fsync) from inside
// whichever commit crosses the log's size limit: on the one thread that serves every request. Here a worker
// thread with its own connection copies instead, every fraction of a second and without blocking the
// writer, so commits only append to the log. Under writes that never pause, though, the log never starts
// over (SQLite restarts it only once a checkpoint copied all of it and no write followed): it would grow
// without end. So the writer itself, between two write batches (no transaction open), restarts the log once
// the worker says it passed a bound; by then the worker has copied nearly all of it, so that is quick. The
// worker never restarts it: that would hold the write lock, and a batch that has begun reading cannot wait
// for that lock (SQLite answers SQLITE_BUSY at once), so whole batches would fail.
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { sqliteDriverPath } from './worker-driver.js';

/**
 * Checkpoints this often. What the writer's restart has left to copy is what was written since the worker's last
 * checkpoint: at 200 ms a restart held every request for about 100 ms at 100,000 laptops, at 50 ms for about 16.
 */
const EVERY_MS = 50;
/** SQLite's own default: what the writer goes back to should the worker fail. */
const WRITER_CHECKPOINT_PAGES = 1000;
/** Log pages (4 KiB each) past which the writer starts the log over between batches: 64 MiB. */
const RESTART_AFTER_PAGES = 16_384;

// The worker runs as source (eval) so that it is the same under tsc's output and under tests run from .ts;
// it loads better-sqlite3 from where this module resolves it. It answers each checkpoint with the log's size
// and the number of restarts it had been told of by then.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 2000');
const checkpoint = () => { try { return db.pragma('wal_checkpoint(PASSIVE)')[0]; } catch { return undefined; } };
let restarts = 0;
const timer = setInterval(() => {
  const result = checkpoint();
  if (result) parentPort.postMessage({ pages: result.log, restarts });
}, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return void (restarts = message.restarts);
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface WalCheckpointer {
  /** Between write transactions: starts the log over if the worker said it passed its bound. */
  betweenWrites(): void;
  /** Takes a last checkpoint and closes the worker's connection. */
  stop(): Promise<void>;
}

/** Takes checkpoints off the writer `database` (a WAL-mode file, not :memory:). */
export function startWalCheckpointer(database: Database.Database, restartAfterPages = RESTART_AFTER_PAGES): WalCheckpointer {
  database.pragma('wal_autocheckpoint = 0');
  // A log that was started over is cut back to its bound, not left at the largest it ever was.
  database.pragma(`journal_size_limit = ${restartAfterPages * 4096}`);
  const file = database.name;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file, driver: sqliteDriverPath(), everyMs: EVERY_MS },
  });
  let logPages = 0;
  // Sizes that tell of the log before it started over, which would start the new one over again at once: from
  // a checkpoint the worker took before it heard of the restart, or after but before the next write (the old
  // log is left as it was until a write starts the new one, so it shows the very size the restart found).
  let restarted = { count: 0, pages: -1 };
  worker.on('message', (size: { pages: number; restarts: number }) => {
    if (size.restarts === restarted.count && size.pages !== restarted.pages) logPages = size.pages;
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
    betweenWrites() {
      if (failed || logPages < restartAfterPages || database.inTransaction) return;
      // Without waiting: while the worker copies, SQLite's busy handler would put the writer to sleep, and every
      // request with it. Busy, the log is left as it is and the next gap between batches tries again.
      const busyTimeout = database.pragma('busy_timeout', { simple: true }) as number;
      database.pragma('busy_timeout = 0');
      try {
        const [result] = database.pragma('wal_checkpoint(RESTART)') as { busy: number; log: number }[];
        if (result && !result.busy) {
          logPages = 0;
          restarted = { count: restarted.count + 1, pages: result.log };
          worker.postMessage({ restarts: restarted.count });
        }
      } catch {
        // Busy as an error rather than in the answer: the same.
      } finally {
        database.pragma(`busy_timeout = ${busyTimeout}`);
      }
    },
    async stop() {
      // Held again until it has exited: the process must not end in the middle of its last checkpoint.
      worker.ref();
      if (!failed) worker.postMessage('stop');
      await exited;
    },
  };
}
