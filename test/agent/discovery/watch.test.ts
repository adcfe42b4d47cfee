// `watch` notices every kind of change as it happens on disk: new files in folders that did not exist,
// broken and fixed files, edited and removed servers, editors' atomic saves, and new project files.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScanChange } from '../../../src/agent/discovery/diff.js';
import { type Watching, watchConfigs } from '../../../src/agent/discovery/watch.js';
import { CLI, copyMachine, expectNoPlantedSecret, machineFlags } from '../../helpers/machines.js';

const WAIT_MS = 8_000;

/** Collects changes and waits (bounded) for one that matches. */
function changeLog() {
  const changes: ScanChange[] = [];
  const waiting: { test: (change: ScanChange) => boolean; resolve: (change: ScanChange) => void }[] = [];
  return {
    changes,
    push(batch: ScanChange[]) {
      changes.push(...batch);
      for (const change of batch) {
        for (const waiter of [...waiting]) {
          if (waiter.test(change)) {
            waiting.splice(waiting.indexOf(waiter), 1);
            waiter.resolve(change);
          }
        }
      }
    },
    next(test: (change: ScanChange) => boolean): Promise<ScanChange> {
      const seen = changes.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching change within ${WAIT_MS} ms; saw ${JSON.stringify(changes.map((change) => change.kind))}`)),
          WAIT_MS,
        );
        waiting.push({ test, resolve: (change) => (clearTimeout(timer), resolve(change)) });
      });
    },
  };
}

describe('watching configs in process', () => {
  let machine: ReturnType<typeof copyMachine>;
  let watching: Watching;
  let log: ReturnType<typeof changeLog>;
  const home = () => machine.world.home;

  beforeEach(async () => {
    machine = copyMachine('linux');
    log = changeLog();
    watching = await watchConfigs({ world: machine.world, debounceMs: 100, onChanges: (batch) => log.push(batch) });
  });
  afterEach(async () => {
    await watching.close();
    machine.remove();
  });

  it('sees a server added in a file whose folders did not exist yet', async () => {
    mkdirSync(path.join(home(), '.config/Trae/User'), { recursive: true });
    writeFileSync(
      path.join(home(), '.config/Trae/User/mcp.json'),
      JSON.stringify({ mcpServers: { 'trae-new': { command: 'uvx', args: ['mcp-server-time'] } } }),
    );
    const change = await log.next((entry) => entry.kind === 'server-added');
    expect(change).toMatchObject({ kind: 'server-added', server: { client: 'trae', name: 'trae-new', serverKey: 'pypi:mcp-server-time' } });
  });

  it('sees a file break, with its line, and then get fixed', async () => {
    const file = path.join(home(), '.cursor/mcp.json');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, '{\n  "mcpServers": {\n    "x": \n');
    expect(await log.next((entry) => entry.kind === 'file-broken')).toMatchObject({ source: { status: 'invalid', error: { line: 4 } } });
    expect(await log.next((entry) => entry.kind === 'server-removed')).toMatchObject({ server: { name: 'cursor-linux' } });
    writeFileSync(file, good);
    expect(await log.next((entry) => entry.kind === 'file-fixed')).toMatchObject({ source: { status: 'ok' } });
  });

  it('sees a server change, saying which fields, through an editor’s atomic save', async () => {
    const file = path.join(home(), '.kiro/settings/mcp.json');
    writeFileSync(
      `${file}.tmp`,
      JSON.stringify({ mcpServers: { 'kiro-linux': { command: 'uvx', args: ['mcp-server-time==0.6.2'], disabled: true } } }),
    );
    renameSync(`${file}.tmp`, file);
    const change = await log.next((entry) => entry.kind === 'server-changed');
    expect(change).toMatchObject({
      kind: 'server-changed',
      server: { name: 'kiro-linux', disabled: true },
      fields: ['args', 'disabled', 'findings', 'package'],
    });
  });

  it('sees a server removed', async () => {
    writeFileSync(path.join(home(), '.lmstudio/mcp.json'), JSON.stringify({ mcpServers: {} }));
    expect(await log.next((entry) => entry.kind === 'server-removed')).toMatchObject({
      server: { client: 'lm-studio', name: 'lms-linux' },
    });
  });

  it('sees a new config file inside a project the clients remember', async () => {
    mkdirSync(path.join(machine.root, 'home/carol/code/app/.roo'));
    writeFileSync(
      path.join(machine.root, 'home/carol/code/app/.roo/mcp.json'),
      JSON.stringify({ mcpServers: { 'roo-project': { type: 'streamable-http', url: 'https://roo.example.com/mcp' } } }),
    );
    expect(await log.next((entry) => entry.kind === 'server-added')).toMatchObject({
      server: { client: 'roo-code', name: 'roo-project', scope: 'project' },
    });
  });

  it('stays quiet when files it does not care about change', async () => {
    writeFileSync(path.join(home(), 'notes.txt'), 'hello');
    mkdirSync(path.join(home(), 'Documents/deep'), { recursive: true });
    writeFileSync(path.join(home(), 'Documents/deep/mcp.json'), '{}');
    await new Promise((resolve) => setTimeout(resolve, 600));
    await watching.settled();
    expect(log.changes).toEqual([]);
  });
});

describe('mcp-warden watch', () => {
  let machine: ReturnType<typeof copyMachine>;
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeEach(() => {
    machine = copyMachine('darwin');
  });
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    machine.remove();
  });

  it('prints a JSON line per change, never a secret, and stops cleanly on Ctrl-C', async () => {
    child = spawn(process.execPath, [CLI, 'watch', '--json', '--debounce-ms', '100', ...machineFlags('darwin', machine.root)]);
    let output = '';
    const lineMatching = (pattern: RegExp) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in:\n${output}`)), WAIT_MS);
        const check = () => {
          const line = output.split('\n').find((candidate) => pattern.test(candidate));
          if (line) {
            clearTimeout(timer);
            child!.stdout.off('data', onData);
            resolve(line);
          }
        };
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          check();
        };
        child!.stdout.on('data', onData);
        check();
      });

    await lineMatching(/"event":"ready"/);
    const file = path.join(machine.world.home, 'Library/Application Support/Claude/claude_desktop_config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.mcpServers.memory = {
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-memory'],
      env: { MEMORY_TOKEN: 'sk-ant-api03-FAKEwatchSECRETabcdefghij0123456789' },
    };
    writeFileSync(file, JSON.stringify(config));
    const added = JSON.parse(await lineMatching(/"event":"server-added"/));
    expect(added).toMatchObject({ event: 'server-added', server: { client: 'claude-desktop', name: 'memory', envKeys: ['MEMORY_TOKEN'] } });
    expect(expectNoPlantedSecret(output)).toEqual([]);

    child.kill('SIGINT');
    const code = await new Promise((resolve) => child!.once('exit', resolve));
    expect(code).toBe(0);
  });
});
