// Two server processes' rate counters over one database (here one real storage both add to): each counts its
// own requests at once and learns the other's at its merges, so a caller's budget is one budget.
import { afterEach, describe, expect, it } from 'vitest';
import { SharedRateCounter } from '../../src/server/rate-store.js';
import { memoryStorage } from '../../src/server/storage/open-storage.js';
import type { RateHits, Storage } from '../../src/server/storage/storage.js';

const MINUTE = 60_000;
const opened: Storage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
});

async function twoProcesses() {
  const storage = await memoryStorage();
  opened.push(storage);
  const clock = { now: Date.parse('2026-12-01T12:00:10.000Z') };
  // Merged only when a test says so: no timer decides what a step sees.
  const counter = () => new SharedRateCounter(storage, () => clock.now, 3_600_000);
  return { storage, clock, a: counter(), b: counter() };
}

describe('the shared rate counter', () => {
  it('counts its own requests at once and the other process’s as of its last merge', async () => {
    const { clock, a, b } = await twoProcesses();
    expect([1, 2, 3].map(() => a.hit('device:x', MINUTE).count)).toEqual([1, 2, 3]);
    // b has not heard of a's requests yet: it counts its own.
    expect(b.hit('device:x', MINUTE)).toEqual({ count: 1, resetInMs: 50_000 });
    await a.merge();
    await b.merge();
    expect(b.hit('device:x', MINUTE).count).toBe(5);
    // a merged before b's request reached the database; its next merge brings it.
    expect(a.hit('device:x', MINUTE).count).toBe(4);
    await a.merge();
    expect(a.hit('device:x', MINUTE).count).toBe(6);
    // Another key, and the next window, start from nothing.
    expect(a.hit('device:y', MINUTE).count).toBe(1);
    clock.now += MINUTE;
    expect(a.hit('device:x', MINUTE)).toEqual({ count: 1, resetInMs: 50_000 });
    await a.merge();
    // b's request left over from the window before adds nothing to this one.
    await b.merge();
    expect(b.hit('device:x', MINUTE).count).toBe(1);
    await b.merge();
    expect(b.hit('device:x', MINUTE).count).toBe(3);
  });

  it('keeps its counts while the database is away and adds them once it is back, none twice', async () => {
    const storage = await memoryStorage();
    opened.push(storage);
    let away = true;
    const flaky: Pick<Storage, 'addHits'> = {
      addHits: (hits: readonly RateHits[]) =>
        away ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : storage.addHits(hits),
    };
    const now = () => Date.parse('2026-12-01T12:00:10.000Z');
    const a = new SharedRateCounter(flaky, now, 3_600_000);
    const b = new SharedRateCounter(storage, now, 3_600_000);
    a.hit('device:x', MINUTE);
    a.hit('device:x', MINUTE);
    await expect(a.merge()).rejects.toThrow(/ECONNREFUSED/);
    expect(a.hit('device:x', MINUTE).count).toBe(3);
    away = false;
    await a.merge();
    await a.merge();
    b.hit('device:x', MINUTE);
    await b.merge();
    expect(b.hit('device:x', MINUTE).count).toBe(5);
  });

  it('adds what it counted last as it stops', async () => {
    const { a, b } = await twoProcesses();
    a.hit('enrollments', MINUTE);
    a.hit('enrollments', MINUTE);
    await a.stop();
    b.hit('enrollments', MINUTE);
    await b.merge();
    expect(b.hit('enrollments', MINUTE).count).toBe(4);
  });
});
