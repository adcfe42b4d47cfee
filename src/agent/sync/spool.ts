// What the agent still has to deliver, on disk so that nothing is lost across outages and restarts.
// Reports coalesce (the newest inventory supersedes an unsent older one); events are kept, oldest first, in
// files of a batch each, up to a bound, and each keeps its id so the server stores it exactly once.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AgentEvent, InventoryReport, Inventory } from '../../shared/protocol.js';
import { chunks } from '../../shared/chunks.js';
import { inPool } from '../../shared/pool.js';
import { readJsonState, writeFileAtomic } from '../state/state-dir.js';

export interface PendingReport {
  reportId: string;
  revision: number;
  createdAt: string;
  inventory: Inventory;
  deviceIps: string[];
  /** The exact body once first sent: a retry sends the same bytes under the same reportId. */
  prepared?: InventoryReport;
}

export const MAX_SPOOLED_EVENTS = 10_000;
/** Events per spool file: a busy guard's batch costs one file, not one each, and no file exceeds a delivery. */
const EVENTS_PER_FILE = 250;
/** Event files open at once: a burst must not run out of file descriptors (and lose events). */
const FILES_AT_ONCE = 32;

/** How many events some queued files hold. */
const eventCount = (files: readonly { count: number }[]) => files.reduce((sum, file) => sum + file.count, 0);

const isReport = (value: unknown): value is PendingReport =>
  typeof value === 'object' && value !== null && typeof (value as PendingReport).reportId === 'string';

export class Spool {
  constructor(private readonly folder: string) {}

  private get reportFile(): string {
    return path.join(this.folder, 'report.json');
  }

  private get eventsFolder(): string {
    return path.join(this.folder, 'events');
  }

  async pendingReport(): Promise<PendingReport | undefined> {
    return readJsonState<PendingReport | undefined>(this.reportFile, undefined, (value): value is PendingReport | undefined =>
      isReport(value),
    );
  }

  async putReport(report: PendingReport): Promise<void> {
    await writeFileAtomic(this.reportFile, JSON.stringify(report));
  }

  async dropReport(reportId: string): Promise<void> {
    const current = await this.pendingReport();
    if (current?.reportId === reportId) await fs.rm(this.reportFile, { force: true });
  }

  /** Queues events; past the bound the oldest are dropped (and counted) so the disk never fills. */
  async addEvents(events: AgentEvent[]): Promise<{ dropped: number }> {
    await fs.mkdir(this.eventsFolder, { recursive: true, mode: 0o700 });
    // Names sort by time of queueing, then by part; the count in the name spares reading files to count them.
    const queuedAt = Date.now().toString().padStart(15, '0');
    await inPool(chunks(events, EVENTS_PER_FILE), FILES_AT_ONCE, (part, index) =>
      writeFileAtomic(
        path.join(this.eventsFolder, `${queuedAt}-${String(index).padStart(4, '0')}-${part[0]!.id}.${part.length}.json`),
        JSON.stringify(part),
      ),
    );
    const files = await this.eventFiles();
    const excess = eventCount(files) - MAX_SPOOLED_EVENTS;
    const oldest: string[] = [];
    let dropped = 0;
    for (const file of files) {
      if (dropped >= excess) break;
      oldest.push(file.name);
      dropped += file.count;
    }
    await this.removeEvents(oldest);
    return { dropped };
  }

  /** The queued files, oldest first, with how many events each holds (one, in files from before batches). */
  private async eventFiles(): Promise<{ name: string; count: number }[]> {
    const names = await fs.readdir(this.eventsFolder).catch(() => [] as string[]);
    return names
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => ({ name, count: Number(/\.(\d+)\.json$/.exec(name)?.[1] ?? 1) }));
  }

  /**
   * The oldest queued events, up to `limit` (a file is taken whole, and the first always, so no file holds
   * more than a delivery takes), each with the name of its file to remove once delivered.
   */
  async events(limit: number): Promise<{ name: string; event: AgentEvent }[]> {
    const files = await this.eventFiles();
    const taken: string[] = [];
    let count = 0;
    for (const file of files) {
      if (taken.length && count + file.count > limit) break;
      taken.push(file.name);
      count += file.count;
    }
    const read: { name: string; event: AgentEvent }[][] = [];
    await inPool(taken, FILES_AT_ONCE, async (name, index) => {
      try {
        const content: unknown = JSON.parse(await fs.readFile(path.join(this.eventsFolder, name), 'utf8'));
        read[index] = (Array.isArray(content) ? (content as AgentEvent[]) : [content as AgentEvent]).map((event) => ({ name, event }));
      } catch {
        // A corrupt file cannot ever be delivered; it is removed rather than block the queue.
        await fs.rm(path.join(this.eventsFolder, name), { force: true });
      }
    });
    return read.flat();
  }

  /** Removes delivered (or dropped) files; a name given once per event is removed once. */
  async removeEvents(names: string[]): Promise<void> {
    await inPool([...new Set(names)], FILES_AT_ONCE, (name) => fs.rm(path.join(this.eventsFolder, name), { force: true }));
  }

  async counts(): Promise<{ report: boolean; events: number }> {
    return { report: (await this.pendingReport()) !== undefined, events: eventCount(await this.eventFiles()) };
  }
}

export function newEvent(fields: Omit<AgentEvent, 'id' | 'at'>, now = new Date()): AgentEvent {
  return { id: randomUUID(), at: now.toISOString(), ...fields };
}
