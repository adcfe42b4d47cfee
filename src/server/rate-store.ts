// The rate limiter's counts kept in the database when several server processes share one (PostgreSQL), so a
// caller's budget is one budget whichever process it reaches. A fixed window per key: one upsert per request
// on an unlogged table.
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Storage } from './storage/storage.js';

export function sharedRateStore(storage: Storage, now: () => number = Date.now): FastifyRateLimitStoreCtor {
  class SharedRateStore implements FastifyRateLimitStore {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      storage.hit(key, timeWindow, now()).then(
        (hit) => callback(null, { current: hit.count, ttl: hit.resetInMs }),
        (error: unknown) => callback(error as Error),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return SharedRateStore;
}
