// SQLite's server index (which devices run each server) lives in a file of its own beside the database, kept
// by a worker thread. What an admin must never see: a device missing from a server's list after a restart, a
// restore, or the file lost or damaged; what the agents must never see: a report refused because of it.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { buildServer } from '../../src/server/app.js';
import { openStorage } from '../../src/server/storage/open-storage.js';
import type { Storage } from '../../src/server/storage/storage.js';
import { serverIndexFile } from '../../src/server/storage/server-index.js';
import type { ProbeResult } from '../../src/shared/inventory.js';
import { deltaReport, fullReport, serverEntry } from '../helpers/server-entries.js';

const NOW = '2026-12-01T12:00:00.000Z';
let folder: string;
let file: string;
const opened: Storage[] = [];

beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-server-index-'));
  file = path.join(folder, 'mcp-warden.sqlite');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((storage) => storage.close()));
  rmSync(folder, { recursive: true, force: true });
});

async function open(): Promise<Storage> {
  const storage = await openStorage({ dialect: 'sqlite', file }, { eventRetentionDays: 30 });
  opened.push(storage);
  return storage;
}

async function close(storage: Storage): Promise<void> {
  opened.splice(opened.indexOf(storage), 1);
  await storage.close();
}

/** Laptops that each report `fs`, named in order. */
async function laptops(storage: Storage, names: string[]): Promise<void> {
  for (const hostname of names) {
    const device = await storage.createDevice(
      { hostname, platform: 'darwin', osVersion: '24', user: 'alice', agentVersion: '0.1.0' },
      randomUUID(),
      NOW,
      undefined,
    );
    await storage.ingest(device.id, fullReport(1, [serverEntry('fs'), serverEntry(`own-${hostname}`)]), NOW);
  }
}

async function hostsOf(storage: Storage, serverKey = 'npm:fs'): Promise<string[]> {
  const page = await storage.serverDevices(serverKey, undefined, { sort: 'hostname', descending: false, limit: 500 });
  return page.items.map((row) => row.hostname);
}

const names = (count: number, from = 0) => Array.from({ length: count }, (_, index) => `host-${String(from + index).padStart(3, '0')}`);

describe('the SQLite server index', () => {
  it('lists every device a report was accepted for, even when the server stopped before the index applied it', async () => {
    let storage = await open();
    await laptops(storage, names(150));
    // Closed at once: what the worker had not applied yet waits in the database for the next start.
    await close(storage);
    storage = await open();
    expect(await hostsOf(storage)).toEqual(names(150));
    expect(await hostsOf(storage, 'npm:own-host-149')).toEqual(['host-149']);
    // Once applied, the changes are let go of, a few write batches later.
    await laptops(storage, names(300, 150));
    await hostsOf(storage);
    await laptops(storage, names(1, 450));
    await close(storage);
    const database = new Database(file, { readonly: true });
    expect((database.prepare('select count(*) as pending from server_device_changes').get() as { pending: number }).pending).toBeLessThan(
      250,
    );
    database.close();
  });

  it('is built again from the database when its file is deleted or damaged', async () => {
    let storage = await open();
    await laptops(storage, names(20));
    expect(await hostsOf(storage)).toHaveLength(20);
    await close(storage);

    rmSync(serverIndexFile(file));
    storage = await open();
    expect(await hostsOf(storage)).toEqual(names(20));
    await close(storage);

    for (const suffix of ['', '-wal', '-shm']) rmSync(`${serverIndexFile(file)}${suffix}`, { force: true });
    writeFileSync(serverIndexFile(file), 'not a database, but a file of the same name '.repeat(200));
    storage = await open();
    expect(await hostsOf(storage)).toEqual(names(20));
    await laptops(storage, names(1, 20));
    expect(await hostsOf(storage)).toEqual(names(21));
  });

  it('keeps accepting reports while its worker keeps failing, says what to do, and holds every one once rebuilt', async () => {
    const warnings: string[] = [];
    const warned = (warning: Error) => warning.name === 'ServerIndexWarning' && warnings.push(warning.message);
    process.on('warning', warned);
    onTestFinished(() => void process.off('warning', warned));
    let storage = await open();
    await laptops(storage, names(5));
    expect(await hostsOf(storage)).toEqual(names(5));
    // A change the worker cannot apply (a damaged row): every worker started again fails on it too.
    const database = new Database(file);
    database.prepare('insert into server_device_changes (change) values (?)').run('not a change');
    database.close();

    await laptops(storage, names(3, 5));
    const unusable =
      /^the server index \(mcp-warden\.sqlite-servers, beside the database\) cannot be used \(.+\); the database holds all it held: stop the server, delete that file/;
    await expect(hostsOf(storage)).rejects.toThrow(unusable);
    // Started again after a while, it fails again; the reports and the rest of the console go on meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await laptops(storage, names(2, 8));
    await expect(hostsOf(storage)).rejects.toThrow(unusable);
    // The counts live in the same file: the servers list says so too; the devices list goes on.
    await expect(storage.fleetServers({ search: 'fs' }, { sort: 'name', descending: false, limit: 10 })).rejects.toThrow(unusable);
    const devices = await storage.devices({}, { sort: 'hostname', descending: false, limit: 50 });
    expect(devices.items.map((device) => device.hostname)).toEqual(names(10));
    // The server's log says it once, however often the worker was started again.
    expect(warnings).toEqual([expect.stringMatching(unusable)]);
    // An admin asking for that list is told, not handed an internal error.
    const app = await buildServer({ storage, enrollSecret: 'enroll', adminToken: 'admin-token', adminName: 'admin@example.com' });
    const answer = await app.inject({ url: '/v1/admin/servers/npm%3Afs/devices', headers: { authorization: 'Bearer admin-token' } });
    await app.close();
    expect(answer.statusCode).toBe(503);
    expect(answer.json().error).toEqual({ code: 'needs-operator', message: expect.stringMatching(unusable) });
    await close(storage);

    // What the message says to do: the index is built again from the database, with every report in it.
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${serverIndexFile(file)}${suffix}`, { force: true });
    storage = await open();
    expect(await hostsOf(storage)).toEqual(names(10));
    const servers = await storage.fleetServers({ search: 'fs' }, { sort: 'name', descending: false, limit: 10 });
    expect(servers.items.map((row) => [row.serverKey, row.deviceCount])).toEqual([['npm:fs', 10]]);
  });

  it('counts the fleet again from the database when its file is lost: the devices, entries and risks the reports had counted', async () => {
    const later = '2026-12-02T09:00:00.000Z';
    const probe = (severity: 'low' | 'critical'): ProbeResult =>
      ({
        status: 'ok',
        durationMs: 5,
        probedAt: later,
        tools: [],
        resources: [],
        resourceTemplates: [],
        prompts: [],
        risks: [{ id: 'writes-files', severity, evidence: 'write_file' }],
      }) as ProbeResult;
    const secret = { findings: [{ id: 'plaintext-secret', severity: 'high' as const, evidence: 'env API_TOKEN' }] };
    let storage = await open();
    // Once the worker is up, every report below is folded as it arrives, not counted at its start.
    await hostsOf(storage);
    const ids: string[] = [];
    for (const [index, hostname] of names(6).entries()) {
      const device = await storage.createDevice(
        { hostname, platform: 'linux', osVersion: '6', user: 'bob', agentVersion: '0.1.0' },
        randomUUID(),
        NOW,
        undefined,
      );
      ids.push(device.id);
      const servers = [
        serverEntry('fs'),
        serverEntry('git', { client: index % 2 ? 'claude-code' : 'cursor' }),
        serverEntry(`own-${index}`),
      ];
      await storage.ingest(device.id, fullReport(1, index < 3 ? [...servers, serverEntry('fetch', { name: 'Fetch' })] : servers), NOW);
    }
    await hostsOf(storage);
    // A day later: git gets a secret in its config everywhere, two laptops drop fs, fetch is renamed, the probes
    // of fs and git come in, and one laptop leaves for another agent.
    for (const [index, id] of ids.entries()) {
      const servers = [
        ...(index < 2 ? [] : [serverEntry('fs')]),
        serverEntry('git', { client: index % 2 ? 'claude-code' : 'cursor', ...secret }),
        serverEntry(`own-${index}`, index === 5 ? { client: 'windsurf' } : {}),
        ...(index < 3 ? [serverEntry('fetch', { name: 'Fetch (renamed)' })] : []),
      ];
      const probes = index === 2 ? { [serverEntry('fs').id]: probe('critical'), [serverEntry('git').id]: probe('low') } : undefined;
      await storage.ingest(id, fullReport(2, servers, probes ? { inventory: { sources: [], servers, probes } } : {}), later);
    }
    await storage.ingest(ids[4]!, deltaReport(3, { removed: [serverEntry('own-4').id] }), later);
    const counted = async (from: Storage) => ({
      servers: (await from.fleetServers({}, { sort: 'name', descending: false, limit: 500 })).items.map(
        ({ lastUpdated: _changed, ...server }) => server,
      ),
      agents: await from.agentStats(),
    });
    const folded = await counted(storage);
    expect(folded.servers.find((server) => server.serverKey === 'npm:fetch')).toMatchObject({ name: 'Fetch (renamed)', deviceCount: 3 });
    expect(folded.servers.find((server) => server.serverKey === 'npm:fs')).toMatchObject({ deviceCount: 4, risk: 'critical' });
    expect(folded.servers.filter((server) => server.serverKey === 'npm:git').map((server) => [server.agent, server.risk])).toEqual([
      ['claude-code', 'high'],
      ['cursor', 'high'],
    ]);
    expect(folded.agents.map((agent) => [agent.agent, agent.deviceCount])).toEqual([
      ['claude-code', 3],
      ['cursor', 6],
      ['windsurf', 1],
    ]);
    await close(storage);

    for (const suffix of ['', '-wal', '-shm']) rmSync(`${serverIndexFile(file)}${suffix}`, { force: true });
    storage = await open();
    expect(await counted(storage)).toEqual(folded);
  });

  it('counts each report once while a command opened beside the server keeps the same file', async () => {
    const server = await open();
    await laptops(server, names(30));
    // A command run on the endpoint's machine (an admin token, say) opens the same database, and the file with it.
    const command = await open();
    await laptops(server, names(30, 30));
    await laptops(command, names(10, 60));
    await laptops(server, names(10, 70));
    for (const storage of [server, command]) {
      const servers = await storage.fleetServers({ search: 'npm:fs' }, { sort: 'name', descending: false, limit: 10 });
      expect(servers.items.map((row) => [row.serverKey, row.deviceCount])).toEqual([['npm:fs', 80]]);
      expect(await hostsOf(storage)).toEqual(names(80));
    }
  });

  it('follows a database restored from an older backup, not the history after it', async () => {
    let storage = await open();
    await laptops(storage, names(10));
    await hostsOf(storage);
    const backup = path.join(folder, 'backup.sqlite');
    const live = new Database(file, { readonly: true });
    await live.backup(backup);
    live.close();
    await laptops(storage, names(5, 10));
    expect(await hostsOf(storage)).toHaveLength(15);
    await close(storage);

    // The restore, as docs/deploy-server.md says: the database file only; the index file stays as it was.
    for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    renameSync(backup, file);
    expect(existsSync(serverIndexFile(file))).toBe(true);
    storage = await open();
    expect(await hostsOf(storage)).toEqual(names(10));
    await laptops(storage, names(2, 100));
    expect(await hostsOf(storage)).toEqual([...names(10), ...names(2, 100)]);
  });
});
