// Which device a bearer token belongs to, remembered. Every agent request names its device by token, and
// looking the token up was one of the two round trips of an unchanged delta on PostgreSQL (an in-process
// answer took unchanged deltas from 2,628 to 3,723 a second at 100,000 laptops). The answer cannot go stale:
// a token is made at enrollment, never changes hands, and devices are never deleted, so each process keeps its
// own without telling the others. (Should devices ever be deleted or tokens revoked, every process must then
// forget them here.) A database restored from a backup older than a device no longer holds it: the request
// that finds so forgets its token (`forget`) and the agent enrolls again. Tokens that match no device are not
// kept: a guess costs a lookup, never a place here.
import { LRUCache } from 'lru-cache';
import type { DeviceRecord, Storage } from './storage/storage.js';

/** Devices remembered at most: 200,000 entries of a token hash and a device id are about 40 MB. */
const REMEMBERED = 200_000;

/** A device a request's token named: its id at once, its record (a read) when a route needs it. */
export interface IdentifiedDevice {
  id: string;
  tokenHash: string;
  /** Undefined when the database no longer holds the device. */
  record(): Promise<DeviceRecord | undefined>;
}

export class DeviceTokens {
  private readonly devices: LRUCache<string, string>;

  constructor(
    private readonly storage: Pick<Storage, 'deviceByTokenHash' | 'device'>,
    remembered = REMEMBERED,
  ) {
    this.devices = new LRUCache({ max: remembered });
  }

  /** A device just enrolled through this process: its first report needs no lookup. */
  remember(tokenHash: string, deviceId: string): void {
    this.devices.set(tokenHash, deviceId);
  }

  /** The database no longer holds the device this token named. */
  forget(tokenHash: string): void {
    this.devices.delete(tokenHash);
  }

  /** The device holding this token, or undefined for a token no device holds. */
  async identify(tokenHash: string): Promise<IdentifiedDevice | undefined> {
    const id = this.devices.get(tokenHash);
    if (id !== undefined) return { id, tokenHash, record: () => this.storage.device(id) };
    const record = await this.storage.deviceByTokenHash(tokenHash);
    if (!record) return undefined;
    this.devices.set(tokenHash, record.id);
    return { id: record.id, tokenHash, record: () => Promise.resolve(record) };
  }
}
