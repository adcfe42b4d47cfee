// Reads of a Storage for tests: whole lists, page after page, oldest event first.
import type { Kysely } from 'kysely';
import type { WardenDatabase } from '../../src/server/storage/schema.js';
import type { DeviceRecord, EventFilter, Storage, StoredEvent } from '../../src/server/storage/storage.js';

export async function allEvents(storage: Storage, filter: EventFilter = {}): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let after: readonly (string | number)[] | undefined;
  do {
    const page = await storage.events(filter, { sort: 'at', descending: false, limit: 500, after });
    events.push(...page.items);
    after = page.next;
  } while (after);
  return events;
}

export async function allDevices(storage: Storage): Promise<DeviceRecord[]> {
  return (await storage.devices({}, { sort: 'hostname', descending: false, limit: 500 })).items;
}

/** Names of the servers a device loads, as the fleet lists them. */
export async function serverNamesOf(storage: Storage, deviceId: string): Promise<string[]> {
  return (await storage.fleetServers({ deviceId }, { sort: 'name', descending: false, limit: 500 })).items.map((server) => server.name);
}

/** The database behind a storage, to see or stage what no API shows (report receipts, a restored backup). */
export function database(storage: Storage): Kysely<WardenDatabase> {
  return (storage as unknown as { db: Kysely<WardenDatabase> }).db;
}

export async function rowCount(storage: Storage, table: keyof WardenDatabase): Promise<number> {
  const row = await database(storage)
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
