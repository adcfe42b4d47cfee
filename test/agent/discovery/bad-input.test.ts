// Bad input gets a clear status and message, and the rest of the scan goes on. The committed `broken`
// machine holds what git can store; the rest (huge, looping, unreadable, special files) is made here.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, promises as fsp, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nestingError } from '../../../src/agent/discovery/parse/positions.js';
import { readConfigText } from '../../../src/agent/discovery/read-text.js';
import { scan } from '../../../src/agent/discovery/scan.js';
import { CLI, copyMachine, machineFlags, scanMachine } from '../../helpers/machines.js';

describe('the committed broken machine', () => {
  it('gives each broken file a status, a reason and a position', async () => {
    const { result } = await scanMachine('broken');
    const broken = result.sources
      .filter((source) => source.status !== 'ok' && source.status !== 'missing')
      .map(
        (source) =>
          `${source.client} ${source.status} ${source.error?.line ?? '-'}:${source.error?.column ?? '-'} ${source.error?.message}`,
      );
    expect(broken).toEqual([
      'claude-desktop invalid 3:53 invalid JSON: trailing commas are not allowed in strict JSON',
      'cursor invalid 4:5 invalid JSONC: comma expected',
      'codex invalid 3:47 invalid TOML: control characters are not allowed in strings',
      'goose invalid 5:3 invalid YAML: the same key appears twice in one mapping',
      'lm-studio invalid -:- binary file, not text (NUL byte at offset 7)',
      'amazon-q invalid -:- file is empty',
      'junie invalid -:- not UTF-8 text (invalid byte sequence at offset 20)',
    ]);
  });

  it('keeps the good entries of a file whose other entries are bad, saying why each bad one was skipped', async () => {
    const { result } = await scanMachine('broken');
    const claude = result.sources.find((source) => source.client === 'claude-code' && source.path.endsWith('.claude.json'))!;
    expect(claude.status).toBe('ok');
    expect(claude.warnings?.map((warning) => `${warning.line}:${warning.column} ${warning.message}`)).toEqual([
      '10:17 server "a-string": entry is a string, not an object',
      '11:22 server "args-not-list": "args" should be a list of strings',
      '15:16 server "nothing": neither a command nor a url: the client cannot start it',
      '20:17 server "bad-type": unknown transport type "carrier-pigeon"',
      '24:19 server "env-number": "env.NESTED" is an object, not a string',
    ]);
    const names = result.servers.filter((server) => server.client === 'claude-code').map((server) => server.name);
    expect(names).toEqual(['args-not-list', 'bad-type', 'env-number', 'good']);
    expect(result.servers.find((server) => server.name === 'env-number')).toMatchObject({ args: ['s.js', '42'], envKeys: ['PORT'] });
  });

  it('treats `__proto__` and `constructor` as ordinary server names, polluting nothing', async () => {
    const { result } = await scanMachine('broken');
    expect(result.servers.filter((server) => server.client === 'kiro').map((server) => server.name)).toEqual([
      '__proto__',
      'constructor',
      'ok',
    ]);
    expect(({} as Record<string, unknown>).command).toBeUndefined();
  });

  it('warns about a server defined twice and keeps the one the client uses', async () => {
    const { result } = await scanMachine('broken');
    const windsurf = result.sources.find((source) => source.client === 'windsurf' && source.status === 'ok')!;
    expect(windsurf.warnings).toEqual([
      { server: 'dup', message: 'server "dup" is defined twice in "mcpServers"; the client uses the last one', line: 4, column: 5 },
    ]);
    expect(result.servers.find((server) => server.name === 'dup')?.command).toBe('second');
  });

  it('says when the servers key has the wrong shape, and names list entries without a name', async () => {
    const { result } = await scanMachine('broken');
    expect(result.sources.find((source) => source.client === 'gemini-cli' && source.scope === 'user')?.warnings?.[0]?.message).toBe(
      '"mcpServers" should be an object of servers keyed by name',
    );
    expect(result.servers.filter((server) => server.client === 'continue').map((server) => server.name)).toEqual(['#1', 'named']);
  });

  it('says when a file holds something other than an object at the top', async () => {
    const { result } = await scanMachine('broken');
    expect(result.sources.find((source) => source.client === 'qwen-code' && source.scope === 'user')).toMatchObject({
      status: 'ok',
      serverCount: 0,
      warnings: [{ message: 'the file should hold an object at the top level', line: 1, column: 1 }],
    });
  });

  it('reads a UTF-8 file that starts with a byte-order mark', async () => {
    const { result } = await scanMachine('broken');
    expect(result.servers.find((server) => server.client === 'copilot-cli')?.name).toBe('bom');
  });
});

describe('bad input made at test time', () => {
  let machine: ReturnType<typeof copyMachine>;
  const home = () => machine.world.home;
  const sourceAt = async (relative: string) => {
    const { result } = await scan({ world: machine.world });
    return { source: result.sources.find((entry) => entry.path === path.join(home(), relative)), result };
  };

  beforeEach(() => {
    machine = copyMachine('linux');
  });
  afterEach(() => machine.remove());

  it('refuses a 50 MB file without reading it, and scans the rest', async () => {
    truncateSync(path.join(home(), '.cursor/mcp.json'), 50 * 1024 * 1024);
    const { source, result } = await sourceAt('.cursor/mcp.json');
    expect(source).toMatchObject({
      status: 'too-large',
      error: { message: 'file is 50.0 MiB, over the 16.0 MiB limit for a config file' },
    });
    expect(result.servers.length).toBe(28);
  });

  it('reports a symbolic link loop', async () => {
    const file = path.join(home(), '.kiro/settings/mcp.json');
    rmSync(file);
    symlinkSync(`${file}.b`, file);
    symlinkSync(file, `${file}.b`);
    const { source } = await sourceAt('.kiro/settings/mcp.json');
    expect(source).toMatchObject({ status: 'unreadable', error: { message: 'symbolic link loop' } });
  });

  it('survives a symlink loop among the folders it lists and searches', async () => {
    symlinkSync(path.join(home(), '.gemini/extensions'), path.join(home(), '.gemini/extensions-loop'));
    mkdirSync(path.join(home(), '.gemini/extensions'), { recursive: true });
    symlinkSync(path.join(home(), '.gemini/extensions'), path.join(home(), '.gemini/extensions/self'));
    const { result } = await scan({ world: machine.world, scanRoots: [home()], scanDepth: 8 });
    expect(result.servers.length).toBe(29);
  });

  it('reports permission denied', async () => {
    const file = path.join(home(), '.lmstudio/mcp.json');
    chmodSync(file, 0o000);
    if (process.getuid?.() !== 0) {
      const { source } = await sourceAt('.lmstudio/mcp.json');
      expect(source).toMatchObject({ status: 'unreadable', error: { message: 'permission denied' } });
      return;
    }
    // Root reads anything: run the real command as an unprivileged user instead.
    chmodSync(machine.root, 0o755);
    const run = spawnSync(process.execPath, [CLI, 'scan', '--json', ...machineFlags('linux', machine.root)], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { sources: { path: string; status: string; error?: { message: string } }[] };
    expect(result.sources.find((entry) => entry.path === file)).toMatchObject({
      status: 'unreadable',
      error: { message: 'permission denied' },
    });
  });

  it.each([
    ['.cursor/mcp.json', '['.repeat(200_000)],
    ['.codex/config.toml', `a = ${'['.repeat(5_000)}`],
    ['.config/goose/config.yaml', `extensions: ${'['.repeat(50_000)}`],
  ])('reports %s nested too deeply instead of overflowing', async (relative, text) => {
    writeFileSync(path.join(home(), relative), text);
    const { source, result } = await sourceAt(relative);
    expect(source?.status).toBe('invalid');
    expect(source?.error?.message).toMatch(/^nested too deeply to read/);
    expect(result.servers.length).toBeGreaterThan(20);
  });

  it('calls only a stack overflow nesting, not any RangeError', () => {
    expect(nestingError(new RangeError('Maximum call stack size exceeded'))?.message).toMatch(/^nested too deeply to read/);
    expect(nestingError(new RangeError('Invalid string length'))).toBeUndefined();
  });

  it('refuses a YAML file that expands aliases without end', async () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefg'[index]}`).join(', ')}]`),
      'extensions: *h',
    ].join('\n');
    writeFileSync(path.join(home(), '.config/goose/config.yaml'), bomb);
    const { source } = await sourceAt('.config/goose/config.yaml');
    expect(source).toMatchObject({ status: 'invalid' });
    expect(source?.error?.message).toMatch(/alias/i);
  });

  it('does not hang on a named pipe where a config file should be', async () => {
    const file = path.join(home(), '.junie/mcp/mcp.json');
    unlinkSync(file);
    spawnSync('mkfifo', [file]);
    const { source } = await sourceAt('.junie/mcp/mcp.json');
    expect(source).toMatchObject({ status: 'invalid', error: { message: 'not a regular file' } });
  });

  it('reports a folder where a config file should be', async () => {
    const file = path.join(home(), '.codeium/windsurf/mcp_config.json');
    unlinkSync(file);
    mkdirSync(file);
    const { source } = await sourceAt('.codeium/windsurf/mcp_config.json');
    expect(source).toMatchObject({ status: 'invalid', error: { message: 'is a folder, not a file' } });
  });

  it('reports a file deleted between finding it and reading it as missing', async () => {
    const file = path.join(home(), '.aws/amazonq/mcp.json');
    const open = fsp.open.bind(fsp);
    const spy = vi.spyOn(fsp, 'open').mockImplementation(async (target, ...rest) => {
      if (target === file) unlinkSync(file);
      return open(target, ...(rest as [string]));
    });
    try {
      expect(await readConfigText(file)).toEqual({ status: 'missing', message: 'file does not exist' });
    } finally {
      spy.mockRestore();
    }
  });
});
