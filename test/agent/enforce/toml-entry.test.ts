// Codex's TOML: an entry is wrapped by editing only its `command` and `args` lines, whatever the layout around
// it, and put back byte for byte; the scan still sees the server it was. A blocked one is cut out and put back.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { scan } from '../../../src/agent/discovery/scan.js';
import { enforce, restore } from '../../../src/agent/enforce/enforce.js';
import { quarantineBlocked, releaseQuarantined } from '../../../src/agent/enforce/quarantine.js';
import { tomlEntryRange, tomlUnwrappableReason, wrapTomlEntryText } from '../../../src/agent/enforce/toml-entry.js';
import { copyMachine } from '../../helpers/machines.js';

const GUARD = { command: 'C:\\Program Files\\MCP Warden\\mcp-warden.exe', args: ['guard'] };
const TARGET = { serverId: 'id1', serverKey: 'npm:@modelcontextprotocol/server-github', clients: ['codex'], name: 'git hub' };

const CONFIG = `# my Codex settings
model = "gpt-5-codex"

[mcp_servers."git hub"]   # quoted name
command = 'npx'   # literal string
args = [
  "-y", # the package follows
  "@modelcontextprotocol/server-github",
]
startup_timeout_sec = 20

[mcp_servers."git hub".env]
GITHUB_PERSONAL_ACCESS_TOKEN = "FAKEghpTOKEN"

[mcp_servers.other]
command = "uvx"
args = ["mcp-server-git"]
`;

describe('a TOML entry', () => {
  it('is found with its sub-tables, and no further', () => {
    const range = tomlEntryRange(CONFIG, ['mcp_servers', 'git hub'])!;
    const entry = CONFIG.slice(range.offset, range.offset + range.length);
    expect(entry.startsWith('[mcp_servers."git hub"]')).toBe(true);
    expect(entry).toContain('GITHUB_PERSONAL_ACCESS_TOKEN');
    expect(entry).not.toContain('[mcp_servers.other]');
    expect(tomlEntryRange(CONFIG, ['mcp_servers', 'missing'])).toBeUndefined();
  });

  it('is wrapped by changing only command and args, and stays valid TOML', () => {
    const range = tomlEntryRange(CONFIG, ['mcp_servers', 'git hub'])!;
    const entry = CONFIG.slice(range.offset, range.offset + range.length);
    expect(tomlUnwrappableReason(entry)).toBeUndefined();
    const wrapped = wrapTomlEntryText(entry, GUARD, TARGET);
    const server = (parse(wrapped).mcp_servers as Record<string, Record<string, unknown>>)['git hub']!;
    expect(server.command).toBe(GUARD.command);
    expect(server.args).toEqual([
      'guard',
      '--server',
      'id1',
      '--server-key',
      TARGET.serverKey,
      '--client',
      'codex',
      '--name',
      'git hub',
      '--',
      'npx',
      '-y',
      '@modelcontextprotocol/server-github',
    ]);
    expect(server.env).toEqual({ GITHUB_PERSONAL_ACCESS_TOKEN: 'FAKEghpTOKEN' });
    expect(wrapped).toContain('# quoted name');
    expect(wrapped).toContain('startup_timeout_sec = 20');
  });

  it('says why when it cannot be wrapped', () => {
    expect(tomlUnwrappableReason('[mcp_servers.x]\ncommand = ["npx", "y"]\n')).toBe(
      'its command is not a plain `command` string (this dialect is not wrapped yet)',
    );
    expect(tomlUnwrappableReason('[mcp_servers.x]\ncommand = "npx"\nargs = "-y"\n')).toBe('its `args` is not a list of strings');
  });
});

let machine: ReturnType<typeof copyMachine> | undefined;
afterEach(() => machine?.remove());

describe('Codex on a machine', () => {
  it('wraps every stdio server of config.toml, keeps what the scan sees, and restores the file byte for byte', async () => {
    machine = copyMachine('linux');
    const file = path.join(machine.world.home, '.codex/config.toml');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, CONFIG);
    const stateDir = path.join(machine.root, '.state');
    const outcome = await scan({ world: machine.world, clients: ['codex'] });
    const result = await enforce(outcome, { stateDir, guard: GUARD });
    expect(result.wrapped.map((item) => item.name).sort()).toEqual(['git hub', 'other']);

    const after = await scan({ world: machine.world, clients: ['codex'] });
    for (const name of ['git hub', 'other']) {
      const before = outcome.result.servers.find((server) => server.name === name && server.configPath === file)!;
      const now = after.result.servers.find((server) => server.name === name && server.configPath === file)!;
      expect(now.serverKey).toBe(before.serverKey);
      expect(now.envKeys).toEqual(before.envKeys);
    }
    expect(readFileSync(file, 'utf8')).toContain('# my Codex settings');

    // The user appends a table of their own meanwhile: both entries still go back, and the new table stays.
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n[profiles.fast]\nmodel = "gpt-5-mini"\n`);
    expect((await restore({ stateDir })).leftAlone).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(`${CONFIG}\n[profiles.fast]\nmodel = "gpt-5-mini"\n`);
  });
});

describe('a blocked Codex server', () => {
  it('is cut out with its sub-tables, and put back byte for byte, or at the end when the file changed', async () => {
    machine = copyMachine('linux');
    const file = path.join(machine.world.home, '.codex/config.toml');
    writeFileSync(file, CONFIG);
    const stateDir = path.join(machine.root, '.state');
    const outcome = await scan({ world: machine.world, clients: ['codex'] });
    const blocked = outcome.result.servers.find((server) => server.name === 'git hub')!;
    const policy = {
      version: 'p',
      defaultVerdict: 'allow' as const,
      rules: [
        {
          id: 'r',
          target: { serverKey: blocked.serverKey },
          agents: ['codex'],
          verdict: 'block' as const,
          justification: 'use the GitHub app',
          markedBy: 'sec',
          updatedAt: '2026-11-01T00:00:00Z',
        },
      ],
    };

    await quarantineBlocked(outcome, { stateDir, policy, deviceIps: [] });
    const cut = parse(readFileSync(file, 'utf8')) as { model: string; mcp_servers: Record<string, unknown> };
    expect(Object.keys(cut.mcp_servers)).toEqual(['other']);
    expect(cut.model).toBe('gpt-5-codex');
    expect(readFileSync(file, 'utf8')).not.toContain('GITHUB_PERSONAL_ACCESS_TOKEN');

    await releaseQuarantined({ stateDir, policy: undefined, deviceIps: [], all: true });
    expect(readFileSync(file, 'utf8')).toBe(CONFIG);

    await quarantineBlocked(outcome, { stateDir, policy, deviceIps: [] });
    writeFileSync(file, `approval_policy = "on-request"\n${readFileSync(file, 'utf8')}`);
    await releaseQuarantined({ stateDir, policy: undefined, deviceIps: [], all: true });
    const back = parse(readFileSync(file, 'utf8')) as { approval_policy: string; mcp_servers: Record<string, { env?: unknown }> };
    expect(back.approval_policy).toBe('on-request');
    expect(back.mcp_servers['git hub']!.env).toEqual({ GITHUB_PERSONAL_ACCESS_TOKEN: 'FAKEghpTOKEN' });

    // Cut again; the user adds the same server back by hand: theirs stays, and no second table is made.
    await quarantineBlocked(await scan({ world: machine.world, clients: ['codex'] }), { stateDir, policy, deviceIps: [] });
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n[mcp_servers."git hub"]\ncommand = "npx"\n`);
    await releaseQuarantined({ stateDir, policy: undefined, deviceIps: [], all: true });
    const mine = parse(readFileSync(file, 'utf8')) as { mcp_servers: Record<string, { command: string; args?: unknown }> };
    expect(mine.mcp_servers['git hub']).toEqual({ command: 'npx' });
  });
});
