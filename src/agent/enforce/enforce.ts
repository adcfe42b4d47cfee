// Enforcement on disk: every stdio server of a JSON, JSONC, TOML or YAML config is wrapped with the guard, and
// every remote one (streamable HTTP or legacy SSE) pointed at the running agent's loopback guard (`enforce`); both
// are put back exactly as they were (`restore`). Other formats and dialects are reported as not wrapped, with why.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerEntry } from '../../shared/inventory.js';
import type { ScanOutcome } from '../discovery/scan.js';
import { guardUrl, parseGuardedCommand } from '../platform/guard-invocation.js';
import { UnsupportedEncoding, type UpdateOptions, updateFile } from './file-update.js';
import { type Ledger, type LedgerEntry, loadLedger, saveLedger } from './ledger.js';
import { EDITORS, EditRefused, formatsOf } from './entry-editors.js';
import { type GuardLaunch, replaceRange } from './wrap-entry.js';

/**
 * This installation's guard: `MCP_WARDEN_GUARD_COMMAND` (an installed `mcp-warden`), else the same Node running
 * this very command line. Undefined when neither exists (the desktop app's bundle has no command line of its
 * own): enforcement is then skipped rather than writing a command that cannot start.
 */
export function defaultGuardLaunch(guardCommand?: string | undefined): GuardLaunch | undefined {
  if (guardCommand) return { command: guardCommand, args: ['guard'] };
  const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
  return existsSync(cli) ? { command: process.execPath, args: [cli, 'guard'] } : undefined;
}

export class NoGuardCommand extends Error {
  override name = 'NoGuardCommand';
}

/** Why a server was left as it is, as a code to act on (the reason beside it is for people). */
export type SkipCode =
  | 'inside-client'
  | 'already-guarded'
  | 'no-guard-command'
  | 'needs-running-agent'
  | 'url-variables'
  | 'unsupported-format'
  | 'unknown-place'
  | 'unwrappable'
  | 'no-original'
  | 'unsupported-encoding'
  | 'edit-failed'
  | 'not-found';

/** Codes that mean something went wrong on this machine (the agent logs them), not a choice. */
export const FAILED_EDITS: ReadonlySet<SkipCode> = new Set(['unsupported-encoding', 'edit-failed']);

export interface Skipped {
  serverId: string;
  name: string;
  code: SkipCode;
  reason: string;
}

export interface EnforceResult {
  wrapped: { serverId: string; name: string; file: string }[];
  skipped: Skipped[];
}

export interface EnforceOptions {
  stateDir: string;
  guard?: GuardLaunch;
  /** The base URL of the running agent's loopback HTTP guard; remote servers are wrapped only with one. */
  httpBase?: string | undefined;
  dryRun?: boolean;
  update?: Partial<UpdateOptions>;
  now?: () => Date;
}

const NO_GUARD = 'no mcp-warden command to run the guard: install it and set MCP_WARDEN_GUARD_COMMAND';

type Skip = Pick<Skipped, 'code' | 'reason'>;

function skipOf(
  server: ServerEntry,
  outcome: ScanOutcome,
  formatOf: (server: ServerEntry) => string,
  guard: GuardLaunch | undefined,
  httpBase: string | undefined,
): Skip | undefined {
  const spec = outcome.launches.get(server.id);
  if (!spec || spec.transport === 'builtin' || (spec.transport === 'stdio' && !spec.command))
    return { code: 'inside-client', reason: 'runs inside its client' };
  if (spec.transport === 'stdio') {
    if (parseGuardedCommand(spec.command!, spec.args)) return { code: 'already-guarded', reason: 'already guarded' };
    if (!guard) return { code: 'no-guard-command', reason: NO_GUARD };
  } else {
    // Guarded at another port (the setting changed): pointed again at this one, below.
    if (spec.guardedUrl && (!httpBase || spec.guardedUrl.startsWith(`${httpBase}/`)))
      return { code: 'already-guarded', reason: 'already guarded' };
    if (!httpBase)
      return {
        code: 'needs-running-agent',
        reason: 'remote servers are wrapped only by a running agent, whose loopback proxy serves them',
      };
    if (!spec.url || /\$\{|\{env:/.test(spec.url)) return { code: 'url-variables', reason: 'its URL holds variables the client fills in' };
  }
  const format = formatOf(server);
  if (!EDITORS[format]) return { code: 'unsupported-format', reason: `${format.toUpperCase()} configs are not wrapped yet` };
  if (!outcome.entryPaths.has(server.id)) return { code: 'unknown-place', reason: 'its place in the file is unknown' };
  return undefined;
}

export async function enforce(outcome: ScanOutcome, options: EnforceOptions): Promise<EnforceResult> {
  const guard = options.guard ?? defaultGuardLaunch();
  if (!guard && !options.httpBase) throw new NoGuardCommand(NO_GUARD);
  const formatOf = formatsOf(outcome);
  const result: EnforceResult = { wrapped: [], skipped: [] };
  const byFile = new Map<string, ServerEntry[]>();
  for (const server of outcome.result.servers) {
    const skip = skipOf(server, outcome, formatOf, guard, options.httpBase);
    if (skip) result.skipped.push({ serverId: server.id, name: server.name, ...skip });
    else byFile.set(server.configPath, [...(byFile.get(server.configPath) ?? []), server]);
  }
  const ledger = await loadLedger(options.stateDir);
  const backupFolder = path.join(options.stateDir, 'enforce', 'backups');
  for (const [file, servers] of byFile) {
    let records: LedgerEntry[] = [];
    const reasons = new Map<string, Skip>();
    const format = formatOf(servers[0]!);
    const editor = EDITORS[format]!;
    const transform = (text: string) => {
      records = [];
      reasons.clear();
      // One entry may serve several clients (a project's .mcp.json: Claude Code and the Copilot CLI): wrap it
      // once, naming all of them; the guard then applies the strictest of their decisions.
      const entries = new Map<string, ServerEntry[]>();
      for (const server of servers) {
        const key = JSON.stringify(outcome.entryPaths.get(server.id));
        entries.set(key, [...(entries.get(key) ?? []), server]);
      }
      // From the end of the file backwards, so earlier offsets stay valid.
      const located = [...entries.values()]
        .map((sharing) => ({
          sharing,
          keyPath: outcome.entryPaths.get(sharing[0]!.id)!,
          range: editor.range(text, outcome.entryPaths.get(sharing[0]!.id)!),
        }))
        .filter((item) => item.range)
        .sort((a, b) => b.range!.offset - a.range!.offset);
      let next = text;
      for (const { sharing, keyPath, range } of located) {
        const original = text.slice(range!.offset, range!.offset + range!.length);
        const first = sharing[0]!;
        const spec = outcome.launches.get(first.id)!;
        const remote = spec.transport !== 'stdio';
        const reason = remote ? undefined : editor.unwrappableReason(original);
        if (reason) {
          for (const server of sharing) reasons.set(server.id, { code: 'unwrappable', reason });
          continue;
        }
        const clients = [...new Set(sharing.map((server) => server.client))];
        // Pointed again at a new port: the user's original text is the one recorded when it was first wrapped.
        const earlier =
          remote && spec.guardedUrl
            ? ledger.entries.find((entry) => entry.file === file && JSON.stringify(entry.keyPath) === JSON.stringify(keyPath))
            : undefined;
        if (remote && spec.guardedUrl && !earlier) {
          for (const server of sharing)
            reasons.set(server.id, { code: 'no-original', reason: 'guarded at another port, with no record of its original: not changed' });
          continue;
        }
        // A remote entry points at the loopback proxy instead, which finds its way by the route kept here.
        const wrapped = remote
          ? editor.wrapUrl(original, guardUrl(options.httpBase!, first.id, spec.url!))
          : editor.wrap(original, guard!, { serverId: first.id, serverKey: first.serverKey, clients, name: first.name });
        const route = remote
          ? {
              route: {
                upstream: spec.url!,
                transport: spec.transport === 'sse' ? ('sse' as const) : ('http' as const),
                serverKey: first.serverKey,
                client: clients.join(','),
                name: first.name,
              },
            }
          : {};
        next = replaceRange(next, range!, wrapped);
        for (const server of sharing)
          records.push({
            file,
            format,
            keyPath: [...keyPath],
            serverId: server.id,
            original: earlier?.original ?? original,
            wrapped,
            ...route,
            at: (options.now?.() ?? new Date()).toISOString(),
          });
      }
      if (!editor.valid(next)) throw new EditRefused('the edited file would not read back');
      return next;
    };
    try {
      if (options.dryRun) {
        transform(await readFile(file, 'utf8'));
      } else {
        await updateFile(file, transform, { backupFolder, ...options.update });
      }
    } catch (error) {
      // One file that cannot be edited leaves the others, and the agent, going.
      const skip: Skip =
        error instanceof UnsupportedEncoding
          ? { code: 'unsupported-encoding', reason: 'the file is neither UTF-8 nor UTF-16, and is not edited' }
          : { code: 'edit-failed', reason: `the file could not be edited: ${(error as Error).message}` };
      for (const server of servers) result.skipped.push({ serverId: server.id, name: server.name, ...skip });
      continue;
    }
    const wrappedIds = new Set(records.map((record) => record.serverId));
    for (const server of servers) {
      if (wrappedIds.has(server.id)) result.wrapped.push({ serverId: server.id, name: server.name, file });
      else
        result.skipped.push({
          serverId: server.id,
          name: server.name,
          ...(reasons.get(server.id) ?? { code: 'not-found', reason: 'its entry was not found in the file' }),
        });
    }
    if (!options.dryRun && records.length) {
      ledger.entries = [
        ...ledger.entries.filter(
          (entry) => !(entry.file === file && records.some((record) => JSON.stringify(record.keyPath) === JSON.stringify(entry.keyPath))),
        ),
        ...records,
      ];
      // Saved after every file: an edit on disk never goes without the record that undoes it.
      await saveLedger(options.stateDir, ledger);
    }
  }
  return result;
}

export interface RestoreResult {
  restored: { file: string; serverId: string }[];
  /** Entries changed by someone since they were wrapped: left as they are, with why. */
  leftAlone: { file: string; serverId: string; reason: string }[];
}

/** Puts every wrapped entry back exactly as it was written before. */
export async function restore(options: Pick<EnforceOptions, 'stateDir' | 'update'>): Promise<RestoreResult> {
  const ledger: Ledger = await loadLedger(options.stateDir);
  const result: RestoreResult = { restored: [], leftAlone: [] };
  const backupFolder = path.join(options.stateDir, 'enforce', 'backups');
  const files = [...new Set(ledger.entries.map((entry) => entry.file))];
  const remaining: LedgerEntry[] = [];
  for (const file of files) {
    const records = ledger.entries.filter((entry) => entry.file === file);
    let outcome: RestoreResult = { restored: [], leftAlone: [] };
    try {
      await updateFile(
        file,
        (text) => {
          outcome = { restored: [], leftAlone: [] };
          // Records of one shared entry (several clients) restore it once.
          const byEntry = new Map<string, LedgerEntry[]>();
          for (const record of records)
            byEntry.set(JSON.stringify(record.keyPath), [...(byEntry.get(JSON.stringify(record.keyPath)) ?? []), record]);
          const located = [...byEntry.values()]
            .map((group) => ({ group, range: EDITORS[group[0]!.format ?? 'json']!.range(text, group[0]!.keyPath) }))
            .sort((a, b) => (b.range?.offset ?? -1) - (a.range?.offset ?? -1));
          let next = text;
          for (const { group, range } of located) {
            const record = group[0]!;
            const current = range ? text.slice(range.offset, range.offset + range.length) : undefined;
            const done = group.map((item) => ({ file, serverId: item.serverId }));
            if (current === record.wrapped) {
              next = replaceRange(next, range!, record.original);
              outcome.restored.push(...done);
            } else if (current === record.original) outcome.restored.push(...done);
            else
              outcome.leftAlone.push(
                ...done.map((item) => ({
                  ...item,
                  reason: current === undefined ? 'the entry is no longer in the file' : 'the entry was edited after it was wrapped',
                })),
              );
          }
          return next;
        },
        { backupFolder, ...options.update },
      );
    } catch (error) {
      const gone = (error as NodeJS.ErrnoException).code === 'ENOENT';
      outcome = {
        restored: [],
        leftAlone: records.map((record) => ({
          file,
          serverId: record.serverId,
          reason: gone ? 'the file no longer exists' : `the file could not be edited: ${(error as Error).message}`,
        })),
      };
      if (gone) {
        result.leftAlone.push(...outcome.leftAlone);
        continue;
      }
    }
    result.restored.push(...outcome.restored);
    result.leftAlone.push(...outcome.leftAlone);
    // What was left alone keeps its record: the original text stays at hand, for a later restore or by hand.
    remaining.push(...records.filter((record) => outcome.leftAlone.some((item) => item.serverId === record.serverId)));
  }
  // Quarantined servers are not wrapped entries: they stay in the ledger until released.
  await saveLedger(options.stateDir, { ...ledger, entries: remaining });
  return result;
}
