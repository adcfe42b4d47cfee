// Enforcement edits on disk: every stdio server of every JSON, JSONC, TOML and YAML fixture config wrapped with the guard and
// restored byte for byte; identities kept while wrapped; concurrent edits handled; nothing the user wrote lost.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enforce, restore } from '../../../src/agent/enforce/enforce.js';
import { ConcurrentModification, updateFile } from '../../../src/agent/enforce/file-update.js';
import { scan } from '../../../src/agent/discovery/scan.js';
import { copyMachine, filesUnder } from '../../helpers/machines.js';

const GUARD = { command: '/usr/local/bin/node', args: ['/opt/mcp-warden/dist/agent/cli.js', 'guard'] };
const HTTP_BASE = 'http://127.0.0.1:47318';

let machine: ReturnType<typeof copyMachine> | undefined;
afterEach(() => machine?.remove());

describe.each(['darwin', 'win32', 'linux'] as const)('on the %s machine', (name) => {
  it('wraps every stdio and remote (streamable HTTP, legacy SSE) server of its JSON, TOML and YAML configs, keeps their identity, and restores every file byte for byte', async () => {
    machine = copyMachine(name);
    const stateDir = path.join(machine.root, '.warden-state');
    const before = filesUnder(machine.root);
    const outcome = await scan({ world: machine.world });
    const result = await enforce(outcome, { stateDir, guard: GUARD, httpBase: HTTP_BASE });
    expect(result.wrapped.length).toBeGreaterThan(5);

    const wrapped = await scan({ world: machine.world });
    const remote = result.wrapped.filter(
      ({ serverId }) => outcome.result.servers.find((server) => server.id === serverId)!.transport !== 'stdio',
    );
    expect(remote.length).toBeGreaterThan(0);
    // Legacy SSE servers too: the guard serves both transports (the Windows fixture has none).
    if (name !== 'win32')
      expect(remote.some(({ serverId }) => outcome.result.servers.find((server) => server.id === serverId)!.transport === 'sse')).toBe(
        true,
      );
    for (const { serverId } of remote) {
      const entry = wrapped.result.servers.find((server) => server.id === serverId)!;
      const original = outcome.result.servers.find((server) => server.id === serverId)!;
      // The file points at the loopback guard; the inventory still shows the server it forwards to.
      expect(readFileSync(entry.configPath, 'utf8')).toContain(`${HTTP_BASE}/mcp-warden/`);
      expect({ url: entry.url, serverKey: entry.serverKey, accessType: entry.accessType }).toEqual({
        url: original.url,
        serverKey: original.serverKey,
        accessType: original.accessType,
      });
    }
    for (const { serverId } of result.wrapped.filter((item) => !remote.includes(item))) {
      const entry = wrapped.result.servers.find((server) => server.id === serverId)!;
      const original = outcome.result.servers.find((server) => server.id === serverId)!;
      expect(entry.command).toBe('/usr/local/bin/node');
      expect(entry.args.slice(0, 3)).toEqual(['/opt/mcp-warden/dist/agent/cli.js', 'guard', '--server']);
      expect(entry.args.slice(entry.args.indexOf('--') + 1)).toEqual([original.command, ...original.args]);
      // The guard does not change what the server is, nor what is found in its entry (its own
      // `--server-key` is not a credential).
      expect(entry.serverKey).toBe(original.serverKey);
      expect(entry.findings.map((finding) => finding.id)).toEqual(original.findings.map((finding) => finding.id));
    }
    // A second enforcement finds nothing left to wrap.
    expect((await enforce(wrapped, { stateDir, guard: GUARD, httpBase: HTTP_BASE })).wrapped).toEqual([]);
    // The guard's port changes: remote entries are pointed at the new one, and still restore to the user's text.
    const moved = await enforce(wrapped, { stateDir, guard: GUARD, httpBase: 'http://127.0.0.1:47319' });
    expect(moved.wrapped.map((item) => item.serverId).sort()).toEqual(remote.map((item) => item.serverId).sort());
    expect(readFileSync(wrapped.result.servers.find((server) => server.id === remote[0]!.serverId)!.configPath, 'utf8')).toContain(
      'http://127.0.0.1:47319/mcp-warden/',
    );

    const restored = await restore({ stateDir });
    expect(restored.leftAlone).toEqual([]);
    const after = filesUnder(machine.root);
    for (const [file, bytes] of before) expect(after.get(file)?.equals(bytes), file).toBe(true);
  });
});

describe('what is not wrapped, and why', () => {
  it('says so for remote servers without a running agent and builtins, and edits UTF-16 files in UTF-16', async () => {
    machine = copyMachine('darwin');
    const result = await enforce(await scan({ world: machine.world }), {
      stateDir: path.join(machine.root, '.s'),
      guard: GUARD,
      dryRun: true,
    });
    const reasons = new Map(result.skipped.map((item) => [item.name, item.reason]));
    expect(reasons.get('sentry')).toBe('remote servers are wrapped only by a running agent, whose loopback proxy serves them');
    expect(reasons.get('deno-docs')).toBe('remote servers are wrapped only by a running agent, whose loopback proxy serves them');
    expect(reasons.get('developer')).toBe('runs inside its client');
    // Each reason carries its code, which callers decide by (apply-mode.ts logs only failed edits).
    const codes = new Map(result.skipped.map((item) => [item.name, item.code]));
    expect([codes.get('sentry'), codes.get('deno-docs'), codes.get('developer')]).toEqual([
      'needs-running-agent',
      'needs-running-agent',
      'inside-client',
    ]);
    // TOML, YAML, opencode's command list and Continue's nested transport are all wrapped.
    for (const name of ['wandb', 'oc-local', '#1', 'SQLite']) expect(reasons.get(name), name).toBeUndefined();
    expect(result.wrapped.some((item) => item.file.endsWith(path.join('goose', 'config.yaml')))).toBe(true);
    machine.remove();
    machine = copyMachine('win32');
    // A UTF-16 file (as Notepad saves) is edited in UTF-16, its byte-order mark kept.
    const windows = await enforce(await scan({ world: machine.world }), { stateDir: path.join(machine.root, '.s'), guard: GUARD });
    const utf16 = windows.wrapped.find((item) =>
      readFileSync(item.file)
        .subarray(0, 2)
        .equals(Buffer.from([0xff, 0xfe])),
    );
    expect(utf16).toBeDefined();
    expect(readFileSync(utf16!.file).subarray(2).toString('utf16le')).toContain('"--server"');
  });
});

describe('editing under concurrent change', () => {
  it('starts again from the fresh text when the file changes between reading and writing, losing neither change', async () => {
    machine = copyMachine('linux');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    let interfered = false;
    await updateFile(file, (text) => text.replace('"cursor-linux"', '"cursor-linux-renamed"'), {
      backupFolder: path.join(machine.root, '.backups'),
      beforeWrite: async () => {
        if (interfered) return;
        interfered = true;
        // The user saves the file at the worst moment.
        writeFileSync(file, readFileSync(file, 'utf8').replace('"mcpServers"', '"$comment": "edited by the user", "mcpServers"'));
      },
    });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"$comment": "edited by the user"');
    expect(text).toContain('"cursor-linux-renamed"');
    expect(readdirSync(path.join(machine.root, '.backups'))).toHaveLength(1);
  });

  it('gives up, writing nothing, when the file never stops changing', async () => {
    machine = copyMachine('linux');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    let counter = 0;
    await expect(
      updateFile(file, (text) => `${text} `, {
        backupFolder: path.join(machine.root, '.backups'),
        attempts: 3,
        beforeWrite: async () => writeFileSync(file, `{"mcpServers": {}, "n": ${++counter}}`),
      }),
    ).rejects.toThrow(ConcurrentModification);
    expect(readFileSync(file, 'utf8')).toBe('{"mcpServers": {}, "n": 3}');
  });

  it('keeps the file’s permissions', async () => {
    machine = copyMachine('linux');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    const { chmodSync, statSync } = await import('node:fs');
    chmodSync(file, 0o640);
    await updateFile(file, (text) => text.replace('cursor-linux', 'cursor-linux-2'), { backupFolder: path.join(machine.root, '.backups') });
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('edits a symlinked config where it lives, keeping the link, and refuses a file that is neither UTF-8 nor UTF-16', async () => {
    machine = copyMachine('linux');
    const { lstatSync, renameSync, symlinkSync } = await import('node:fs');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    const real = path.join(machine.root, 'dotfiles-mcp.json');
    renameSync(file, real);
    symlinkSync(real, file);
    await updateFile(file, (text) => text.replace('cursor-linux', 'cursor-linux-2'), { backupFolder: path.join(machine.root, '.backups') });
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('cursor-linux-2');

    writeFileSync(real, Buffer.from('{"mcpServers": {"caf\xe9": {"command": "x"}}}', 'latin1'));
    await expect(updateFile(file, (text) => `${text} `, { backupFolder: path.join(machine.root, '.backups') })).rejects.toThrow(
      'is not UTF-8 or UTF-16; it is not edited',
    );
  });
});

describe('file encodings', () => {
  it('edits UTF-8 with a BOM and UTF-16 big endian in their own encoding, and refuses UTF-16 with an odd byte', async () => {
    machine = copyMachine('linux');
    const backups = path.join(machine.root, '.backups');
    const file = path.join(machine.root, 'config.json');
    const utf8Bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": "é"}')]);
    writeFileSync(file, utf8Bom);
    await updateFile(file, (text) => text.replace('é', 'è'), { backupFolder: backups });
    expect(readFileSync(file)).toEqual(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": "è"}')]));

    const bigEndian = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    writeFileSync(file, bigEndian('{"a": "日本"}'));
    await updateFile(file, (text) => text.replace('日本', '東京'), { backupFolder: backups });
    expect(readFileSync(file)).toEqual(bigEndian('{"a": "東京"}'));

    writeFileSync(file, Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d]));
    await expect(updateFile(file, (text) => `${text} `, { backupFolder: backups })).rejects.toThrow(
      'is not UTF-8 or UTF-16; it is not edited',
    );
  });
});

describe('restoring after the user changed things', () => {
  it('leaves an entry edited since it was wrapped, and keeps its original for later', async () => {
    machine = copyMachine('linux');
    const stateDir = path.join(machine.root, '.warden-state');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    await enforce(await scan({ world: machine.world, clients: ['cursor'] }), { stateDir, guard: GUARD });
    writeFileSync(file, readFileSync(file, 'utf8').replace('"args": [', '"env": { "DEBUG": "1" },\n      "args": ['));
    const restored = await restore({ stateDir });
    expect(restored.leftAlone).toEqual([expect.objectContaining({ reason: 'the entry was edited after it was wrapped' })]);
    const { loadLedger } = await import('../../../src/agent/enforce/ledger.js');
    expect((await loadLedger(stateDir)).entries).toHaveLength(1);
  });
});
