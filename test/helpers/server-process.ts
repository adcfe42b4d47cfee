// `mcp-warden server` as an admin runs it: the built command in a child process on a free loopback port,
// answered once it says it listens, stopped (and waited for) by the test.
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from './machines.js';
import { freePort } from './probe-home.js';

export interface ServerProcess {
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startServerProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'server', '--port', String(port), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && (clearTimeout(timer), resolve()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
