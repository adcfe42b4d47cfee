// The rate limiter's counts when several server processes share one database (PostgreSQL), so a caller's
// budget is one budget whichever process it reaches. A fixed window per key. Each process counts its own
// requests at once, in memory, and adds them to the database's shared count a few times a second, a statement
// per 200 keys (not a round trip per request: one of an unchanged delta's three). A process learns a caller's
// count in the other processes only as it merges that caller's own requests there: a caller spread over N
// processes may pass its budget, in each window, by what each process lets through before its next merge (a
// quarter second after that caller's first request to it).
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { chunks } from '../shared/chunks.js';
import type { RateHits, Storage } from './storage/storage.js';

/** How often a process adds what it counted to the shared count, and learns the others'. */
export const MERGE_EVERY_MS = 250;
/** Keys per statement: a merge that fails part way has the parts before it counted, and sends only the rest again. */
const KEYS_PER_STATEMENT = 200;

interface KeyWindow {
  window: number;
  windowMs: number;
  /** Requests this process counted in the window... */
  own: number;
  /** ... of which already added to the shared count. */
  merged: number;
  /** The other processes' requests in the window, as of the last merge. */
  others: number;
}

export class SharedRateCounter {
  private readonly keys = new Map<string, KeyWindow>();
  private timer: NodeJS.Timeout | undefined;
  private merging: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly storage: Pick<Storage, 'addHits'>,
    private readonly now: () => number = Date.now,
    private readonly mergeEveryMs = MERGE_EVERY_MS,
  ) {}

  /** Counts one request to `key`; answers the requests in its window so far, every process's, and ms left. */
  hit(key: string, windowMs: number): { count: number; resetInMs: number } {
    const nowMs = this.now();
    const window = Math.floor(nowMs / windowMs);
    let counted = this.keys.get(key);
    if (!counted || counted.window !== window) {
      counted = { window, windowMs, own: 0, merged: 0, others: 0 };
      this.keys.set(key, counted);
    }
    counted.own++;
    this.schedule();
    return { count: counted.own + counted.others, resetInMs: (window + 1) * windowMs - nowMs };
  }

  /** Adds what this process counted since the last merge to the shared count; one merge at a time. */
  async merge(): Promise<void> {
    // A merge that failed is the timer's to retry: this one still runs.
    while (this.merging) await this.merging.catch(() => {});
    this.merging = this.mergeOnce().finally(() => (this.merging = undefined));
    return this.merging;
  }

  /** Stops merging (a last merge first, so no request counted here is lost to the others). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.merge().catch(() => {});
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A database that cannot be reached keeps the counts here: they are added at a later merge.
      this.merge().catch(() => this.schedule());
    }, this.mergeEveryMs);
    this.timer.unref();
  }

  private async mergeOnce(): Promise<void> {
    const sent = new Map<string, { counted: KeyWindow; count: number }>();
    const nowMs = this.now();
    for (const [key, counted] of this.keys) {
      // A key whose window ended is forgotten, counts and all (they would add nothing to a later window): the
      // map holds only current callers, however long the database is away.
      if ((counted.window + 1) * counted.windowMs <= nowMs) this.keys.delete(key);
      else if (counted.own > counted.merged) sent.set(key, { counted, count: counted.own - counted.merged });
    }
    const hits: RateHits[] = [...sent].map(([key, { counted, count }]) => ({ key, window: counted.window, count }));
    for (const part of chunks(hits, KEYS_PER_STATEMENT)) {
      // A statement that fails after the database applied it (its answer lost) is sent again: counted twice,
      // which only ever makes a budget stricter, and only for that window.
      const totals = await this.storage.addHits(part);
      for (const total of totals) {
        const { counted, count } = sent.get(total.key)!;
        counted.merged += count;
        // The shared count moved to a later window (another process's clock is ahead): this one will follow.
        if (total.window === counted.window) counted.others = Math.max(0, total.count - counted.merged);
      }
    }
  }
}

/** A store for @fastify/rate-limit over `counter`. */
export function sharedRateStore(counter: SharedRateCounter): FastifyRateLimitStoreCtor {
  class SharedRateStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const hit = counter.hit(key, timeWindow);
      callback(null, { current: hit.count, ttl: hit.resetInMs });
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return SharedRateStore;
}
