// The event spool: a busy guard hands it thousands of events at once, in a process whose file descriptors
// are few (macOS gives launchd jobs 256); every event must land, none twice, in order, and the bound drops the
// oldest and says how many.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SPOOLED_EVENTS, Spool, newEvent } from '../../../src/agent/sync/spool.js';
import { REPO } from '../../helpers/machines.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-spool-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const numbered = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => newEvent({ type: 'tool-call', data: { index: from + index } }));
const indexes = (items: { event: { data?: unknown } }[]) => items.map((item) => (item.event.data as { index: number }).index);
const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

describe('the event spool', () => {
  it.skipIf(process.platform === 'win32')('keeps a burst of 3,000 events in a process allowed 64 open files', () => {
    const script = `
      const { Spool, newEvent } = await import(${JSON.stringify(path.join(REPO, 'dist/agent/sync/spool.js'))});
      const spool = new Spool(${JSON.stringify(folder)});
      for (let round = 0; round < 3; round++)
        await spool.addEvents(Array.from({ length: 1000 }, (_, index) => newEvent({ type: 'tool-call', data: { index: round * 1000 + index } })));
      const queued = [];
      for (let batch = await spool.events(500); batch.length; batch = await spool.events(500)) {
        queued.push(...batch.map((item) => item.event.data.index));
        await spool.removeEvents(batch.map((item) => item.name));
      }
      console.log(JSON.stringify(queued));`;
    const run = spawnSync('bash', ['-c', `ulimit -n 64 && exec "${process.execPath}" --input-type=module -e "$0"`, script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual(range(0, 3000));
    expect(readdirSync(path.join(folder, 'events'))).toEqual([]);
  });

  it('delivers in batches no larger than asked, files whole, oldest first', async () => {
    const spool = new Spool(folder);
    await spool.addEvents(numbered(0, 600));
    await spool.addEvents(numbered(600, 10));
    expect(await spool.counts()).toEqual({ report: false, events: 610 });
    const first = await spool.events(500);
    expect(indexes(first)).toEqual(range(0, 500));
    await spool.removeEvents(first.map((item) => item.name));
    expect(indexes(await spool.events(500))).toEqual(range(500, 110));
  });

  it('reads the one-event files an earlier version queued, in their place', async () => {
    const events = path.join(folder, 'events');
    mkdirSync(events, { recursive: true });
    const old = newEvent({ type: 'tool-call', data: { index: -1 } });
    writeFileSync(path.join(events, `${'1'.padStart(15, '0')}-0000-${old.id}.json`), JSON.stringify(old));
    const spool = new Spool(folder);
    await spool.addEvents(numbered(0, 2));
    expect(indexes(await spool.events(500))).toEqual([-1, 0, 1]);
    expect((await spool.counts()).events).toBe(3);
  });

  it('past its bound drops the oldest events and counts them', async () => {
    const spool = new Spool(folder);
    await spool.addEvents(numbered(0, MAX_SPOOLED_EVENTS));
    const { dropped } = await spool.addEvents(numbered(MAX_SPOOLED_EVENTS, 300));
    const kept = (await spool.counts()).events;
    expect(kept + dropped).toBe(MAX_SPOOLED_EVENTS + 300);
    expect(kept).toBeLessThanOrEqual(MAX_SPOOLED_EVENTS);
    expect(dropped).toBeGreaterThanOrEqual(300);
    const oldestKept = indexes(await spool.events(1))[0];
    expect(oldestKept).toBe(dropped);
  });
});
