// Goose's and Continue's YAML: an entry is wrapped by editing only its command and args, whatever its layout
// (block or flow, comments, CRLF), and put back byte for byte; the scan still sees the server it was. A blocked
// one is cut out (a map or list left empty stays one) and put back where it was, or by key.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scan } from '../../../src/agent/discovery/scan.js';
import { enforce, restore } from '../../../src/agent/enforce/enforce.js';
import { quarantineBlocked, releaseQuarantined } from '../../../src/agent/enforce/quarantine.js';
import {
  wrapYamlEntryText,
  yamlCutRange,
  yamlEntryRange,
  yamlInsertByKey,
  yamlUnwrappableReason,
} from '../../../src/agent/enforce/yaml-entry.js';
import type { Policy } from '../../../src/shared/policy.js';
import { copyMachine } from '../../helpers/machines.js';

const GUARD = { command: '/opt/MCP Warden/mcp-warden', args: ['guard'] };
const TARGET = { serverId: 'id1', serverKey: 'npm:@modelcontextprotocol/server-github', clients: ['goose'], name: 'github' };

const GOOSE = `GOOSE_MODEL: gpt-4o
extensions:
  github:
    args:   # what npx runs
    - -y
    - '@modelcontextprotocol/server-github'
    cmd: npx   # the runner
    enabled: true
    envs: {}
  git: {cmd: uvx, args: [mcp-server-git], type: stdio}
  bare:
    cmd: uvx
    type: stdio
# the end
`;

const entryAt = (text: string, keyPath: (string | number)[]) => {
  const range = yamlEntryRange(text, keyPath)!;
  return { range, text: text.slice(range.offset, range.offset + range.length) };
};
const wrapIn = (text: string, keyPath: (string | number)[]) => {
  const { range, text: entry } = entryAt(text, keyPath);
  return text.slice(0, range.offset) + wrapYamlEntryText(entry, GUARD, TARGET) + text.slice(range.offset + range.length);
};

describe('a YAML entry', () => {
  it('is wrapped in block and flow layouts, with or without args, leaving every other line as it was', () => {
    let text = GOOSE;
    for (const name of ['bare', 'git', 'github']) text = wrapIn(text, ['extensions', name]);
    const extensions = (parse(text) as { extensions: Record<string, { cmd: string; args: string[]; enabled?: boolean; type?: string }> })
      .extensions;
    expect(extensions.github).toMatchObject({
      cmd: GUARD.command,
      enabled: true,
      args: [
        'guard',
        '--server',
        'id1',
        '--server-key',
        TARGET.serverKey,
        '--client',
        'goose',
        '--name',
        'github',
        '--',
        'npx',
        '-y',
        '@modelcontextprotocol/server-github',
      ],
    });
    expect(extensions.git).toMatchObject({ cmd: GUARD.command, type: 'stdio' });
    expect(extensions.git!.args.slice(-2)).toEqual(['uvx', 'mcp-server-git']);
    expect(extensions.bare!.args.slice(-2)).toEqual(['--', 'uvx']);
    // Comments and the lines around stay.
    expect(text).toContain('cmd: "/opt/MCP Warden/mcp-warden"   # the runner');
    expect(text).toContain('GOOSE_MODEL: gpt-4o\n');
    expect(text.endsWith('    type: stdio\n# the end\n')).toBe(true);
  });

  it('keeps Windows line endings', () => {
    const crlf = GOOSE.replace(/\n/g, '\r\n');
    const text = wrapIn(crlf, ['extensions', 'bare']);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect((parse(text) as { extensions: { bare: { args: string[] } } }).extensions.bare.args.at(-1)).toBe('uvx');
  });

  it('says why it is not wrapped: anchors, args that are not strings, no command', () => {
    expect(yamlUnwrappableReason('cmd: &runner npx\n    args: [a]')).toBe(
      'it uses YAML anchors or aliases, which an edit could change elsewhere',
    );
    expect(yamlUnwrappableReason('cmd: npx\n    args: [1, 2]')).toBe('its `args` is not a list of strings');
    expect(yamlUnwrappableReason('type: builtin\n    name: developer')).toBe(
      'its command is not a plain `command` string (this dialect is not wrapped yet)',
    );
  });

  it('is cut as whole lines; the last one of a map or list leaves an empty one that puts back byte for byte', () => {
    const cut = yamlCutRange(GOOSE, ['extensions', 'git'])!;
    expect(GOOSE.slice(cut.offset, cut.offset + cut.length)).toBe('  git: {cmd: uvx, args: [mcp-server-git], type: stdio}\n');
    expect(cut.placeholder).toBeUndefined();
    const list = 'mcpServers:\n- name: only\n  command: npx\nother: 1\n';
    const only = yamlCutRange(list, ['mcpServers', 0])!;
    const cutText = list.slice(0, only.offset) + only.placeholder + list.slice(only.offset + only.length);
    expect(parse(cutText)).toEqual({ mcpServers: [], other: 1 });
  });

  it('is put back by key at the end of its map or list when its old place is gone, unless it is there again', () => {
    expect(parse(yamlInsertByKey('extensions:\n  a: {cmd: x}\n', ['extensions'], '  git:\n    cmd: uvx\n'))).toEqual({
      extensions: { a: { cmd: 'x' }, git: { cmd: 'uvx' } },
    });
    expect(parse(yamlInsertByKey('mcpServers: []\n', ['mcpServers'], '  - name: SQLite\n    command: npx\n'))).toEqual({
      mcpServers: [{ name: 'SQLite', command: 'npx' }],
    });
    const present = 'mcpServers:\n  - name: SQLite\n    command: uvx\n';
    expect(yamlInsertByKey(present, ['mcpServers'], '  - name: SQLite\n    command: npx\n')).toBe(present);
  });
});

let machine: ReturnType<typeof copyMachine> | undefined;
afterEach(() => machine?.remove());

describe('Goose and Continue configs on a machine', () => {
  it('are wrapped, seen as the same servers, and restored byte for byte', async () => {
    machine = copyMachine('linux');
    const stateDir = path.join(machine.root, '.state');
    const file = path.join(machine.world.home, '.continue/config.yaml');
    mkdirSync(path.dirname(file), { recursive: true });
    const original =
      'name: Team\r\nmcpServers:\r\n  - name: first\r\n    command: npx\r\n    args: ["-y", "mcp-sqlite"]   # pinned later\r\n  - name: second\r\n    command: uvx\r\n    args:\r\n      - mcp-server-git\r\n';
    writeFileSync(file, original);
    const before = await scan({ world: machine.world, clients: ['continue'] });
    const result = await enforce(before, { stateDir, guard: GUARD });
    expect(result.wrapped.map((item) => item.name).sort()).toEqual(['first', 'second']);
    const after = await scan({ world: machine.world, clients: ['continue'] });
    for (const server of before.result.servers) {
      const wrapped = after.result.servers.find((other) => other.id === server.id)!;
      expect({ serverKey: wrapped.serverKey, name: wrapped.name }).toEqual({ serverKey: server.serverKey, name: server.name });
      expect(wrapped.command).toBe(GUARD.command);
    }
    expect(readFileSync(file, 'utf8')).toContain('   # pinned later\r\n');
    expect((await restore({ stateDir })).leftAlone).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('take blocked list items out from the last, and put every byte back', async () => {
    machine = copyMachine('linux');
    const stateDir = path.join(machine.root, '.state');
    const file = path.join(machine.world.home, '.continue/config.yaml');
    mkdirSync(path.dirname(file), { recursive: true });
    const original =
      'mcpServers:\n  - name: a\n    command: npx\n    args: [a-server]\n  - name: keep\n    command: npx\n    args: [keep-server]\n  - name: c\n    command: npx\n    args: [c-server]\n';
    writeFileSync(file, original);
    const outcome = await scan({ world: machine.world, clients: ['continue'] });
    const keyOf = (name: string) => outcome.result.servers.find((server) => server.name === name)!.serverKey;
    const rule = (serverKey: string, id: string) => ({
      id,
      target: { serverKey },
      agents: ['*'],
      verdict: 'block' as const,
      justification: 'not reviewed',
      markedBy: 'sec@example.com',
      updatedAt: '2026-11-01T00:00:00Z',
    });
    const policy: Policy = { version: 'v1', defaultVerdict: 'allow', rules: [rule(keyOf('a'), 'r1'), rule(keyOf('c'), 'r2')] };
    const taken = await quarantineBlocked(outcome, { stateDir, policy, deviceIps: [] });
    expect(taken).toHaveLength(2);
    expect(parse(readFileSync(file, 'utf8'))).toEqual({ mcpServers: [{ name: 'keep', command: 'npx', args: ['keep-server'] }] });
    await releaseQuarantined({ stateDir, policy: { ...policy, version: 'v2', rules: [] }, deviceIps: [] });
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});
