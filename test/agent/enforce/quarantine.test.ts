// Quarantine on disk: servers the organisation blocks are taken out of their configs, which stay valid and keep
// everything else; lifting the block puts each back byte for byte, or by key when the user edited around it.
import { parse, type ParseError } from 'jsonc-parser';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { scan } from '../../../src/agent/discovery/scan.js';
import { applyMode } from '../../../src/agent/enforce/apply-mode.js';
import { loadLedger } from '../../../src/agent/enforce/ledger.js';
import { decodeForEditing } from '../../../src/agent/enforce/text-encoding.js';
import { CLAUDE_CODE_CONTROL, controlAllowances, controlDenials, writeNativeControl } from '../../../src/agent/enforce/native-controls.js';
import { quarantineBlocked, releaseQuarantined } from '../../../src/agent/enforce/quarantine.js';
import type { Policy } from '../../../src/shared/policy.js';
import { copyMachine, filesUnder } from '../../helpers/machines.js';

const blockAll: Policy = { version: 'v1', defaultVerdict: 'block', rules: [] };
const allowAll: Policy = { version: 'v2', defaultVerdict: 'allow', rules: [] };
const blockOne = (serverKey: string, agent: string): Policy => ({
  version: 'v3',
  defaultVerdict: 'allow',
  rules: [
    {
      id: 'r1',
      target: { serverKey },
      agents: [agent],
      verdict: 'block',
      justification: 'exfiltrates customer data',
      markedBy: 'sec@example.com',
      updatedAt: '2026-11-01T00:00:00Z',
    },
  ],
});

let machine: ReturnType<typeof copyMachine> | undefined;
afterEach(() => machine?.remove());

describe.each(['darwin', 'win32', 'linux'] as const)('on the %s machine', (name) => {
  it('takes every blocked user and project server out of its JSON, JSONC, TOML or YAML config, leaving valid files, and puts every byte back', async () => {
    machine = copyMachine(name);
    const stateDir = path.join(machine.root, '.warden-state');
    const before = filesUnder(machine.root);
    const outcome = await scan({ world: machine.world });
    const taken = await quarantineBlocked(outcome, { stateDir, policy: blockAll, deviceIps: [] });
    expect(taken.length).toBeGreaterThan(5);

    const after = await scan({ world: machine.world });
    const takenIds = new Set(taken.flatMap((record) => record.servers.map((server) => server.id)));
    expect(after.result.servers.filter((server) => takenIds.has(server.id))).toEqual([]);
    // What was not taken (managed configs, extensions, builtins) is all still there.
    expect(after.result.servers.map((server) => server.id).sort()).toEqual(
      outcome.result.servers
        .filter((server) => !takenIds.has(server.id))
        .map((server) => server.id)
        .sort(),
    );
    // Every edited file still parses, without a new error.
    for (const file of new Set(taken.map((record) => record.file))) {
      if (file.endsWith('.toml')) {
        expect(() => parseToml(readFileSync(file, 'utf8')), file).not.toThrow();
        continue;
      }
      if (/\.ya?ml$/.test(file)) {
        expect(parseDocument(readFileSync(file, 'utf8')).errors, file).toEqual([]);
        continue;
      }
      const errors: ParseError[] = [];
      // Read as the client would: UTF-16 files (Notepad's) stay UTF-16.
      parse(decodeForEditing(readFileSync(file), file).text, errors, { allowTrailingComma: true });
      expect(errors, file).toEqual([]);
    }
    expect(taken.some((record) => record.file.endsWith('config.toml'))).toBe(true);
    // A YAML map or list left empty still reads as one: Goose and Continue expect a map and a list there.
    const yamlFiles = [...new Set(taken.map((record) => record.file))].filter((file) => file.endsWith('config.yaml'));
    expect(yamlFiles.length).toBeGreaterThanOrEqual(2);
    for (const file of yamlFiles) {
      const value = parseDocument(readFileSync(file, 'utf8')).toJS() as { extensions?: unknown; mcpServers?: unknown };
      // Goose's builtin extensions too: out of the file is the only way to stop one running inside its client.
      expect(file.includes('goose') ? value.extensions : value.mcpServers, file).toEqual(file.includes('goose') ? {} : []);
    }
    expect((await loadLedger(stateDir)).quarantine).toHaveLength(taken.length);

    // Still blocked: nothing comes back.
    expect(await releaseQuarantined({ stateDir, policy: blockAll, deviceIps: [] })).toEqual([]);
    const released = await releaseQuarantined({ stateDir, policy: allowAll, deviceIps: [] });
    expect(released).toHaveLength(taken.length);
    const restored = filesUnder(machine.root);
    for (const [file, bytes] of before) expect(restored.get(file)?.equals(bytes), file).toBe(true);
    expect((await loadLedger(stateDir)).quarantine).toEqual([]);
  });
});

describe('one blocked server among others', () => {
  it('takes out only it, for the client the rule names, and puts it back by key when the user edited around it', async () => {
    machine = copyMachine('darwin');
    const stateDir = path.join(machine.root, '.warden-state');
    const outcome = await scan({ world: machine.world });
    const file = outcome.result.servers.find((server) => server.client === 'claude-desktop' && server.scope === 'user')!.configPath;
    const inFile = outcome.result.servers.filter((server) => server.configPath === file);
    expect(inFile.length).toBeGreaterThan(2);
    const target = inFile[1]!;
    const policy = blockOne(target.serverKey, 'claude-desktop');

    const taken = await quarantineBlocked(outcome, { stateDir, policy, deviceIps: [] });
    expect(taken.flatMap((record) => record.servers.map((server) => server.name))).toContain(target.name);
    const config = parse(readFileSync(file, 'utf8'));
    expect(Object.keys(config.mcpServers)).not.toContain(target.name);
    expect(Object.keys(config.mcpServers).sort()).toEqual(
      inFile
        .map((server) => server.name)
        .filter((serverName) => serverName !== target.name)
        .sort(),
    );

    // The user adds a server at the top while the blocked one is out.
    const edited = readFileSync(file, 'utf8').replace(
      '"mcpServers": {',
      '"mcpServers": {\n    "added-meanwhile": { "command": "uvx", "args": ["mcp-server-time"] },',
    );
    writeFileSync(file, edited);
    await releaseQuarantined({ stateDir, policy: allowAll, deviceIps: [] });
    const back = parse(readFileSync(file, 'utf8'));
    expect(back.mcpServers['added-meanwhile']).toEqual({ command: 'uvx', args: ['mcp-server-time'] });
    expect(back.mcpServers[target.name]).toBeDefined();
    const rescanned = (await scan({ world: machine.world })).result.servers.find(
      (server) => server.configPath === file && server.name === target.name,
    );
    expect(rescanned?.serverKey).toBe(target.serverKey);
  });

  it('leaves a file that is the only one with the blocked server as a valid, empty servers map', async () => {
    machine = copyMachine('linux');
    const stateDir = path.join(machine.root, '.warden-state');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    const before = readFileSync(file, 'utf8');
    const outcome = await scan({ world: machine.world });
    await quarantineBlocked(outcome, { stateDir, policy: blockOne('npm:@modelcontextprotocol/server-memory', 'cursor'), deviceIps: [] });
    expect(parse(readFileSync(file, 'utf8'))).toEqual({ mcpServers: {} });
    await releaseQuarantined({ stateDir, policy: undefined, deviceIps: [], all: true });
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe("the clients' own denylists and allowlists", () => {
  it('lists blocked Claude Code servers in the managed deniedMcpServers beside IT entries, and takes only its own out again', async () => {
    machine = copyMachine('darwin');
    const stateDir = path.join(machine.root, '.warden-state');
    const managed = path.join(machine.root, 'Library/Application Support/ClaudeCode/managed-settings.json');
    const itOwn =
      '{\n  // IT: nobody uses this one\n  "deniedMcpServers": [{ "serverName": "legacy-tool" }],\n  "permissions": { "deny": ["Bash(curl:*)"] }\n}\n';
    writeFileSync(managed, itOwn);
    const outcome = await scan({ world: machine.world });
    // A project server with a plain command line, and one whose arguments hold a password.
    const target = outcome.result.servers.find((server) => server.client === 'claude-code' && server.name === 'playwright')!;
    const secretive = outcome.result.servers.find((server) => server.client === 'claude-code' && server.name === 'postgres')!;
    const policy: Policy = {
      ...blockOne(target.serverKey, 'claude-code'),
      rules: [...blockOne(target.serverKey, 'claude-code').rules, { ...blockOne(secretive.serverKey, 'claude-code').rules[0]!, id: 'r2' }],
    };
    const world = machine.world;

    await applyMode(outcome, {
      mode: 'enforce',
      stateDir,
      world,
      policy,
      deviceIps: [],
      now: () => new Date(),
      log: () => {},
      rescan: () => scan({ world }),
    });
    const written = parse(readFileSync(managed, 'utf8'));
    expect(written.permissions).toEqual({ deny: ['Bash(curl:*)'] });
    expect(written.deniedMcpServers[0]).toEqual({ serverName: 'legacy-tool' });
    expect(written.deniedMcpServers).toContainEqual({ serverCommand: [target.command, ...target.args] });
    // The password stays out of a file every user can read: that one is denied by name.
    expect(written.deniedMcpServers).toContainEqual({ serverName: 'postgres' });
    expect(readFileSync(managed, 'utf8')).not.toContain('postgresql://');
    expect(readFileSync(managed, 'utf8')).toContain('// IT: nobody uses this one');

    await applyMode(await scan({ world }), {
      mode: 'monitor',
      stateDir,
      world,
      policy,
      deviceIps: [],
      now: () => new Date(),
      log: () => {},
      rescan: () => scan({ world }),
    });
    expect(parse(readFileSync(managed, 'utf8'))).toEqual(parse(itOwn));
    expect(readFileSync(managed, 'utf8')).toContain('// IT: nobody uses this one');
  });

  it('creates the managed file when there is none, and removes it again', async () => {
    machine = copyMachine('linux');
    const stateDir = path.join(machine.root, '.warden-state');
    const managed = path.join(machine.root, 'etc/claude-code/managed-settings.json');
    const world = machine.world;
    rmSync(managed); // a machine where IT has written no Claude Code settings
    const outcome = await scan({ world });
    const target = outcome.result.servers.find((server) => server.client === 'claude-code')!;
    const result = await writeNativeControl(
      CLAUDE_CODE_CONTROL,
      {
        denied: await controlDenials(CLAUDE_CODE_CONTROL, outcome, {
          world,
          stateDir,
          policy: blockOne(target.serverKey, 'claude-code'),
          deviceIps: [],
          now: new Date(),
        }),
      },
      { world, stateDir },
    );
    expect(result.file).toBe(managed);
    expect(parse(readFileSync(managed, 'utf8')).deniedMcpServers.length).toBeGreaterThan(0);
    await writeNativeControl(CLAUDE_CODE_CONTROL, { denied: [] }, { world, stateDir });
    expect(existsSync(managed)).toBe(false);
  });

  it('writes an allowlist of the approved servers when the organisation blocks what it has not reviewed, never over IT’s own', async () => {
    machine = copyMachine('linux');
    const stateDir = path.join(machine.root, '.warden-state');
    const managed = path.join(machine.root, 'etc/claude-code/managed-settings.json');
    const world = machine.world;
    const itOwn = readFileSync(managed, 'utf8');
    const outcome = await scan({ world });
    const approved = outcome.result.servers.find((server) => server.client === 'claude-code')!;
    const denyByDefault: Policy = {
      version: 'v9',
      defaultVerdict: 'block',
      rules: [
        {
          id: 'ok',
          target: { serverKey: approved.serverKey },
          agents: ['*'],
          verdict: 'allow',
          justification: 'reviewed',
          markedBy: 'sec@example.com',
          updatedAt: '2026-11-01T00:00:00Z',
        },
      ],
    };
    expect(controlAllowances(CLAUDE_CODE_CONTROL, outcome, { policy: allowAll, deviceIps: [], now: new Date() })).toBeUndefined();
    const allowances = controlAllowances(CLAUDE_CODE_CONTROL, outcome, { policy: denyByDefault, deviceIps: [], now: new Date() })!;
    expect(allowances).toEqual([{ serverName: approved.name }]);

    await applyMode(outcome, {
      mode: 'enforce',
      stateDir,
      world,
      policy: denyByDefault,
      deviceIps: [],
      now: () => new Date(),
      log: () => {},
      rescan: () => scan({ world }),
    });
    expect(parse(readFileSync(managed, 'utf8')).allowedMcpServers).toEqual([{ serverName: approved.name }]);
    await applyMode(await scan({ world }), {
      mode: 'monitor',
      stateDir,
      world,
      policy: denyByDefault,
      deviceIps: [],
      now: () => new Date(),
      log: () => {},
      rescan: () => scan({ world }),
    });
    expect(parse(readFileSync(managed, 'utf8')).allowedMcpServers).toBeUndefined();
    expect(readFileSync(managed, 'utf8')).toBe(itOwn);

    // IT's own allowlist is neither widened nor replaced, and the agent says so.
    const withIts = itOwn.replace(/\{/, '{\n  "allowedMcpServers": [{ "serverName": "it-approved" }],');
    writeFileSync(managed, withIts);
    const said: string[] = [];
    await applyMode(await scan({ world }), {
      mode: 'enforce',
      stateDir,
      world,
      policy: denyByDefault,
      deviceIps: [],
      now: () => new Date(),
      log: (line) => said.push(line),
      rescan: () => scan({ world }),
    });
    expect(parse(readFileSync(managed, 'utf8')).allowedMcpServers).toEqual([{ serverName: 'it-approved' }]);
    expect(said.join('\n')).toContain("has IT's own allowedMcpServers: left as it is");
  });

  it("writes VS Code's policy file on Linux: its denylist and allowlist as the JSON strings VS Code reads, IT's keys kept", async () => {
    machine = copyMachine('linux');
    const stateDir = path.join(machine.root, '.warden-state');
    const policyFile = path.join(machine.root, 'etc/vscode/policy.json');
    const world = machine.world;
    mkdirSync(path.dirname(policyFile), { recursive: true });
    const itOwn = '{\n  "UpdateMode": "none",\n  "ChatDeniedMcpServers": "[{\\"serverName\\":\\"it-banned\\"}]"\n}\n';
    writeFileSync(policyFile, itOwn);
    const outcome = await scan({ world });
    const [blocked, approved] = outcome.result.servers.filter((server) => server.client === 'vscode');
    const policy: Policy = {
      version: 'v7',
      defaultVerdict: 'block',
      rules: [
        {
          id: 'ok',
          target: { serverKey: approved!.serverKey },
          agents: ['vscode'],
          verdict: 'allow',
          justification: 'reviewed',
          markedBy: 'sec@example.com',
          updatedAt: '2026-11-01T00:00:00Z',
        },
      ],
    };
    await applyMode(outcome, {
      mode: 'enforce',
      stateDir,
      world,
      policy,
      deviceIps: [],
      now: () => new Date(),
      log: () => {},
      rescan: () => scan({ world }),
    });
    // VS Code parses the file with JSON.parse: it must stay strict JSON.
    const written = JSON.parse(readFileSync(policyFile, 'utf8')) as Record<string, string>;
    expect(written.UpdateMode).toBe('none');
    const denied = JSON.parse(written.ChatDeniedMcpServers!) as object[];
    expect(denied[0]).toEqual({ serverName: 'it-banned' });
    expect(denied).toContainEqual({ serverCommand: [blocked!.command, ...blocked!.args] });
    expect(JSON.parse(written.ChatAllowedMcpServers!)).toEqual([{ serverName: approved!.name }]);

    await applyMode(await scan({ world }), {
      mode: 'monitor',
      stateDir,
      world,
      policy,
      deviceIps: [],
      now: () => new Date(),
      log: () => {},
      rescan: () => scan({ world }),
    });
    expect(readFileSync(policyFile, 'utf8')).toBe(itOwn);
  });

  it("registry-only: quarantines what the registry does not list, points VS Code's gallery at it, keeps IT's own gallery, and undoes it all", async () => {
    machine = copyMachine('linux');
    const stateDir = path.join(machine.root, '.warden-state');
    const policyFile = path.join(machine.root, 'etc/vscode/policy.json');
    const world = machine.world;
    const outcome = await scan({ world });
    const vscode = outcome.result.servers.filter((server) => server.client === 'vscode');
    const [listed, unlisted] = vscode;
    const policy: Policy = {
      version: 'v8',
      defaultVerdict: 'allow',
      rules: [],
      registry: { mode: 'only', serverKeys: [listed!.serverKey] },
    };
    const said: string[] = [];
    const run = (mode: 'enforce' | 'monitor', given: Policy = policy) =>
      applyMode(outcome, {
        mode,
        stateDir,
        world,
        policy: given,
        deviceIps: [],
        registryUrl: 'https://warden.corp.example',
        now: () => new Date(),
        log: (line) => said.push(line),
        rescan: () => scan({ world }),
      });
    const applied = await run('enforce');
    expect(applied.quarantined.map((server) => server.serverKey)).toContain(unlisted!.serverKey);
    expect(applied.quarantined.map((server) => server.serverKey)).not.toContain(listed!.serverKey);
    const written = JSON.parse(readFileSync(policyFile, 'utf8')) as Record<string, string>;
    expect(written).toMatchObject({ McpGalleryServiceUrl: 'https://warden.corp.example', ChatMCP: 'registry' });

    // The gallery only: VS Code lists the registry, and runs what it ran before.
    await run('enforce', { ...policy, registry: { mode: 'gallery', serverKeys: [listed!.serverKey] } });
    const gallery = JSON.parse(readFileSync(policyFile, 'utf8')) as Record<string, string>;
    expect(gallery.McpGalleryServiceUrl).toBe('https://warden.corp.example');
    expect(gallery.ChatMCP).toBeUndefined();

    await run('monitor');
    expect(existsSync(policyFile)).toBe(false);

    // IT's own gallery is theirs: the agent leaves it, says so, and still adds what IT did not set.
    mkdirSync(path.dirname(policyFile), { recursive: true });
    writeFileSync(policyFile, '{ "McpGalleryServiceUrl": "https://registry.it.example" }\n');
    await run('enforce');
    const beside = JSON.parse(readFileSync(policyFile, 'utf8')) as Record<string, string>;
    expect(beside).toMatchObject({ McpGalleryServiceUrl: 'https://registry.it.example', ChatMCP: 'registry' });
    expect(said.join('\n')).toContain("has IT's own McpGalleryServiceUrl: left as it is");
    await run('monitor');
    expect(JSON.parse(readFileSync(policyFile, 'utf8'))).toEqual({ McpGalleryServiceUrl: 'https://registry.it.example' });

    // A value the agent wrote and IT changed afterwards is IT's from then on: neither rewritten nor taken out.
    writeFileSync(policyFile, '{}\n');
    await run('enforce');
    const edited = { ...(JSON.parse(readFileSync(policyFile, 'utf8')) as Record<string, string>), ChatMCP: 'none' };
    writeFileSync(policyFile, JSON.stringify(edited));
    await run('enforce');
    expect(JSON.parse(readFileSync(policyFile, 'utf8'))).toMatchObject({
      ChatMCP: 'none',
      McpGalleryServiceUrl: 'https://warden.corp.example',
    });
    await run('monitor');
    expect(JSON.parse(readFileSync(policyFile, 'utf8'))).toEqual({ ChatMCP: 'none' });
  });
});
