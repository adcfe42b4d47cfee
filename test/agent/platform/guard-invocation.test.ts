// The guard's contract with config files: what enforcement writes, discovery recognises and the guard parses
// is one format, so a wrapped entry keeps its server's identity and the guard knows every client it stands for.
import { describe, expect, it } from 'vitest';
import {
  formatGuardArgs,
  guardPathServerId,
  guardUrl,
  parseGuardArgs,
  parseGuardUrl,
  parseGuardedCommand,
} from '../../../src/agent/platform/guard-invocation.js';

const target = {
  serverId: '3f9c0a1b2c3d4e5f',
  serverKey: 'npm:@modelcontextprotocol/server-github',
  clients: ['claude-code', 'copilot-cli'],
  name: 'github',
};

describe('the guard’s command line', () => {
  it('round-trips: written by enforcement, parsed by the guard, the list of clients kept as a list', () => {
    const args = formatGuardArgs(target, 'npx', ['-y', '@modelcontextprotocol/server-github', '--', '--literal']);
    const parsed = parseGuardArgs(args);
    expect(parsed).toEqual({
      ok: true,
      invocation: {
        ...target,
        command: 'npx',
        args: ['-y', '@modelcontextprotocol/server-github', '--', '--literal'],
        stateDir: undefined,
      },
    });
  });

  it('is recognised in a config entry by its launcher, and nothing else is', () => {
    const wrapped = ['/usr/local/bin/mcp-warden', ['guard', ...formatGuardArgs(target, 'uvx', ['mcp-server-git'])]] as const;
    expect(parseGuardedCommand(wrapped[0], wrapped[1])).toMatchObject({
      serverKey: target.serverKey,
      clients: target.clients,
      command: 'uvx',
      args: ['mcp-server-git'],
    });
    expect(
      parseGuardedCommand(process.execPath, ['/opt/warden/dist/agent/cli.js', 'guard', ...formatGuardArgs(target, 'uvx', [])]),
    ).toMatchObject({ command: 'uvx' });
    // A server of its own that happens to take a `guard` subcommand is not MCP Warden's guard.
    expect(parseGuardedCommand('npx', ['-y', 'some-server', 'guard', '--server', 'x', '--', 'y'])).toBeUndefined();
    expect(parseGuardedCommand('mcp-warden', ['guard', '--server', 'x', '--', 'y'])).toBeUndefined();
    // An entry a later version wrapped with an option this one does not know is still recognised as guarded.
    expect(parseGuardedCommand('mcp-warden', ['guard', '--audit-level', 'full', ...formatGuardArgs(target, 'uvx', [])])).toMatchObject({
      command: 'uvx',
    });
  });

  it('says what is wrong with arguments it cannot read', () => {
    expect(parseGuardArgs(['--server', 'x', '--server-key', 'k', '--client', 'cursor'])).toEqual({
      ok: false,
      problem: 'expected `-- <command> [args…]` after the options',
    });
    expect(parseGuardArgs(['--server', 'x', '--', 'node'])).toEqual({
      ok: false,
      problem: '--server, --server-key and --client are required',
    });
    expect(parseGuardArgs(['--bogus', 'x', '--', 'node'])).toEqual({ ok: false, problem: 'unknown option --bogus' });
    expect(parseGuardArgs(['--server=x', '--server-key=k', '--client=cursor', '--state-dir', '/s', '--', 'node'])).toMatchObject({
      ok: true,
      invocation: { serverId: 'x', stateDir: '/s', name: 'x' },
    });
  });
});

describe('the guard’s loopback URL', () => {
  it('carries the original URL and round-trips, and the proxy finds the server id in its request path', () => {
    const url = guardUrl('http://127.0.0.1:47318/', 'srv/1', 'https://mcp.example.com/mcp?team=a');
    expect(parseGuardUrl(url)).toEqual({ serverId: 'srv/1', upstream: 'https://mcp.example.com/mcp?team=a' });
    expect(guardPathServerId(new URL(url).pathname + '?session=1')).toBe('srv/1');
    expect(parseGuardUrl('http://127.0.0.1:3000/mcp')).toBeUndefined();
    expect(parseGuardUrl('http://evil.example:47318/mcp-warden/x/aHR0cHM6Ly9h')).toBeUndefined();
  });
});
