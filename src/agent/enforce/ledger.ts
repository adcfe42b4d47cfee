// What enforcement changed, so it can be put back exactly: for each wrapped entry, the file, where the entry
// is, its original text byte for byte, and what it was replaced with.
import path from 'node:path';
import type { ServerEntry } from '../../shared/inventory.js';
import { readJsonState, writeFileAtomic } from '../state/state-dir.js';

export interface LedgerEntry {
  file: string;
  /** The file's format, for the editor that finds the entry again (JSON when absent: older ledgers). */
  format?: string;
  keyPath: (string | number)[];
  serverId: string;
  original: string;
  wrapped: string;
  /** For a remote entry: where the guard's loopback proxy forwards it, and what it enforces there. */
  route?: { upstream: string; transport?: 'http' | 'sse'; serverKey: string; client: string; name: string };
  at: string;
}

/** A server taken out of a config because the organisation blocks it: the exact text removed, and where. */
export interface QuarantineRecord {
  file: string;
  /** The servers the entry stood for (one per client sharing it), as the inventory saw them (redacted): they
   * stay reported, and decided, while out of the file. */
  servers: ServerEntry[];
  /** Offset in the file where `removed` stood. */
  offset: number;
  removed: string;
  /** What stands in its place (YAML's `{}` or `[]` for a map or list left empty), none when nothing does. */
  placeholder?: string;
  /** The text just before and after, to check the place is still the same before putting it back. */
  before: string;
  after: string;
  /** The servers map it belongs to, to put it back by key if the place changed. */
  containerPath: (string | number)[];
  /** Its own key path, to see whether it is back already. */
  keyPath?: (string | number)[];
  /** The file's format, for the editor that puts it back (JSON when absent). */
  format?: string;
  /** How the clients' denylists name it (docs/enforcement.md), taken while the launch was still at hand. */
  deny?: NativeDenyEntry;
  at: string;
}

/** An entry of Claude Code's `deniedMcpServers` (and VS Code's `ChatDeniedMcpServers`): by exact command line, URL, or name. */
export type NativeDenyEntry = { serverCommand: string[] } | { serverUrl: string } | { serverName: string };
/** An entry of an allowlist (`allowedMcpServers`, `ChatAllowedMcpServers`), written by name (docs/enforcement.md says why). */
export type NativeAllowEntry = { serverName: string };

/** What the agent wrote into one native control's file. */
export interface NativeRecord {
  file: string;
  denied: NativeDenyEntry[];
  /** The agent created the file (and removes it once empty). */
  created: boolean;
  /** The allowlist is the agent's own. */
  allowed?: boolean;
  /** Settings the agent wrote (VS Code's registry policies), with the value written: a key is changed or taken out again only while the file still holds that value. */
  settings?: Record<string, string>;
}

export interface Ledger {
  version: 1;
  entries: LedgerEntry[];
  quarantine?: QuarantineRecord[];
  /** What the agent wrote into native enterprise controls, to take exactly that out again. */
  native?: Partial<Record<'claudeCode' | 'vscode', NativeRecord | undefined>>;
}

const isLedger = (value: unknown): value is Ledger =>
  typeof value === 'object' && value !== null && (value as Ledger).version === 1 && Array.isArray((value as Ledger).entries);

export const ledgerFile = (stateDir: string) => path.join(stateDir, 'enforce', 'ledger.json');

export async function loadLedger(stateDir: string): Promise<Ledger> {
  return readJsonState(ledgerFile(stateDir), { version: 1, entries: [] }, isLedger);
}

export async function saveLedger(stateDir: string, ledger: Ledger): Promise<void> {
  await writeFileAtomic(ledgerFile(stateDir), JSON.stringify(ledger, null, 2));
}
