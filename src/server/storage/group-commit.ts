// SQLite has one writer, and a commit costs more than the report it carries. Writes that arrive together are
// applied in one transaction (should one fail, the batch runs again with each write in a savepoint of its
// own, the failed one undone alone and answered with its error), and answered once that transaction commits.
// What the writes leave for later (the fleet's count changes) is handed to one last step, in the same
// transaction, just before the commit (fleet-counts.ts appends them; the server index folds them off this
// thread). A lone write is a batch of one: nothing waits for company.
import type { ControlledTransaction, Kysely, Transaction } from 'kysely';
import type { WardenDatabase } from './schema.js';

type Trx = Transaction<WardenDatabase>;
type Work<Later> = (trx: Trx, later: Later[]) => Promise<unknown>;

interface Queued<Later> {
  work: Work<Later>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Writes per transaction at most, so that reads between batches never wait long. */
const MAX_BATCH = 64;

export class GroupCommit<Later> {
  private readonly queue: Queued<Later>[] = [];
  private running = false;

  /**
   * `finish` writes what the batch's writes left for later (called for every batch, even with nothing left),
   * in the batch's transaction; `between` runs before each batch, with no transaction open.
   */
  constructor(
    private readonly db: Kysely<WardenDatabase>,
    private readonly finish: (trx: ControlledTransaction<WardenDatabase>, later: readonly Later[]) => Promise<void>,
    private readonly between: () => void = () => {},
  ) {}

  run<T>(work: (trx: Trx, later: Later[]) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      // Started once the I/O already received is read: the requests that arrived together share the batch.
      if (!this.running) {
        this.running = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        this.between();
      } catch {
        // Housekeeping only: should the database itself be at fault, the batch's transaction fails and says so.
      }
      // Filled as the writes run: a batch undone as a whole still answers each failed write with its own error.
      let outcomes: Outcome[] = [];
      try {
        // Each write in a savepoint of its own costs a copy of every page it touches that the batch had already
        // written: 3-5% of the full reports a second. Writes seldom fail, so the batch runs without them first,
        // and only one in which a write failed runs again, each in its own savepoint (the same work: a
        // transaction's work may always run again, as PostgreSQL's retries do). A lone write is answered as it is.
        try {
          await this.apply(batch, false, outcomes);
        } catch (error) {
          if (!(error instanceof WriteFailed)) throw error;
          if (batch.length === 1) throw error.cause;
          outcomes = [];
          await this.apply(batch, true, outcomes);
        }
        batch.forEach((item, index) => {
          const outcome = outcomes[index]!;
          if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.error);
        });
      } catch (error) {
        // The batch is undone: each write is answered with its own error if it had one, else the batch's.
        batch.forEach((item, index) => {
          const outcome = outcomes[index];
          item.reject(outcome && !outcome.ok ? outcome.error : error);
        });
      }
    }
    this.running = false;
  }

  /**
   * Runs the batch in one transaction and commits it. `alone`: each write in a savepoint, one that fails undone
   * by itself; otherwise the first that fails undoes the whole batch (WriteFailed).
   */
  private async apply(batch: readonly Queued<Later>[], alone: boolean, outcomes: Outcome[]): Promise<void> {
    const later: Later[] = [];
    const trx = await this.db.startTransaction().execute();
    try {
      for (const [index, item] of batch.entries()) {
        const name = `write_${index}`;
        const savepoint = alone ? await trx.savepoint(name).execute() : undefined;
        // Kept only if the write succeeds: one undone leaves nothing behind.
        const own: Later[] = [];
        try {
          const value = await item.work(savepoint ?? trx, own);
          await savepoint?.releaseSavepoint(name).execute();
          outcomes[index] = { ok: true, value };
          later.push(...own);
        } catch (error) {
          if (!savepoint) throw new WriteFailed(error);
          outcomes[index] = { ok: false, error };
          // Undone alone; should even that fail, the whole batch is undone below.
          await savepoint.rollbackToSavepoint(name).execute();
        }
      }
      await this.finish(trx, later);
      await trx.commit().execute();
    } catch (error) {
      await trx
        .rollback()
        .execute()
        .catch(() => {});
      throw error;
    }
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A write of a batch run without savepoints failed: the batch is undone, to run again with them. */
class WriteFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('a write of the batch failed');
  }
}
