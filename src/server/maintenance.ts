// Housekeeping every server process runs (it is idempotent, so several may): events past their retention are
// dropped by day, old report receipts and rate windows pruned. Once at start, then hourly.
import type { Storage } from './storage/storage.js';

const EVERY_MS = 3_600_000;

export function startMaintenance(storage: Storage, warn: (message: string) => void, now: () => Date = () => new Date()): { stop(): void } {
  const run = () => storage.maintain(now()).catch((error: unknown) => warn(`maintenance skipped this time: ${(error as Error).message}`));
  void run();
  const timer = setInterval(() => void run(), EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
