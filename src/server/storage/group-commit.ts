// SQLite has one writer, and a commit costs more than the report it carries. Writes that arrive together are
// applied in one transaction, each in its own savepoint (one that fails is undone alone and answered with its
// error), and answered once that transaction commits. A lone write is a batch of one: nothing waits for company.
import type { Kysely, Transaction } from 'kysely';
import type { WardenDatabase } from './schema.js';

type Work = (trx: Transaction<WardenDatabase>) => Promise<unknown>;

interface Queued {
  work: Work;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Writes per transaction at most, so that reads between batches never wait long. */
const MAX_BATCH = 64;

export class GroupCommit {
  private readonly queue: Queued[] = [];
  private running = false;

  constructor(private readonly db: Kysely<WardenDatabase>) {}

  run<T>(work: (trx: Transaction<WardenDatabase>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length) {
      const batch = this.queue.splice(0, MAX_BATCH);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        const trx = await this.db.startTransaction().execute();
        try {
          for (const [index, item] of batch.entries()) {
            const name = `write_${index}`;
            const savepoint = await trx.savepoint(name).execute();
            try {
              outcomes.push({ ok: true, value: await item.work(savepoint) });
              await savepoint.releaseSavepoint(name).execute();
            } catch (error) {
              await savepoint.rollbackToSavepoint(name).execute();
              outcomes.push({ ok: false, error });
            }
          }
          await trx.commit().execute();
        } catch (error) {
          await trx
            .rollback()
            .execute()
            .catch(() => {});
          throw error;
        }
        batch.forEach((item, index) => {
          const outcome = outcomes[index]!;
          if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.error);
        });
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.running = false;
  }
}
