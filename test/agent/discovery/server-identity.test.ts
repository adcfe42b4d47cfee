// serverKey makes "the same server" mean one thing on every machine, so a fleet-wide decision lands everywhere.
import { describe, expect, it } from 'vitest';
import { canonicalUrl, detectPackage, isPrivateHost, serverKeyOf } from '../../../src/agent/discovery/server-identity.js';

const key = (command: string, args: string[], homes: string[] = ['/Users/alice']) =>
  serverKeyOf({ transport: 'stdio', client: 'cursor', name: 'x', command, args, homes }, detectPackage(command, args));

describe('package runners', () => {
  it.each([
    ['npx', ['-y', '@modelcontextprotocol/server-github@2025.4.8'], 'npm:@modelcontextprotocol/server-github', '2025.4.8', true],
    ['npx', ['--yes', '--package=@scope/pkg@^1.2', 'pkg-bin', '--flag'], 'npm:@scope/pkg', '^1.2', false],
    ['npx', ['-p', 'mcp-remote@latest', 'mcp-remote', 'https://x'], 'npm:mcp-remote', 'latest', false],
    ['npm', ['exec', '--', 'left-pad@1.3.0'], 'npm:left-pad', '1.3.0', true],
    ['pnpm', ['dlx', 'Some-Pkg'], 'npm:some-pkg', undefined, false],
    ['bunx', ['mcp-v2-server@2.0.0'], 'npm:mcp-v2-server', '2.0.0', true],
    ['uvx', ['mcp-server-fetch'], 'pypi:mcp-server-fetch', undefined, false],
    ['uvx', ['--python', '3.12', 'Mcp_Server.Git==1.0.0'], 'pypi:mcp-server-git', '1.0.0', true],
    ['uvx', ['--from', 'git+https://github.com/x/y', 'y'], undefined, undefined, undefined],
    ['uv', ['tool', 'run', 'mcp-server-time@0.6.0'], 'pypi:mcp-server-time', '0.6.0', true],
    ['pipx', ['run', '--spec', 'mcp-server-git>=1.0', 'mcp-server-git'], 'pypi:mcp-server-git', '>=1.0', false],
    ['docker', ['run', '-i', '--rm', '-e', 'TOKEN', '-v', '/a:/b', 'mcp/fetch'], 'oci:docker.io/mcp/fetch', undefined, false],
    ['podman', ['run', '--rm', 'alpine:3.20'], 'oci:docker.io/library/alpine', '3.20', true],
    ['docker', ['container', 'run', 'ghcr.io/github/github-mcp-server:latest'], 'oci:ghcr.io/github/github-mcp-server', 'latest', false],
    ['cmd', ['/c', 'npx', '-y', '@playwright/mcp'], 'npm:@playwright/mcp', undefined, false],
    ['C:\\Program Files\\nodejs\\npx.cmd', ['-y', 'x-server'], 'npm:x-server', undefined, false],
    ['bash', ['-c', 'npx -y @scope/thing@1.0.0'], 'npm:@scope/thing', '1.0.0', true],
  ] as const)('%s %j → %s', (command, args, serverKey, version, pinned) => {
    const pkg = detectPackage(command, args);
    if (serverKey === undefined) {
      expect(pkg).toBeUndefined();
      return;
    }
    expect(`${pkg?.registry}:${pkg?.name}`).toBe(serverKey);
    expect(pkg?.version).toBe(version);
    expect(pkg?.pinned).toBe(pinned);
  });
});

describe('keys of local commands', () => {
  it('names programs on the PATH or in system folders by their name', () => {
    expect(key('/usr/local/bin/node', ['server.js'])).toBe('cmd:node server.js');
    expect(key('C:\\Program Files\\Python312\\python.exe', ['-m', 'mod'])).toBe('cmd:python -m mod');
  });

  it('writes paths in the home folder with ~, so two people with the same layout share a key', () => {
    expect(key('node', ['/Users/alice/mcp/index.js'])).toBe('cmd:node ~/mcp/index.js');
    expect(key('node', ['C:\\Users\\Bob\\mcp\\index.js'], ['C:\\Users\\bob'])).toBe('cmd:node ~/mcp/index.js');
    expect(key('/Users/alice/bin/run.sh', [])).toBe('cmd:~/bin/run.sh');
  });

  it('keeps relative scripts as written', () => {
    expect(key('./scripts/mcp.sh', ['--stdio'])).toBe('cmd:./scripts/mcp.sh --stdio');
  });
});

describe('keys of remote servers', () => {
  it.each([
    ['HTTPS://MCP.Example.com:443/mcp/?token=x#y', 'https://mcp.example.com/mcp'],
    ['http://user:pw@localhost:80/sse', 'http://localhost/sse'],
    ['https://mcp.example.com:8443/v1', 'https://mcp.example.com:8443/v1'],
  ])('%s → %s', (url, canonical) => {
    expect(canonicalUrl(url)).toBe(canonical);
  });

  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['::1', true],
    ['10.1.2.3', true],
    ['172.20.0.5', true],
    ['192.168.1.10', true],
    ['fd12:3456::1', true],
    ['::ffff:192.168.0.1', true],
    ['buildbox', true],
    ['wiki.corp', true],
    ['db.internal', true],
    ['8.8.8.8', false],
    ['mcp.example.com', false],
    ['2001:4860::8888', false],
  ])('%s is private: %s', (host, expected) => {
    expect(isPrivateHost(host)).toBe(expected);
  });

  it('counts the organisation’s domains and their subdomains as private', () => {
    expect(isPrivateHost('mcp.acme.io', ['acme.io'])).toBe(true);
    expect(isPrivateHost('acme.io', ['acme.io'])).toBe(true);
    expect(isPrivateHost('notacme.io', ['acme.io'])).toBe(false);
  });
});
