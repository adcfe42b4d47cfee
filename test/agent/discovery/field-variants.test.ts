// Every field variant the clients use, read from the fixture machines: command shapes, URL keys, type values,
// env and header names, enable flags, auto-approve lists, VS Code inputs and variables, comments and commas.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServerEntry } from '../../../src/shared/inventory.js';
import { scanMachine } from '../../helpers/machines.js';

let servers: ServerEntry[];
function server(client: string, name: string): ServerEntry {
  const found = servers.find((entry) => entry.client === client && entry.name === name);
  if (!found) throw new Error(`no server ${client}/${name}`);
  return found;
}

const secretFindings = (entry: ServerEntry) => entry.findings.filter((finding) => finding.id === 'plaintext-secret');

beforeAll(async () => {
  servers = (await scanMachine('darwin')).result.servers;
});

describe('command, args, env, envFile and cwd', () => {
  it('reads command and args as written', () => {
    expect(server('claude-desktop', 'filesystem')).toMatchObject({
      transport: 'stdio',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/alice/Documents', '/Users/alice/Desktop'],
      package: { registry: 'npm', name: '@modelcontextprotocol/server-filesystem', pinned: false },
    });
  });

  it('splits opencode’s command list into the executable and its arguments, and reads `environment`', () => {
    expect(server('opencode', 'oc-local')).toMatchObject({
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-everything'],
      envKeys: ['MY_ENV_VAR'],
    });
  });

  it('reads Goose’s cmd, envs and env_keys', () => {
    expect(server('goose', 'github')).toMatchObject({
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-github'],
      envKeys: ['OPENAI_API_KEY', 'GITHUB_PERSONAL_ACCESS_TOKEN'],
    });
  });

  it('reads Zed’s older nested command object', () => {
    expect(server('zed', 'old-style')).toMatchObject({ command: '/usr/local/bin/old-mcp', args: ['--stdio'] });
  });

  it('reads Continue’s legacy `transport` block', () => {
    expect(server('continue', '#1')).toMatchObject({ command: 'uvx', args: ['mcp-server-sqlite', '--db-path', '/Users/alice/test.db'] });
  });

  it('keeps envFile, cwd and Warp’s working_directory as paths', () => {
    expect(server('vscode', 'memory').envFile).toBe('${workspaceFolder}/.env');
    expect(server('vscode', 'perplexity').cwd).toBe('/Users/alice/src/perplexity-mcp');
    expect(server('warp', 'warp-local').cwd).toBe('/Users/alice');
  });

  it('lists Codex’s forwarded variables and headers by name', () => {
    expect(server('codex', 'docs').envKeys).toEqual(['API_KEY', 'HOME', 'GITHUB_TOKEN']);
    expect(server('codex', 'figma').headerKeys).toEqual(['X-Figma-Region', 'X-Team', 'Authorization']);
  });
});

describe('remote servers: url, serverUrl, httpUrl, uri and transport types', () => {
  it.each([
    ['claude-code', 'sentry', 'http'], // type: http
    ['claude-code', 'linear', 'sse'], // type: sse
    ['vscode', 'github-remote', 'http'],
    ['windsurf', 'supabase', 'http'], // serverUrl
    ['antigravity', 'ag-remote', 'http'], // serverUrl
    ['gemini-cli', 'legacy-sse', 'sse'], // Gemini: url is SSE
    ['gemini-cli', 'streaming', 'http'], // Gemini: httpUrl is streamable HTTP
    ['qwen-code', 'qwen-http', 'http'],
    ['goose', 'remotehttp', 'http'], // uri + streamable_http
    ['roo-code', 'roo-remote', 'http'], // streamable-http
    ['cline', 'cline-legacy', 'http'], // streamableHttp
    ['cline', 'cline-remote', 'sse'], // Cline: a url without a type is SSE
    ['opencode', 'oc-remote', 'http'], // remote
    ['cursor', 'remote-sse', 'sse'], // no type, /sse path
    ['continue', 'Remote Search', 'http'],
  ])('%s %s is %s', (client, name, transport) => {
    expect(server(client, name).transport).toBe(transport);
  });

  it('treats stdio and local as stdio', () => {
    expect(server('vscode', 'memory').transport).toBe('stdio');
    expect(server('copilot-cli', 'copilot-local').transport).toBe('stdio');
    expect(server('opencode', 'oc-local').transport).toBe('stdio');
  });

  it('keeps header names (from headers, http_headers and Continue’s requestOptions) and never their values', () => {
    expect(server('vscode', 'github-remote').headerKeys).toEqual(['Authorization']);
    expect(server('continue', 'Remote Search').headerKeys).toEqual(['Authorization']);
    expect(JSON.stringify(servers)).not.toContain('Bearer ');
  });
});

describe('servers run inside the client', () => {
  it('keeps Goose builtins and Zed extension servers, with nothing to launch', () => {
    expect(server('goose', 'developer')).toMatchObject({ transport: 'stdio', serverKey: 'builtin:goose/developer', accessType: 'local' });
    expect(server('goose', 'developer').command).toBeUndefined();
    expect(server('zed', 'mcp-server-context7')).toMatchObject({ serverKey: 'builtin:zed/mcp-server-context7', args: [] });
  });
});

describe('enabled, disabled and auto-approve', () => {
  it.each([
    ['windsurf', 'brave-search', true], // disabled: true
    ['cline', 'cline-remote', true],
    ['kiro', 'kiro-remote', true],
    ['zed', 'remote-docs', true], // enabled: false
    ['goose', 'remotehttp', true],
    ['codex', 'old-bearer', true],
    ['opencode', 'oc-remote', true],
    ['opencode', 'oc-v2', true], // opencode's second schema: disabled: true
    ['amazon-q', 'q-agent-git', true],
    ['cline', 'cline-weather', false], // disabled: false
    ['goose', 'github', false], // enabled: true
  ])('%s %s disabled=%s', (client, name, disabled) => {
    expect(server(client, name).disabled).toBe(disabled);
  });

  it('lists tools the client runs without asking', () => {
    expect(server('cline', 'cline-weather').autoApprove).toEqual(['get_forecast']); // autoApprove
    expect(server('cline', 'cline-legacy').autoApprove).toEqual(['search']); // alwaysAllow
    expect(server('roo-code', 'roo-puppeteer').autoApprove).toEqual(['puppeteer_navigate', 'puppeteer_screenshot']);
    expect(server('kiro', 'aws-docs').autoApprove).toEqual(['read_documentation']);
    expect(server('gemini-cli', 'trusted-local').autoApprove).toEqual(['*']); // trust: true
    expect(server('vscode', 'memory').autoApprove).toEqual([]);
  });
});

describe('variables and inputs', () => {
  it('records VS Code `${input:…}` prompts and keeps `${env:…}` and `${workspaceFolder}` as written', () => {
    expect(server('vscode', 'github-remote').inputs).toEqual(['github-token']);
    expect(secretFindings(server('cursor', 'env-ref'))).toEqual([]);
    expect(server('vscode', 'memory').envFile).toContain('${workspaceFolder}');
  });

  it('does not count references as plaintext secrets', () => {
    for (const [client, name] of [
      ['claude-code', 'github'],
      ['roo-code', 'roo-remote'],
      ['copilot-cli', 'copilot-http'],
      ['windsurf', 'brave-search'],
      ['opencode', 'oc-remote'],
      ['zed', 'remote-docs'],
    ]) {
      expect(secretFindings(server(client!, name!)), `${client}/${name}`).toEqual([]);
    }
  });
});

describe('file shapes', () => {
  it('reads JSONC with comments and trailing commas (VS Code, Cursor, Zed, Gemini CLI)', () => {
    expect(servers.filter((entry) => entry.configPath.endsWith('Code/User/mcp.json')).map((entry) => entry.name)).toEqual([
      'github-remote',
      'memory',
      'perplexity',
    ]);
    expect(servers.filter((entry) => entry.client === 'zed')).toHaveLength(4);
  });

  it('reads VS Code settings.json `mcp.servers`, profiles and multi-root workspaces', () => {
    expect(server('vscode', 'legacy-git').configPath).toMatch(/Code\/User\/settings\.json$/);
    expect(server('vscode', 'time').configPath).toMatch(/Code\/User\/profiles\/-6f5a1c2b\/mcp\.json$/);
    expect(server('vscode', 'nx')).toMatchObject({ scope: 'project', configPath: expect.stringMatching(/mono\.code-workspace$/) });
  });

  it('reads Claude Code’s user servers and its per-project servers from ~/.claude.json', () => {
    expect(server('claude-code', 'slack')).toMatchObject({ scope: 'user', configPath: expect.stringMatching(/\.claude\.json$/) });
    expect(server('claude-code', 'postgres')).toMatchObject({
      scope: 'project',
      projectPath: expect.stringMatching(/Users\/alice\/work\/api$/),
      configPath: expect.stringMatching(/\.claude\.json$/),
    });
  });

  it('reads plugin files that hold a bare map of servers', () => {
    expect(server('claude-code', 'github')).toMatchObject({ scope: 'plugin', url: 'https://api.githubcopilot.com/mcp/' });
  });

  it('reads Continue’s YAML lists, block files and JSON blocks', () => {
    expect(
      servers
        .filter((entry) => entry.client === 'continue')
        .map((entry) => entry.name)
        .sort(),
    ).toEqual(['#1', 'Browser search', 'Remote Search', 'SQLite', 'continue-json']);
  });

  it('reads Codex TOML tables and Codex projects it trusts', () => {
    expect(server('codex', 'wandb')).toMatchObject({
      scope: 'project',
      package: { registry: 'pypi', name: 'wandb-mcp-server', version: '0.3.0', pinned: true },
    });
  });

  it('reads a UTF-16 file with a byte-order mark, as Notepad saves it', async () => {
    const { result } = await scanMachine('win32');
    const source = result.sources.find((entry) => entry.path.endsWith('Users/bob/AppData/Roaming/Claude/claude_desktop_config.json'));
    expect(source).toMatchObject({ status: 'ok', serverCount: 1 });
  });
});

describe('access types', () => {
  it.each([
    ['claude-desktop', 'filesystem', 'public'], // an npm package
    ['claude-desktop', 'fetch', 'public'], // a container image
    ['vscode', 'perplexity', 'local'], // a local program
    ['vscode', 'deno-docs', 'private'], // localhost
    ['claude-code', 'sentry', 'third-party'],
    ['zed', 'mcp-server-context7', 'local'],
  ])('%s %s is %s', (client, name, accessType) => {
    expect(server(client, name).accessType).toBe(accessType);
  });

  it('counts organisation domains as private', async () => {
    const { result } = await scanMachine('darwin', { orgDomains: ['example.com'] });
    expect(result.servers.find((entry) => entry.name === 'company-wiki')?.accessType).toBe('private');
    expect(result.servers.find((entry) => entry.name === 'sentry')?.accessType).toBe('third-party');
  });

  it('counts private address ranges as private', async () => {
    const { result } = await scanMachine('linux');
    expect(result.servers.find((entry) => entry.name === 'app-api')?.accessType).toBe('private');
  });
});
