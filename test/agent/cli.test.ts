// The `mcp-warden` command as a user runs it: the built file, in a child process, with real exit codes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScanResult } from '../../src/shared/inventory.js';
import { CLI, REPO, expectNoPlantedSecret, machineFlags } from '../helpers/machines.js';

function run(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('mcp-warden scan', () => {
  it('prints JSON that matches the published schema, with no secret in it', () => {
    const { code, stdout, stderr } = run('scan', '--json', ...machineFlags('darwin'));
    expect(code, stderr).toBe(0);
    const parsed = ScanResult.parse(JSON.parse(stdout));
    expect(parsed.schemaVersion).toBe(1);
    expect(parsed.servers).toHaveLength(84);
    expect(expectNoPlantedSecret(stdout)).toEqual([]);
  });

  it('prints a table per client, then the files it could not read, and still exits 0', () => {
    const { code, stdout } = run('scan', ...machineFlags('broken'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^11 MCP servers in 7 config files from 5 clients; 7 files could not be read\n/);
    expect(stdout).toContain('\nClaude Code (4)\n  NAME           TRANSPORT  SCOPE  COMMAND / URL');
    expect(stdout).toMatch(
      /Files that could not be read\n {2}invalid +Claude Desktop: ~\/\.config\/Claude\/claude_desktop_config\.json:3:53 {2}invalid JSON: trailing commas are not allowed in strict JSON/,
    );
    expect(stdout).toContain('Entries skipped or partly read\n  ~/.claude.json:10:17  server "a-string": entry is a string, not an object');
  });

  it('shows redacted commands, disabled servers and findings in the table', () => {
    const { stdout } = run('scan', '--client', 'claude-desktop', '--client', 'windsurf', ...machineFlags('darwin'));
    expect(stdout).toMatch(
      /local-notes +stdio +user +node \/Users\/alice\/mcp\/notes\/dist\/index\.js --api-key <redacted> +plaintext-secret/,
    );
    expect(stdout).toMatch(/brave-search \(disabled\) +stdio/);
    expect(stdout).not.toContain('Cursor');
  });

  it('finds projects under --scan-root', () => {
    const root = path.join(REPO, 'test/fixtures/machines/linux');
    const { stdout } = run(
      'scan',
      '--json',
      '--client',
      'cursor',
      '--home',
      path.join(root, 'home/carol'),
      '--platform',
      'linux',
      '--scan-root',
      path.join(root, 'home'),
    );
    const servers = ScanResult.parse(JSON.parse(stdout)).servers.map((server) => `${server.scope} ${server.name}`);
    expect(servers).toEqual(['user cursor-linux', 'project cursor-project']);
  });

  it.each([
    [['scan', '--bogus'], /Unknown option '--bogus'/],
    [['scan', '--platform', 'beos'], /--platform beos: expected darwin, win32 or linux/],
    [['scan', '--home', '/no/such/folder'], /--home \/no\/such\/folder: no such folder/],
    [['scan', '--client', 'emacs'], /--client emacs: unknown; known clients: claude-desktop/],
    [['scan', '--scan-depth', '99'], /--scan-depth: expected a whole number from 0 to 20/],
    [
      ['scan', '--probe', '--probe-mode', 'sometimes'],
      /--probe-mode "sometimes" is not a valid probing: Invalid option: expected one of "all"\|"remote-only"\|"off"/,
    ],
    [['scan', '--probe', '--probe-projects', 'mine'], /--probe-projects "mine" is not a valid project servers/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('%j is a usage mistake: exit 2 with a hint', (args, message) => {
    const { code, stderr } = run(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('has help and a version', () => {
    expect(run('--help').stdout).toMatch(
      /scan +list every MCP server configured on this machine\n +watch +.*\n +inspect +one server in full/,
    );
    expect(run('scan', '--help').stdout).toContain('--scan-root DIR');
    expect(run('help', 'watch').stdout).toContain('Usage: mcp-warden watch');
    const { version } = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(run('--version').stdout.trim()).toBe(version);
  });
});
