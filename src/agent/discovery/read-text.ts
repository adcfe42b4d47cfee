// Reads one config file as text, turning every way a file can be bad into a status and a message a person
// can act on. Never throws for a file-level problem: one bad file must not stop a scan.
import { promises as fs } from 'node:fs';
import type { SourceStatus } from '../../shared/inventory.js';

/** Config files are kilobytes; Claude Code's ~/.claude.json (which keeps history) reaches a few megabytes. */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

export type ReadResult = { status: 'ok'; text: string } | { status: Exclude<SourceStatus, 'ok'>; message: string };

const ERRNO_MESSAGES: Record<string, { status: Exclude<SourceStatus, 'ok'>; message: string }> = {
  ENOENT: { status: 'missing', message: 'file does not exist' },
  ENOTDIR: { status: 'missing', message: 'a folder on the path is a file' },
  EACCES: { status: 'unreadable', message: 'permission denied' },
  EPERM: { status: 'unreadable', message: 'operation not permitted (permission denied)' },
  ELOOP: { status: 'unreadable', message: 'symbolic link loop' },
  EISDIR: { status: 'invalid', message: 'is a folder, not a file' },
  ENAMETOOLONG: { status: 'unreadable', message: 'path too long' },
  EBUSY: { status: 'unreadable', message: 'file is locked by another program' },
  EIO: { status: 'unreadable', message: 'input/output error' },
};

export function describeFsError(error: unknown): { status: Exclude<SourceStatus, 'ok'>; message: string } {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known = code ? ERRNO_MESSAGES[code] : undefined;
  if (known) return known;
  return { status: 'unreadable', message: `cannot read file (${code ?? (error as Error)?.message ?? 'unknown error'})` };
}

export async function readConfigText(file: string, maxBytes = DEFAULT_MAX_BYTES): Promise<ReadResult> {
  let handle: fs.FileHandle | undefined;
  try {
    // stat follows links, so a loop shows up here as ELOOP, before anything is opened.
    const info = await fs.stat(file);
    if (info.isDirectory()) return ERRNO_MESSAGES.EISDIR!;
    if (!info.isFile()) return { status: 'invalid', message: 'not a regular file' };
    if (info.size > maxBytes) return tooLarge(info.size, maxBytes);
    handle = await fs.open(file, 'r');
    // Read at most one byte past the cap: the file may have grown since stat.
    const buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(info.size + 1, 1)));
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) return tooLarge(length, maxBytes);
    return decodeText(buffer.subarray(0, length));
  } catch (error) {
    return describeFsError(error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function tooLarge(size: number, maxBytes: number): ReadResult {
  return { status: 'too-large', message: `file is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit for a config file` };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf16le = new TextDecoder('utf-16le', { fatal: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true });

/** Text as editors save it: UTF-8 with or without a BOM, or UTF-16 with a BOM (Windows Notepad). */
export function decodeText(bytes: Uint8Array): ReadResult {
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return { status: 'ok', text: utf16le.decode(bytes.subarray(2)) };
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return { status: 'ok', text: utf16be.decode(bytes.subarray(2)) };
  } catch {
    return { status: 'invalid', message: 'not valid UTF-16 text despite its byte-order mark' };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { status: 'invalid', message: `binary file, not text (NUL byte at offset ${nul})` };
  try {
    const text = utf8.decode(bytes);
    return { status: 'ok', text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    return { status: 'invalid', message: `not UTF-8 text (invalid byte sequence at offset ${firstInvalidUtf8(bytes)})` };
  }
}

/** Byte offset of the first byte sequence that is not UTF-8 (a correctly encoded U+FFFD is skipped). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  for (let index = text.indexOf('\ufffd'); index !== -1; index = text.indexOf('\ufffd', index + 1)) {
    const offset = Buffer.byteLength(text.slice(0, index), 'utf8');
    const isRealReplacementCharacter = bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd;
    if (!isRealReplacementCharacter) return offset;
  }
  return 0;
}
