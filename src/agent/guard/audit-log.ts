// The local audit log: one JSON line per tool call (and prompt get, resource read), hash-chained so that an
// edited, removed or reordered line shows. Each guard process writes its own file (one writer per chain),
// rotated by size; `verifyAuditFile` checks a chain.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../probe/capabilities.js';

export interface AuditEntry {
  at: string;
  deviceId?: string | undefined;
  user: string;
  agent: string;
  serverId: string;
  serverKey: string;
  serverName: string;
  capability: { kind: string; name: string };
  decision: 'allow' | 'deny';
  reason: string;
  durationMs: number;
  /** sha256 of the canonical JSON of the arguments: proves what was sent without keeping it. */
  argumentsDigest: string;
  outcome: 'ok' | 'error' | 'denied';
}

export interface ChainedEntry extends AuditEntry {
  sequence: number;
  previousHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
export const MAX_AUDIT_FILE_BYTES = 10 * 1024 * 1024;

export function entryHash(entry: Omit<ChainedEntry, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('hex');
}

export function argumentsDigest(args: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(args ?? null))
    .digest('hex');
}

export class AuditLog {
  private previousHash = GENESIS_HASH;
  private sequence = 0;
  private part = 0;
  private file: string;
  /** The size of the current part, kept here: this process is the chain's only writer. */
  private bytes = 0;

  constructor(
    private readonly folder: string,
    private readonly name: string,
    private readonly maxFileBytes = MAX_AUDIT_FILE_BYTES,
  ) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    this.file = this.partFile();
  }

  private partFile(): string {
    return path.join(this.folder, `${this.name}${this.part ? `.${this.part}` : ''}.jsonl`);
  }

  get path(): string {
    return this.file;
  }

  /** The chain's name: one per guard process. */
  get chain(): string {
    return this.name;
  }

  /** Appends one entry, chained to the one before; synchronous so the order on disk is the order of calls. */
  append(entry: AuditEntry): ChainedEntry {
    const unhashed = { ...entry, sequence: ++this.sequence, previousHash: this.previousHash };
    const chained: ChainedEntry = { ...unhashed, hash: entryHash(unhashed) };
    const line = `${JSON.stringify(chained)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.bytes && this.bytes + bytes > this.maxFileBytes) {
      this.part++;
      this.file = this.partFile();
      this.bytes = 0;
    }
    appendFileSync(this.file, line, { mode: 0o600 });
    this.bytes += bytes;
    this.previousHash = chained.hash;
    return chained;
  }
}

/** Checks a chain: the line number of the first entry that does not follow from the one before, or ok. */
export function verifyAuditFile(
  file: string,
  previousHash = GENESIS_HASH,
): { ok: true; entries: number; lastHash: string } | { ok: false; line: number; problem: string } {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  let previous = previousHash;
  for (const [index, line] of lines.entries()) {
    let entry: ChainedEntry;
    try {
      entry = JSON.parse(line) as ChainedEntry;
    } catch {
      return { ok: false, line: index + 1, problem: 'not JSON' };
    }
    const { hash, ...rest } = entry;
    if (entry.previousHash !== previous)
      return { ok: false, line: index + 1, problem: 'does not follow the entry before it (removed, reordered or inserted)' };
    if (entryHash(rest) !== hash) return { ok: false, line: index + 1, problem: 'its content does not match its hash (edited)' };
    previous = hash;
  }
  return { ok: true, entries: lines.length, lastHash: previous };
}

export interface ChainReport {
  /** The guard process's chain: `<day>-<server id>-<pid>`. */
  chain: string;
  files: string[];
  entries: number;
  /** The first break, when there is one. */
  broken?: { file: string; line: number; problem: string };
}

/** Every chain in an audit folder, each checked across its rotated parts (which continue one chain). */
export function verifyAuditFolder(folder: string): ChainReport[] {
  let names: string[];
  try {
    names = readdirSync(folder).filter((name) => name.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const chains = new Map<string, { part: number; file: string }[]>();
  for (const name of names) {
    const match = /^(.*?)(?:\.(\d+))?\.jsonl$/.exec(name)!;
    chains.set(match[1]!, [...(chains.get(match[1]!) ?? []), { part: Number(match[2] ?? 0), file: path.join(folder, name) }]);
  }
  return [...chains.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([chain, parts]) => {
      const files = parts.sort((a, b) => a.part - b.part).map((part) => part.file);
      const report: ChainReport = { chain, files, entries: 0 };
      let previous = GENESIS_HASH;
      for (const [index, file] of files.entries()) {
        if (parts[index]!.part !== index) {
          report.broken = { file, line: 1, problem: `part ${index} of the chain is missing` };
          break;
        }
        const result = verifyAuditFile(file, previous);
        if (!result.ok) {
          report.broken = { file, line: result.line, problem: result.problem };
          break;
        }
        report.entries += result.entries;
        previous = result.lastHash;
      }
      return report;
    });
}
