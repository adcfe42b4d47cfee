// What the agent still has to deliver, on disk so that nothing is lost across outages and restarts.
// Reports coalesce (the newest inventory supersedes an unsent older one); events are kept, oldest first,
// up to a bound, and each keeps its id so the server stores it exactly once.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AgentEvent, InventoryReport, Inventory } from '../../shared/protocol.js';
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
    // Names sort by time of queueing, then by id.
    await Promise.all(
      events.map((event, index) =>
        writeFileAtomic(
          path.join(this.eventsFolder, `${Date.now().toString().padStart(15, '0')}-${String(index).padStart(4, '0')}-${event.id}.json`),
          JSON.stringify(event),
        ),
      ),
    );
    const names = await this.eventNames();
    const excess = names.slice(0, Math.max(0, names.length - MAX_SPOOLED_EVENTS));
    await Promise.all(excess.map((name) => fs.rm(path.join(this.eventsFolder, name), { force: true })));
    return { dropped: excess.length };
  }

  private async eventNames(): Promise<string[]> {
    const names = await fs.readdir(this.eventsFolder).catch(() => [] as string[]);
    return names.filter((name) => name.endsWith('.json')).sort();
  }

  /** The oldest queued events, up to `limit`, with the names to remove once delivered. */
  async events(limit: number): Promise<{ name: string; event: AgentEvent }[]> {
    const names = (await this.eventNames()).slice(0, limit);
    const read = await Promise.all(
      names.map(async (name) => {
        try {
          return { name, event: JSON.parse(await fs.readFile(path.join(this.eventsFolder, name), 'utf8')) as AgentEvent };
        } catch {
          // A corrupt entry cannot ever be delivered; it is removed rather than block the queue.
          await fs.rm(path.join(this.eventsFolder, name), { force: true });
          return undefined;
        }
      }),
    );
    return read.filter((item): item is { name: string; event: AgentEvent } => item !== undefined);
  }

  async removeEvents(names: string[]): Promise<void> {
    await Promise.all(names.map((name) => fs.rm(path.join(this.eventsFolder, name), { force: true })));
  }

  async counts(): Promise<{ report: boolean; events: number }> {
    return { report: (await this.pendingReport()) !== undefined, events: (await this.eventNames()).length };
  }
}

export function newEvent(fields: Omit<AgentEvent, 'id' | 'at'>, now = new Date()): AgentEvent {
  return { id: randomUUID(), at: now.toISOString(), ...fields };
}
