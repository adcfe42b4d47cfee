// Changing a config file the user owns: a backup before the first change, an atomic write that keeps the file's
// mode, and optimistic concurrency — if the file changed while we worked (the user saved it, the client wrote
// it), the change is made again on the fresh text.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeForEditing } from './text-encoding.js';

export class ConcurrentModification extends Error {
  override name = 'ConcurrentModification';
}

export { UnsupportedEncoding } from './text-encoding.js';

export interface UpdateOptions {
  backupFolder: string;
  attempts?: number;
  /** Runs between reading and writing: tests use it to change the file under the update. */
  beforeWrite?: () => Promise<void>;
  /** A missing file is edited as empty text and created (readable by all: machine-wide settings). */
  createIfMissing?: boolean;
}

const MISSING = Symbol('missing');

async function readOrMissing(file: string, createIfMissing: boolean | undefined): Promise<Buffer | typeof MISSING> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if (createIfMissing && (error as NodeJS.ErrnoException).code === 'ENOENT') return MISSING;
    throw error;
  }
}

/** Applies `transform` to the file's text; returns the text written, or undefined when nothing changed. */
export async function updateFile(target: string, transform: (text: string) => string, options: UpdateOptions): Promise<string | undefined> {
  // A symlinked config (a dotfiles repository) is edited where it lives, and stays a link.
  const file = await fs.realpath(target).catch(() => target);
  for (let attempt = 0; attempt < (options.attempts ?? 5); attempt++) {
    const bytes = await readOrMissing(file, options.createIfMissing);
    // Edited in its own encoding (UTF-8, or UTF-16 as Notepad saves), and written back in it.
    const decoded = bytes === MISSING ? { text: '', encode: (text: string) => Buffer.from(text, 'utf8') } : decodeForEditing(bytes, file);
    const text = decoded.text;
    const next = transform(text);
    if (next === text) return undefined;
    await options.beforeWrite?.();
    // Still the bytes we transformed (or still no file)? Otherwise start again from what is there now.
    const now = await readOrMissing(file, options.createIfMissing);
    if (now === MISSING ? bytes !== MISSING : bytes === MISSING || !now.equals(bytes)) continue;
    const info = bytes === MISSING ? undefined : await fs.stat(file);
    if (bytes === MISSING) await fs.mkdir(path.dirname(file), { recursive: true });
    else await backup(file, bytes, options.backupFolder);
    const temporary = `${file}.mcp-warden-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.writeFile(temporary, decoded.encode(next), { mode: 0o600 });
      // The same permissions, whatever the umask, and the same owner when the agent runs as root.
      await fs.chmod(temporary, info ? info.mode & 0o777 : 0o644);
      if (info && process.getuid?.() === 0) await fs.chown(temporary, info.uid, info.gid);
      if (bytes === MISSING) {
        // Created only if still absent: a file that appeared meanwhile is not overwritten.
        try {
          await fs.link(temporary, file);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
          throw error;
        }
      } else await fs.rename(temporary, file);
    } finally {
      await fs.rm(temporary, { force: true });
    }
    return next;
  }
  throw new ConcurrentModification(`${file} kept changing while MCP Warden was updating it; nothing was written`);
}

async function backup(file: string, bytes: Buffer, folder: string): Promise<void> {
  await fs.mkdir(folder, { recursive: true, mode: 0o700 });
  const name = `${createHash('sha256').update(file).digest('hex').slice(0, 16)}-${path.basename(file)}-${Date.now()}.bak`;
  await fs.writeFile(path.join(folder, name), bytes, { mode: 0o600 });
}
