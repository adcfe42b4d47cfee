// Each fixture machine, scanned as a whole: every server of every client, with its transport, scope,
// project and serverKey. The fixtures are laid out as real macOS, Windows and Linux disks.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENTS } from '../../../src/agent/discovery/catalogue/clients.js';
import { type MachineName, machineRoot, scanMachine } from '../../helpers/machines.js';

async function rows(name: MachineName): Promise<string[]> {
  const { result } = await scanMachine(name);
  const root = machineRoot(name);
  return result.servers.map((server) => {
    const project = server.projectPath ? ` ${path.relative(root, server.projectPath).split(path.sep).join('/')}` : '';
    return `${server.client} ${server.name} ${server.transport} ${server.scope}${project} ${server.serverKey}`;
  });
}

/** The clients the foundation issue names; each must be found on every platform it runs on. */
const REQUIRED_CLIENTS = [
  'claude-desktop',
  'claude-code',
  'cursor',
  'vscode',
  'vscode-insiders',
  'windsurf',
  'gemini-cli',
  'codex',
  'zed',
  'cline',
  'roo-code',
  'continue',
  'goose',
  'kiro',
  'opencode',
  'lm-studio',
  'amazon-q',
  'copilot-cli',
  'antigravity',
  'junie',
];

describe('scanning whole machines', () => {
  it('finds every server on a Mac', async () => {
    expect(await rows('darwin')).toEqual([
      'claude-desktop Filesystem stdio extension cmd:node ${__dirname}/server/index.js ${user_config.allowed_directories}',
      'claude-desktop fetch stdio user oci:docker.io/mcp/fetch',
      'claude-desktop filesystem stdio user npm:@modelcontextprotocol/server-filesystem',
      'claude-desktop github stdio user npm:@modelcontextprotocol/server-github',
      'claude-desktop local-notes stdio user cmd:node ~/mcp/notes/dist/index.js --api-key <redacted>',
      'claude-desktop sqlite stdio user pypi:mcp-server-sqlite',
      'claude-code company-wiki http managed url:https://wiki.mcp.example.com/mcp',
      'claude-code linear sse user url:https://mcp.linear.app/sse',
      'claude-code sentry http user url:https://mcp.sentry.dev/mcp',
      'claude-code slack stdio user npm:@modelcontextprotocol/server-slack',
      'claude-code postgres stdio project Users/alice/work/api npm:@modelcontextprotocol/server-postgres',
      'claude-code github http plugin url:https://api.githubcopilot.com/mcp',
      'claude-code context7 http project Users/alice/work/api url:https://mcp.context7.com/mcp',
      'claude-code playwright stdio project Users/alice/work/api npm:@playwright/mcp',
      'cursor browser-tools stdio user npm:@agentdeskai/browser-tools-mcp',
      'cursor env-ref stdio user npm:mcp-server-kubernetes',
      'cursor remote-sse sse user url:https://tools.example.org/sse',
      'cursor stripe stdio project Users/alice/work/web npm:@stripe/mcp',
      'vscode github-remote http user url:https://api.githubcopilot.com/mcp',
      'vscode memory stdio user npm:@modelcontextprotocol/server-memory',
      'vscode perplexity stdio user cmd:python -m perplexity_mcp',
      'vscode time stdio user pypi:mcp-server-time',
      'vscode legacy-git stdio user pypi:mcp-server-git',
      'vscode nx stdio project Users/alice/work/mono npm:nx-mcp',
      'vscode deno-docs sse project Users/alice/work/web url:http://localhost:8931/sse',
      'vscode-insiders everything stdio user npm:@modelcontextprotocol/server-everything',
      'vscode-insiders nx stdio project Users/alice/work/mono npm:nx-mcp',
      'vscode-insiders deno-docs sse project Users/alice/work/web url:http://localhost:8931/sse',
      'vscodium sequential-thinking stdio user npm:@modelcontextprotocol/server-sequential-thinking',
      'vscodium nx stdio project Users/alice/work/mono npm:nx-mcp',
      'vscodium deno-docs sse project Users/alice/work/web url:http://localhost:8931/sse',
      'windsurf brave-search stdio user npm:@modelcontextprotocol/server-brave-search',
      'windsurf supabase http user url:https://mcp.supabase.com/mcp',
      'gemini-cli corp-search http managed url:https://search.corp.example.com/mcp',
      'gemini-cli gcs stdio extension cmd:node ${extensionPath}/dist/gcs.js',
      'gemini-cli gcp http user url:https://gcp.example.net/mcp',
      'gemini-cli legacy-sse sse user url:https://sse.example.net/events',
      'gemini-cli streaming http user url:https://api.example.net/mcp',
      'gemini-cli trusted-local stdio user cmd:python server.py',
      'gemini-cli jupyter stdio project Users/alice/work/ml pypi:jupyter-mcp-server',
      'codex docs stdio user npm:mcp-remote',
      'codex figma http user url:https://mcp.figma.com/mcp',
      'codex old-bearer http user url:https://legacy.example.com/mcp',
      'codex wandb stdio project Users/alice/work/ml pypi:wandb-mcp-server',
      'zed mcp-server-context7 stdio user builtin:zed/mcp-server-context7',
      'zed old-style stdio user cmd:old-mcp --stdio',
      'zed postgres-context stdio user npm:@zeddev/postgres-context-server',
      'zed remote-docs http user url:https://docs.zed.example/mcp',
      'cline cline-remote sse user url:https://cline.example.com/events',
      'cline cline-weather stdio user cmd:node ~/Documents/Cline/MCP/weather/build/index.js',
      'cline cline-legacy http user url:https://legacy-cline.example.com/mcp',
      'roo-code roo-puppeteer stdio user npm:@modelcontextprotocol/server-puppeteer',
      'roo-code roo-remote http project Users/alice/work/api url:https://roo.example.com/mcp',
      'continue #1 stdio user pypi:mcp-server-sqlite',
      'continue Remote Search http user url:https://search.continue.example/mcp',
      'continue SQLite stdio user npm:mcp-sqlite',
      'continue Browser search stdio user npm:@playwright/mcp',
      'continue continue-json stdio project Users/alice/work/api npm:@modelcontextprotocol/server-fetch',
      'goose developer stdio user builtin:goose/developer',
      'goose github stdio user npm:@modelcontextprotocol/server-github',
      'goose remotehttp http user url:https://goose.example.com/mcp',
      'kiro aws-docs stdio user pypi:awslabs-aws-documentation-mcp-server',
      'kiro kiro-remote http user url:https://kiro.example.com/mcp',
      'kiro kiro-project stdio project Users/alice/work/api cmd:node tools/mcp.js',
      'opencode oc-local stdio user npm:@modelcontextprotocol/server-everything',
      'opencode oc-remote http user url:https://mcp.opencode.example/mcp',
      'opencode oc-v2 stdio project Users/alice/work/web npm:mcp-v2-server',
      'lm-studio lms-hf http user url:https://huggingface.co/mcp',
      'amazon-q q-agent-git stdio user pypi:mcp-server-git',
      'amazon-q q-aws-docs stdio user pypi:awslabs-aws-documentation-mcp-server',
      'amazon-q q-project stdio project Users/alice/work/api cmd:python3 -m internal_mcp',
      'copilot-cli copilot-http http user url:https://copilot-mcp.example.com/mcp',
      'copilot-cli copilot-local stdio user npm:@modelcontextprotocol/server-filesystem',
      'copilot-cli repo-tools stdio project Users/alice/work/api cmd:./scripts/mcp.sh',
      'copilot-cli context7 http project Users/alice/work/api url:https://mcp.context7.com/mcp',
      'copilot-cli playwright stdio project Users/alice/work/api npm:@playwright/mcp',
      'antigravity ag-local stdio user npm:firebase-tools',
      'antigravity ag-remote http user url:https://antigravity.example.com/mcp',
      'antigravity ag-project stdio project Users/alice/work/api pypi:ag-project-mcp',
      'junie junie-fs stdio user npm:@modelcontextprotocol/server-filesystem',
      'junie junie-project stdio project Users/alice/work/api cmd:java -jar tools/mcp.jar',
      'qwen-code qwen-http http user url:https://qwen.example.com/mcp',
      'warp warp-local stdio user npm:@modelcontextprotocol/server-memory',
      'trae trae-fetch stdio user pypi:mcp-server-fetch',
    ]);
  });

  it('finds every server on a Windows PC', async () => {
    expect(await rows('win32')).toEqual([
      'claude-desktop everything stdio user npm:@modelcontextprotocol/server-everything',
      'claude-desktop github stdio user npm:@modelcontextprotocol/server-github',
      'claude-desktop filesystem stdio user npm:@modelcontextprotocol/server-filesystem',
      'claude-code company-wiki http managed url:https://wiki.mcp.example.com/mcp',
      'claude-code memory stdio user npm:@modelcontextprotocol/server-memory',
      'claude-code tool-db stdio project Users/bob/src/tool pypi:mcp-server-sqlite',
      'claude-code azure stdio project Users/bob/src/tool npm:@azure/mcp',
      'cursor cursor-win stdio user npm:@modelcontextprotocol/server-puppeteer',
      'vscode win-fetch stdio user pypi:mcp-server-fetch',
      'vscode site-http http project Users/bob/src/site url:http://127.0.0.1:3001/mcp',
      'vscode-insiders insiders-time stdio user pypi:mcp-server-time',
      'vscode-insiders site-http http project Users/bob/src/site url:http://127.0.0.1:3001/mcp',
      'windsurf windsurf-win http user url:https://mcp.windsurf.example/mcp',
      'gemini-cli corp-search http managed url:https://search.corp.example.com/mcp',
      'gemini-cli gemini-win stdio user npm:@modelcontextprotocol/server-everything',
      'codex codex-win stdio user npm:@modelcontextprotocol/server-everything',
      'zed zed-win stdio user npm:@modelcontextprotocol/server-memory',
      'cline cline-win stdio user cmd:node ~/Documents/Cline/MCP/weather/build/index.js',
      'roo-code roo-in-cursor stdio user npm:@upstash/context7-mcp',
      'continue continue-win stdio user pypi:mcp-server-git',
      'goose fetch stdio user pypi:mcp-server-fetch',
      'goose memory stdio user builtin:goose/memory',
      'kiro kiro-win stdio user pypi:mcp-server-time',
      'opencode opencode-win stdio user npm:@modelcontextprotocol/server-memory',
      'lm-studio lms-win stdio user pypi:mcp-server-fetch',
      'amazon-q q-win stdio user pypi:awslabs-core-mcp-server',
      'copilot-cli copilot-win stdio user npm:@playwright/mcp',
      'copilot-cli azure stdio project Users/bob/src/tool npm:@azure/mcp',
      'antigravity ag-win http user url:https://antigravity.example.com/mcp',
      'junie junie-win stdio user npm:@modelcontextprotocol/server-filesystem',
      'visual-studio vs-global stdio user cmd:dotnet run --project ~/src/McpServer',
      'visual-studio vs-solution http project Users/bob/src/tool url:https://vs.example.com/mcp',
    ]);
  });

  it('finds every server on a Linux workstation', async () => {
    expect(await rows('linux')).toEqual([
      'claude-desktop filesystem stdio user npm:@modelcontextprotocol/server-filesystem',
      'claude-code company-wiki http managed url:https://wiki.mcp.example.com/mcp',
      'claude-code company-search http managed url:https://search.mcp.example.com/mcp',
      'claude-code redis stdio project home/carol/code/app oci:ghcr.io/redis/mcp-redis',
      'claude-code app-api http project home/carol/code/app url:http://10.1.2.3:8080/mcp',
      'cursor cursor-linux stdio user npm:@modelcontextprotocol/server-memory',
      'cursor cursor-project stdio project home/carol/code/app cmd:node ~/code/app/tools/mcp.js',
      'vscode linux-git stdio user pypi:mcp-server-git',
      'vscode remote-host stdio user npm:@modelcontextprotocol/server-memory',
      'vscode-insiders insiders-linux stdio user pypi:mcp-server-time',
      'windsurf windsurf-linux stdio user npm:@modelcontextprotocol/server-memory',
      'gemini-cli corp-search http managed url:https://search.corp.example.com/mcp',
      'gemini-cli gemini-linux sse user url:https://sse.example.net/sse',
      'codex codex-managed http managed url:https://codex.corp.example.com/mcp',
      'codex codex-linux stdio user pypi:mcp-server-git',
      'zed zed-linux stdio user pypi:mcp-server-git',
      'cline cline-linux stdio user pypi:mcp-server-fetch',
      'roo-code roo-linux stdio user pypi:mcp-server-time',
      'continue continue-linux stdio user pypi:mcp-server-git',
      'goose computercontroller stdio user builtin:goose/computercontroller',
      'kiro kiro-linux stdio user pypi:mcp-server-time',
      'opencode oc-managed http managed url:https://oc.corp.example.com/mcp',
      'opencode oc-linux http user url:https://mcp.opencode.example/mcp',
      'lm-studio lms-linux stdio user pypi:mcp-server-fetch',
      'amazon-q q-linux stdio user pypi:awslabs-core-mcp-server',
      'copilot-cli copilot-linux stdio user npm:@modelcontextprotocol/server-memory',
      'copilot-cli app-api http project home/carol/code/app url:http://10.1.2.3:8080/mcp',
      'antigravity ag-linux http user url:https://antigravity.example.com/mcp',
      'junie junie-linux stdio user pypi:mcp-server-time',
    ]);
  });

  it.each(['darwin', 'win32', 'linux'] as const)('finds a server for every required client on %s', async (name) => {
    const { result } = await scanMachine(name);
    const found = new Set(result.servers.map((server) => server.client));
    expect(REQUIRED_CLIENTS.filter((client) => !found.has(client))).toEqual([]);
  });

  it('reports every fixed location it checked, including the missing ones', async () => {
    const { result } = await scanMachine('linux');
    const missing = result.sources.filter((source) => source.status === 'missing');
    expect(missing.length).toBeGreaterThan(20);
    expect(missing.every((source) => source.scope !== 'project' && source.serverCount === 0)).toBe(true);
    expect(result.sources.filter((source) => source.status === 'ok').length).toBe(29);
  });

  it('only looks at the clients asked for', async () => {
    const { result } = await scanMachine('darwin', { clients: ['codex', 'zed'] });
    expect(new Set(result.servers.map((server) => server.client))).toEqual(new Set(['codex', 'zed']));
    expect(result.sources.every((source) => source.client === 'codex' || source.client === 'zed')).toBe(true);
  });

  it('rejects an unknown client id with the list of known ones', async () => {
    await expect(scanMachine('darwin', { clients: ['emacs'] })).rejects.toThrow(
      /unknown client emacs; known clients: claude-desktop, claude-code/,
    );
  });

  it('gives every server an id that is stable across scans and unique on the machine', async () => {
    const first = (await scanMachine('darwin')).result.servers.map((server) => server.id);
    const second = (await scanMachine('darwin')).result.servers.map((server) => server.id);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    expect(first.every((id) => /^[0-9a-f]{16}$/.test(id))).toBe(true);
  });

  it('keeps the catalogue ids unique and documented', () => {
    expect(new Set(CLIENTS.map((client) => client.id)).size).toBe(CLIENTS.length);
    expect(CLIENTS.every((client) => client.docs.length > 0 && client.docs.every((url) => url.startsWith('https://')))).toBe(true);
  });
});
