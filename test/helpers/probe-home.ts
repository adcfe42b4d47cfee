// Homes for probe tests: a Linux home whose Cursor config lists the given servers. Every server here runs on
// this machine: node scripts, real servers from node_modules, or HTTP servers bound to 127.0.0.1.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { scan } from '../../src/agent/discovery/scan.js';
import type { World } from '../../src/agent/discovery/world.js';
import { FIXTURES, REPO } from './machines.js';

export const NODE = process.execPath;
export const SERVERS = path.join(FIXTURES, 'servers');
export const EVERYTHING = path.join(REPO, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const FILESYSTEM = path.join(REPO, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
export const MEMORY = path.join(REPO, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');

export const script = (name: string, ...args: string[]) => ({ command: NODE, args: [path.join(SERVERS, name), ...args] });

export interface ProbeHome {
  home: string;
  stateDir: string;
  world: World;
  scan(): ReturnType<typeof scan>;
  remove(): void;
}

/** A home whose ~/.cursor/mcp.json holds `servers`; `extra` files are written relative to the home. */
export function probeHome(servers: Record<string, unknown>, extra: Record<string, string> = {}): ProbeHome {
  const home = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-probe-'));
  const write = (relative: string, text: string) => {
    mkdirSync(path.dirname(path.join(home, relative)), { recursive: true });
    writeFileSync(path.join(home, relative), text);
  };
  write('.cursor/mcp.json', JSON.stringify({ mcpServers: servers }, null, 2));
  for (const [relative, text] of Object.entries(extra)) write(relative, text);
  const world: World = { platform: 'linux', home, root: '/', env: {} };
  return {
    home,
    stateDir: path.join(home, '.state'),
    world,
    scan: () => scan({ world, clients: ['cursor', 'vscode'] }),
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** server-everything in one of its HTTP modes, on a loopback port; resolves once it listens. */
export async function startEverythingHttp(mode: 'streamableHttp' | 'sse'): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(NODE, ['--import', path.join(SERVERS, 'loopback-only.mjs'), EVERYTHING, mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything ${mode} did not start`)), 15_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (/listening|running/i.test(chunk.toString())) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`server-everything ${mode} exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}${mode === 'sse' ? '/sse' : '/mcp'}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

/** Whether a process is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
