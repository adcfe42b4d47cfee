// Discovery speed: a generated Linux home with 40 config files holding 400 servers (20 user files of
// different clients, 20 project files in 10 projects Claude Code remembers), scanned in-process and as a command.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '../dist/agent/discovery/scan.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'dist/agent/cli.js');
const SERVERS_PER_FILE = 10;

function servers(prefix) {
  const entries = {};
  for (let i = 0; i < SERVERS_PER_FILE; i++) {
    entries[`${prefix}-${i}`] =
      i % 3 === 0
        ? { type: 'http', url: `https://mcp${i}.example.com/mcp?key=abc${i}`, headers: { Authorization: `Bearer tok${i}abcdefghijklmnop` } }
        : {
            command: 'npx',
            args: ['-y', `@scope/server-${prefix}-${i}@1.${i}.0`, '--api-key', `k${i}abcdefghijklmnopqrstuvwxyz0123`],
            env: { API_TOKEN: `sk-ant-api03-${'x'.repeat(30)}${i}` },
          };
  }
  return entries;
}

function write(file, value) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

/** 19 user files, each read by one client only (with ~/.claude.json below, 20). */
const USER_FILES = [
  ['.config/Claude/claude_desktop_config.json', 'mcpServers'],
  ['.cursor/mcp.json', 'mcpServers'],
  ['.config/Code/User/mcp.json', 'servers'],
  ['.config/Code/User/profiles/p1/mcp.json', 'servers'],
  ['.config/Code/User/profiles/p2/mcp.json', 'servers'],
  ['.continue/mcpServers/bench.json', 'mcpServers'],
  ['.codeium/windsurf/mcp_config.json', 'mcpServers'],
  ['.gemini/settings.json', 'mcpServers'],
  ['.cline/data/settings/cline_mcp_settings.json', 'mcpServers'],
  ['.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json', 'mcpServers'],
  ['.kiro/settings/mcp.json', 'mcpServers'],
  ['.lmstudio/mcp.json', 'mcpServers'],
  ['.aws/amazonq/mcp.json', 'mcpServers'],
  ['.config/opencode/opencode.json', 'mcp'],
  ['.gemini/config/mcp_config.json', 'mcpServers'],
  ['.junie/mcp/mcp.json', 'mcpServers'],
  ['.qwen/settings.json', 'mcpServers'],
  ['.warp/.mcp.json', 'mcpServers'],
  ['.config/zed/settings.json', 'context_servers'],
];

export function generateHome() {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-bench-'));
  USER_FILES.forEach(([file, key], index) => write(path.join(home, file), { [key]: servers(`u${index}`) }));
  const projects = {};
  for (let p = 0; p < 10; p++) {
    const project = path.join(home, 'src', `project-${p}`);
    projects[project] = { allowedTools: [] };
    write(path.join(project, '.mcp.json'), { mcpServers: servers(`p${p}a`) });
    write(path.join(project, '.cursor/mcp.json'), { mcpServers: servers(`p${p}b`) });
  }
  // The 20th user file: ~/.claude.json, which also remembers the 10 projects.
  write(path.join(home, '.claude.json'), { numStartups: 3, mcpServers: servers('claude'), projects });
  return home;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const ms = (value) => `${value.toFixed(1)} ms`;

export async function runScanBench() {
  const home = generateHome();
  try {
    const world = { platform: 'linux', home, root: '/', env: {} };
    const first = await scan({ world });
    const files = first.result.sources.filter((source) => source.status === 'ok').length;
    const servers = first.result.servers.length;
    for (let i = 0; i < 5; i++) await scan({ world });
    const times = [];
    for (let i = 0; i < 40; i++) {
      const start = performance.now();
      await scan({ world });
      times.push(performance.now() - start);
    }
    const processTimes = [];
    const args = [CLI, 'scan', '--json', '--home', home, '--platform', 'linux'];
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    for (let i = 0; i < 10; i++) {
      const start = performance.now();
      execFileSync(process.execPath, args, { stdio: 'ignore' });
      processTimes.push(performance.now() - start);
    }
    const nodeStart = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
      nodeStart.push(performance.now() - start);
    }
    return {
      title: `Discovery: ${files} config files, ${servers} servers (target: < 50 ms in-process)`,
      rows: [
        ['scan, in-process, median of 40', ms(median(times))],
        ['scan, in-process, p90', ms(percentile(times, 0.9))],
        ['mcp-warden scan --json, whole process, median', ms(median(processTimes))],
        ['  of which starting node itself (node -e 0)', ms(median(nodeStart))],
      ],
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
