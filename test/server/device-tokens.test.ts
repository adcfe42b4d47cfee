// Devices named by their tokens: each server process remembers which device a token belongs to, so a report
// reads no device row, and never lets a remembered token speak for another device.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../../src/server/app.js';
import { DeviceTokens } from '../../src/server/device-tokens.js';
import { memoryStorage } from '../../src/server/storage/open-storage.js';
import type { Storage } from '../../src/server/storage/storage.js';
import { deltaReport, fullReport, serverEntry } from '../helpers/server-entries.js';

let storage: Storage;
const apps: FastifyInstance[] = [];

/** A server process over the shared storage, answering on loopback. */
async function serverProcess(over: Storage = storage): Promise<string> {
  const app = await buildServer({
    storage: over,
    enrollSecret: 'enroll-secret',
    adminToken: 'admin-token',
    adminName: 'admin@example.com',
  });
  apps.push(app);
  return app.listen({ port: 0, host: '127.0.0.1' });
}

/** Storage whose database can be swapped under a running process, as a restore into the live database does. */
function swappable(initial: Storage) {
  let current = initial;
  const storage = new Proxy(initial, {
    get: (_, name) => {
      const value = Reflect.get(current, name) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(current) : value;
    },
  });
  return { storage, swapTo: (next: Storage) => void (current = next) };
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined };
}

async function enroll(base: string, hostname: string) {
  const device = { hostname, platform: 'darwin', osVersion: 'Darwin 24.1', user: 'alice', agentVersion: '0.1.0' };
  const { body } = await call(base, 'POST', '/v1/enroll', { secret: 'enroll-secret', device });
  return { id: body!.deviceId as string, token: body!.token as string };
}

beforeEach(async () => {
  storage = await memoryStorage();
});
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await storage.close();
});

describe('devices named by their tokens', () => {
  it('reads no device row for the reports of a device that enrolled through this process, and reads it where a route needs it', async () => {
    const base = await serverProcess();
    const laptop = await enroll(base, 'laptop-1');
    const byToken = vi.spyOn(storage, 'deviceByTokenHash');
    const byId = vi.spyOn(storage, 'device');

    const path = `/v1/devices/${laptop.id}/inventory`;
    expect((await call(base, 'POST', path, fullReport(1, [serverEntry('fs')]), laptop.token)).body).toEqual({ acceptedRevision: 1 });
    expect((await call(base, 'POST', path, deltaReport(2, {}), laptop.token)).body).toEqual({ acceptedRevision: 2 });
    expect(byToken).not.toHaveBeenCalled();
    expect(byId).not.toHaveBeenCalled();

    // The policy route decides from the device's last-seen time whether to record this visit: it reads the row.
    expect((await call(base, 'GET', `/v1/devices/${laptop.id}/policy`, undefined, laptop.token)).status).toBe(200);
    expect(byToken).not.toHaveBeenCalled();
    expect(byId).toHaveBeenCalledTimes(1);
  });

  it('looks a device up once in a process it did not enroll through, then remembers it', async () => {
    const first = await serverProcess();
    const second = await serverProcess();
    const laptop = await enroll(first, 'laptop-1');
    const byToken = vi.spyOn(storage, 'deviceByTokenHash');

    const path = `/v1/devices/${laptop.id}/inventory`;
    expect((await call(second, 'POST', path, fullReport(1, [serverEntry('fs')]), laptop.token)).status).toBe(200);
    expect((await call(second, 'POST', path, deltaReport(2, {}), laptop.token)).status).toBe(200);
    expect((await call(second, 'GET', `/v1/devices/${laptop.id}/policy`, undefined, laptop.token)).status).toBe(200);
    expect(byToken).toHaveBeenCalledTimes(1);
  });

  it('never lets a remembered token report for another device, and remembers no token that matches none', async () => {
    const base = await serverProcess();
    const alice = await enroll(base, 'laptop-1');
    const bob = await enroll(base, 'laptop-2');
    const byToken = vi.spyOn(storage, 'deviceByTokenHash');

    const asBob = await call(base, 'POST', `/v1/devices/${bob.id}/inventory`, fullReport(1, [serverEntry('fs')]), alice.token);
    expect(asBob).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: 'unknown device or token; enroll again' } } });
    for (let attempt = 0; attempt < 2; attempt++)
      expect((await call(base, 'POST', `/v1/devices/${alice.id}/inventory`, fullReport(1, []), 'mw_dev_guessed')).status).toBe(401);
    // Each guess was looked up (none is kept), the remembered token never was.
    expect(byToken).toHaveBeenCalledTimes(2);
    const devices = await storage.devices({}, { limit: 10, sort: 'hostname', descending: false });
    expect(devices.items.map((device) => [device.hostname, device.revision])).toEqual([
      ['laptop-1', 0],
      ['laptop-2', 0],
    ]);
  });

  it('has a device the database no longer holds (restored from an older backup) enroll again when it reports', async () => {
    const database = swappable(storage);
    const base = await serverProcess(database.storage);
    const laptop = await enroll(base, 'laptop-1');
    const path = `/v1/devices/${laptop.id}/inventory`;
    expect((await call(base, 'POST', path, fullReport(1, [serverEntry('fs')]), laptop.token)).status).toBe(200);

    const backup = await memoryStorage();
    database.swapTo(backup);
    try {
      const gone = { status: 401, body: { error: { code: 'unauthorized', message: 'unknown device or token; enroll again' } } };
      expect(await call(base, 'POST', path, deltaReport(2, {}), laptop.token)).toEqual(gone);
      // Forgotten: the next request looks the token up, finds nothing, and is refused the same way.
      const byToken = vi.spyOn(backup, 'deviceByTokenHash');
      expect(await call(base, 'GET', `/v1/devices/${laptop.id}/policy`, undefined, laptop.token)).toEqual(gone);
      expect(byToken).toHaveBeenCalledTimes(1);

      const again = await enroll(base, 'laptop-1');
      expect((await call(base, 'POST', `/v1/devices/${again.id}/inventory`, fullReport(1, [serverEntry('fs')]), again.token)).status).toBe(
        200,
      );
      expect((await backup.fleetServers({}, { sort: 'name', descending: false, limit: 10 })).items.map((row) => row.deviceCount)).toEqual([
        1,
      ]);
    } finally {
      database.swapTo(storage);
      await backup.close();
    }
  });

  it.each(['events', 'policy'])(
    'has a remembered device the database lost enroll again from its %s route, which reads its row',
    async (route) => {
      const database = swappable(storage);
      const base = await serverProcess(database.storage);
      const laptop = await enroll(base, 'laptop-1');
      const backup = await memoryStorage();
      database.swapTo(backup);
      try {
        const byToken = vi.spyOn(backup, 'deviceByTokenHash');
        const request = route === 'events' ? (['POST', { events: [] }] as const) : (['GET', undefined] as const);
        expect((await call(base, request[0], `/v1/devices/${laptop.id}/${route}`, request[1], laptop.token)).status).toBe(401);
        expect(byToken).not.toHaveBeenCalled();
        // Forgotten there too: the next request looks the token up.
        expect((await call(base, 'GET', `/v1/devices/${laptop.id}/policy`, undefined, laptop.token)).status).toBe(401);
        expect(byToken).toHaveBeenCalledTimes(1);
      } finally {
        database.swapTo(storage);
        await backup.close();
      }
    },
  );

  it('keeps a remembered device through a database that cannot be reached: 503, and no enrolling again', async () => {
    const base = await serverProcess();
    const laptop = await enroll(base, 'laptop-1');
    const path = `/v1/devices/${laptop.id}/inventory`;
    const away = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const ingest = vi.spyOn(storage, 'ingest').mockRejectedValueOnce(away);
    const refused = await call(base, 'POST', path, fullReport(1, [serverEntry('fs')]), laptop.token);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { code: 'unavailable' } });
    ingest.mockRestore();

    const byToken = vi.spyOn(storage, 'deviceByTokenHash');
    expect((await call(base, 'POST', path, fullReport(1, [serverEntry('fs')]), laptop.token)).body).toEqual({ acceptedRevision: 1 });
    expect(byToken).not.toHaveBeenCalled();
  });
});

describe('DeviceTokens', () => {
  it('forgets the least recently used device past its size, and finds it again in the database', async () => {
    const records = await Promise.all(
      ['a', 'b'].map((name) =>
        storage.createDevice(
          { hostname: `laptop-${name}`, platform: 'linux', osVersion: '6', user: name, agentVersion: '0.1.0' },
          `hash-${name}`,
          new Date().toISOString(),
          undefined,
        ),
      ),
    );
    const tokens = new DeviceTokens(storage, 1);
    const byToken = vi.spyOn(storage, 'deviceByTokenHash');
    const ids = [];
    for (const name of ['a', 'a', 'b', 'a']) ids.push((await tokens.identify(`hash-${name}`))!.id);
    expect(ids).toEqual([records[0]!.id, records[0]!.id, records[1]!.id, records[0]!.id]);
    expect(byToken.mock.calls.map(([hash]) => hash)).toEqual(['hash-a', 'hash-b', 'hash-a']);
    expect(await tokens.identify('hash-nobody')).toBeUndefined();
    expect((await (await tokens.identify('hash-a'))!.record())?.hostname).toBe('laptop-a');
  });
});
