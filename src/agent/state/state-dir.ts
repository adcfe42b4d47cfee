// Where the agent keeps what it must remember between runs (probe cache and fingerprints, the device token,
// spool, policy, ledger, audit log): one folder, private to the user, every file written atomically.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import type { World } from '../discovery/world.js';

/** This machine as the state folder sees it: its own platform, home and environment, whatever is replayed. */
export function hostMachine(): Pick<World, 'platform' | 'home' | 'env'> {
  const platform = process.platform === 'darwin' || process.platform === 'win32' ? process.platform : 'linux';
  return { platform, home: os.homedir(), env: process.env };
}

/**
 * The state folder of the user running the command: `--state-dir`, else MCP_WARDEN_STATE_DIR, else the
 * platform's place. Always worked out from the host, never from a replayed machine (whose copy it would fill).
 */
export function resolveStateDir(flag: string | undefined, host: Pick<World, 'platform' | 'home' | 'env'> = hostMachine()): string {
  return path.resolve(flag ?? defaultStateDir(host));
}

/** The platform's place for application state, unless `MCP_WARDEN_STATE_DIR` says otherwise. */
export function defaultStateDir(world: Pick<World, 'platform' | 'home' | 'env'>): string {
  const { platform, home, env } = world;
  if (env.MCP_WARDEN_STATE_DIR) return path.resolve(env.MCP_WARDEN_STATE_DIR);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'MCP Warden');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'MCP Warden');
  return path.join(env.XDG_STATE_HOME || path.join(home, '.local', 'state'), 'mcp-warden');
}

/** Writes a file so that readers see the old content or the new, never half: temp file, fsync, rename. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await fs.open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

/** A JSON file of state, or the fallback when it is missing or unreadable (state is a cache, never a blocker). */
export async function readJsonState<T>(file: string, fallback: T, isValid: (value: unknown) => value is T): Promise<T> {
  try {
    const value: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    return isValid(value) ? value : fallback;
  } catch {
    return fallback;
  }
}
