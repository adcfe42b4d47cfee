// Quarantine: a server the organisation blocks outright is taken out of its client's config (so the client
// cannot start it at all), its exact text kept in the ledger; when the block is lifted, or the mode returns to
// monitor, it is put back where it was — byte for byte when the text around it is unchanged, else by key.
import path from 'node:path';
import type { ServerEntry } from '../../shared/inventory.js';
import { type Policy, isBlocked } from '../../shared/policy.js';
import type { ScanOutcome } from '../discovery/scan.js';
import { decideServer } from '../policy/decisions.js';
import { EDITORS, EditRefused, formatsOf } from './entry-editors.js';
import { type UpdateOptions, updateFile } from './file-update.js';
import { type QuarantineRecord, loadLedger, saveLedger } from './ledger.js';
import { denyEntryFor } from './native-controls.js';

/** How much text either side of a cut is kept, to recognise the place when putting the entry back. */
const CONTEXT = 24;

export interface QuarantineOptions {
  stateDir: string;
  policy: Policy | undefined;
  deviceIps: readonly string[];
  now?: () => Date;
  update?: Partial<UpdateOptions>;
  log?: (line: string) => void;
}

const blockedNow = (servers: readonly ServerEntry[], options: QuarantineOptions, now: Date) =>
  servers.some((server) => isBlocked(decideServer(options.policy, server, options.deviceIps, now)));

/** Takes out of their JSON, JSONC, TOML and YAML configs the servers the policy blocks (rejected, or approval expired). */
export async function quarantineBlocked(outcome: ScanOutcome, options: QuarantineOptions): Promise<QuarantineRecord[]> {
  if (!options.policy) return [];
  const now = options.now?.() ?? new Date();
  const formatOf = formatsOf(outcome);
  // Managed configs are IT's own files, changed through MDM; extensions and plugins have no entry to cut.
  const editable = (server: ServerEntry) =>
    (server.scope === 'user' || server.scope === 'project') && EDITORS[formatOf(server)] !== undefined && outcome.entryPaths.has(server.id);
  // One entry may stand for several clients (a project's .mcp.json): it goes if any of their decisions blocks it.
  const entries = new Map<string, { file: string; format: string; keyPath: (string | number)[]; servers: ServerEntry[] }>();
  for (const server of outcome.result.servers.filter(editable)) {
    const keyPath = outcome.entryPaths.get(server.id)!;
    const key = JSON.stringify([server.configPath, keyPath]);
    const entry = entries.get(key) ?? {
      file: server.configPath,
      format: formatOf(server),
      keyPath: [...keyPath],
      servers: [] as ServerEntry[],
    };
    entry.servers.push(server);
    entries.set(key, entry);
  }
  const toTake = [...entries.values()].filter((entry) => blockedNow(entry.servers, options, now));
  const taken: QuarantineRecord[] = [];
  for (const file of new Set(toTake.map((entry) => entry.file))) {
    const format = toTake.find((entry) => entry.file === file)!.format;
    let records: QuarantineRecord[] = [];
    const transform = (text: string) => {
      records = [];
      // One cut at a time, each on the text the one before left, with positions taken afresh.
      let next = text;
      // List items (YAML lists) from the last: a cut shifts the positions of the items after it.
      for (const { keyPath, servers } of toTake.filter((entry) => entry.file === file).sort(byListPositionDescending)) {
        const containerPath = keyPath.slice(0, -1);
        const cut = EDITORS[format]!.cutRange(next, keyPath);
        if (!cut) continue;
        const { offset, length, placeholder = '' } = cut;
        records.push({
          file,
          servers,
          offset,
          removed: next.slice(offset, offset + length),
          ...(placeholder ? { placeholder } : {}),
          before: next.slice(Math.max(0, offset - CONTEXT), offset),
          after: next.slice(offset + length, offset + length + CONTEXT),
          containerPath,
          keyPath: [...keyPath],
          format,
          deny: denyEntryFor(servers[0]!, outcome.launches.get(servers[0]!.id)),
          at: now.toISOString(),
        });
        next = next.slice(0, offset) + placeholder + next.slice(offset + length);
      }
      if (!EDITORS[format]!.valid(next)) throw new EditRefused('the file would not read back without the entry');
      return next;
    };
    try {
      await updateFile(file, transform, { backupFolder: path.join(options.stateDir, 'enforce', 'backups'), ...options.update });
    } catch (error) {
      // The file stays as it is (the guard still refuses the server's calls); the others go on.
      options.log?.(`quarantine: ${file} left as it is: ${(error as Error).message}`);
      continue;
    }
    if (!records.length) continue;
    taken.push(...records);
    // Saved after every file: a cut on disk never goes without the text that undoes it.
    const ledger = await loadLedger(options.stateDir);
    await saveLedger(options.stateDir, { ...ledger, quarantine: [...(ledger.quarantine ?? []), ...records] });
  }
  return taken;
}

const listPosition = (keyPath: readonly (string | number)[]) => (typeof keyPath.at(-1) === 'number' ? (keyPath.at(-1) as number) : -1);
const byListPositionDescending = (a: { keyPath: (string | number)[] }, b: { keyPath: (string | number)[] }) =>
  listPosition(b.keyPath) - listPosition(a.keyPath);

/** Puts an entry back where it was cut when the text around is unchanged; else by key, as its format does. */
function putBack(format: string) {
  const editor = EDITORS[format]!;
  return (text: string, record: QuarantineRecord): string => {
    // Back already (the user added it again, or a later cut of the same entry went back first): theirs stays.
    // A list item's position names another item once it is out; the editor's insertByKey checks those by name.
    if (record.keyPath && listPosition(record.keyPath) === -1 && editor.range(text, record.keyPath)) return text;
    const { offset, before, after, removed, placeholder = '' } = record;
    if (
      text.slice(Math.max(0, offset - before.length), offset) === before &&
      text.slice(offset, offset + placeholder.length + after.length) === placeholder + after
    ) {
      return text.slice(0, offset) + removed + text.slice(offset + placeholder.length);
    }
    return editor.insertByKey(text, record.containerPath, removed);
  };
}

/** Puts back the quarantined servers no longer blocked (all of them with `all`), the latest cut first. */
export async function releaseQuarantined(options: QuarantineOptions & { all?: boolean }): Promise<QuarantineRecord[]> {
  // Without a policy (none yet, or its cache unreadable) nothing is known to be approved: all stays as it is.
  if (!options.all && !options.policy) return [];
  const ledger = await loadLedger(options.stateDir);
  const now = options.now?.() ?? new Date();
  const toRelease = (ledger.quarantine ?? []).filter((record) => options.all || !blockedNow(record.servers, options, now));
  const released: QuarantineRecord[] = [];
  for (const file of new Set(toRelease.map((record) => record.file))) {
    // In reverse order of cutting, each insertion restores the text the next one expects.
    const records = toRelease.filter((record) => record.file === file).reverse();
    const format = records[0]!.format ?? 'json';
    try {
      await updateFile(
        file,
        (text) => {
          const next = records.reduce(putBack(format), text);
          if (!EDITORS[format]!.valid(next)) throw new EditRefused('the file would not read back with the entry');
          return next;
        },
        { backupFolder: path.join(options.stateDir, 'enforce', 'backups'), ...options.update },
      );
    } catch (error) {
      // A file that is gone (the client uninstalled, the project deleted) has nowhere to take it back; any other
      // failure keeps the record for the next cycle.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        options.log?.(`quarantine: ${file} not put back yet: ${(error as Error).message}`);
        continue;
      }
    }
    released.push(...records);
    const current = await loadLedger(options.stateDir);
    await saveLedger(options.stateDir, {
      ...current,
      quarantine: (current.quarantine ?? []).filter((record) => !records.some((done) => JSON.stringify(done) === JSON.stringify(record))),
    });
  }
  return released;
}

/** The servers now out of their configs in quarantine: still on this machine, so still inventoried and shown. */
export async function quarantinedServers(stateDir: string): Promise<ServerEntry[]> {
  return ((await loadLedger(stateDir)).quarantine ?? []).flatMap((record) => record.servers);
}

/** The scanned servers plus those in quarantine (which a scan cannot see), each once. */
export function withQuarantined(scanned: readonly ServerEntry[], quarantined: readonly ServerEntry[]): ServerEntry[] {
  const seen = new Set(scanned.map((server) => server.id));
  return [...scanned, ...quarantined.filter((server) => !seen.has(server.id))];
}
