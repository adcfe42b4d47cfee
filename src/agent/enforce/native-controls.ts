// Native enterprise controls, written alongside the guard: Claude Code's managed `deniedMcpServers` makes Claude
// Code itself refuse a blocked server, wherever it is configured (managed, plugin, or added after the cycle),
// and, when the organisation blocks what it has not reviewed, `allowedMcpServers` makes it refuse every server
// not approved. The agent keeps only its own denylist entries, next to whatever IT put there, writes the
// allowlist only where IT has none, and takes both out again in monitor mode. Writing needs the rights to the
// machine-wide folder; without them it is skipped and said.
import { type ParseError, applyEdits, modify, parse } from 'jsonc-parser';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ServerEntry } from '../../shared/inventory.js';
import { type Policy, isBlocked } from '../../shared/policy.js';
import type { LaunchSpec } from '../discovery/normalise.js';
import type { ScanOutcome } from '../discovery/scan.js';
import { type World, expandTemplate } from '../discovery/world.js';
import { decideServer } from '../sync/decisions.js';
import { EditRefused } from './entry-editors.js';
import { updateFile } from './file-update.js';
import { type NativeAllowEntry, type NativeDenyEntry, loadLedger, saveLedger } from './ledger.js';

const CLAUDE_CODE = 'claude-code';
const MANAGED_SETTINGS: Record<string, string> = {
  darwin: '{root}/Library/Application Support/ClaudeCode/managed-settings.json',
  linux: '{root}/etc/claude-code/managed-settings.json',
  win32: '{programFiles}/ClaudeCode/managed-settings.json',
};

export const claudeCodeManagedSettings = (world: World) => expandTemplate(MANAGED_SETTINGS[world.platform] ?? MANAGED_SETTINGS.linux!, world);

/**
 * How Claude Code recognises a server: its exact command line, or URL, when these hold nothing secret (the
 * managed file is readable by every user of the machine), else its name.
 */
export function denyEntryFor(server: ServerEntry, launch: LaunchSpec | undefined): NativeDenyEntry {
  if (launch?.transport === 'stdio' && launch.command && launch.command === server.command && JSON.stringify(launch.args) === JSON.stringify(server.args)) {
    return { serverCommand: [launch.command, ...launch.args] };
  }
  if (launch?.url && launch.url === server.url) return { serverUrl: launch.url };
  return { serverName: server.name };
}

export interface NativeControlOptions {
  world: World;
  stateDir: string;
  policy: Policy | undefined;
  deviceIps: readonly string[];
  now: Date;
}

export interface NativeControlResult {
  file: string;
  denied: NativeDenyEntry[];
  /** The allowlist written, when the agent owns one. */
  allowed?: NativeAllowEntry[] | undefined;
  /** Why nothing was written (no rights, a broken file), when so. */
  skipped?: string;
}

const same = (a: NativeDenyEntry, b: NativeDenyEntry) => JSON.stringify(a) === JSON.stringify(b);

/** The denylist entries this policy calls for: blocked Claude Code servers now configured, and those in quarantine. */
export async function claudeCodeDenials(outcome: ScanOutcome, options: NativeControlOptions): Promise<NativeDenyEntry[]> {
  const blocked = (server: ServerEntry) => server.client === CLAUDE_CODE && isBlocked(decideServer(options.policy, server, options.deviceIps, options.now));
  const fromScan = outcome.result.servers.filter(blocked).map((server) => denyEntryFor(server, outcome.launches.get(server.id)));
  const fromQuarantine = ((await loadLedger(options.stateDir)).quarantine ?? []).filter((record) => record.servers.some(blocked) && record.deny).map((record) => record.deny!);
  return [...fromScan, ...fromQuarantine].filter((entry, index, all) => all.findIndex((other) => same(other, entry)) === index);
}

/** What the agent wants in Claude Code's managed settings: its denylist entries, and an allowlist or none. */
export interface ClaudeCodeControls {
  denied: NativeDenyEntry[];
  /** Only under a policy whose default is block: the approved servers, by name. */
  allowed?: NativeAllowEntry[] | undefined;
}

/**
 * The allowlist a deny-by-default policy calls for: every Claude Code server not blocked now, by name. By name
 * because wrapping rewrites a server's command and URL (an exact `serverCommand` would go stale whenever the
 * guard moves); a server renamed to pass is still wrapped or quarantined by its identity on the next cycle.
 */
export function claudeCodeAllowances(outcome: ScanOutcome, options: Pick<NativeControlOptions, 'policy' | 'deviceIps' | 'now'>): NativeAllowEntry[] | undefined {
  if (options.policy?.defaultVerdict !== 'block') return undefined;
  const approved = outcome.result.servers.filter((server) => server.client === CLAUDE_CODE && !isBlocked(decideServer(options.policy, server, options.deviceIps, options.now)));
  return [...new Set(approved.map((server) => server.name))].sort().map((serverName) => ({ serverName }));
}

/**
 * Makes the agent's part of `deniedMcpServers` exactly `wanted.denied` (nothing, to take it all out), leaving
 * IT's own, and `allowedMcpServers` exactly `wanted.allowed` when the agent owns it (absent: taken out).
 */
export async function writeClaudeCodeControls(wanted: ClaudeCodeControls, options: Pick<NativeControlOptions, 'world' | 'stateDir'>): Promise<NativeControlResult> {
  const ledger = await loadLedger(options.stateDir);
  // Where the agent wrote last time is where its entries are to be taken out of.
  const file = ledger.native?.claudeCode?.file ?? claudeCodeManagedSettings(options.world);
  const ours = ledger.native?.claudeCode ?? { file, denied: [], created: false };
  const nothing = { file, denied: [] };
  if (!wanted.denied.length && !ours.denied.length && !wanted.allowed && !ours.allowed) return nothing;
  let existed = true;
  try {
    await readFile(file);
  } catch {
    existed = false;
  }
  if (!existed && !wanted.denied.length && !wanted.allowed) return nothing;
  let added: NativeDenyEntry[] = [];
  let allowedOwned = false;
  let note: string | undefined;
  try {
    await updateFile(
      file,
      (text) => {
        const errors: ParseError[] = [];
        const settings = parse(text || '{}', errors, { allowTrailingComma: true }) as { deniedMcpServers?: unknown; allowedMcpServers?: unknown } | undefined;
        const current = settings?.deniedMcpServers;
        // IT's file is theirs to fix: a broken one, or a denylist that is not a list, is not touched.
        if (errors.length) throw new EditRefused(`${file} is not valid JSON`);
        if (current !== undefined && !Array.isArray(current)) throw new EditRefused(`deniedMcpServers in ${file} is not a list`);
        const theirs = (Array.isArray(current) ? (current as NativeDenyEntry[]) : []).filter((entry) => !ours.denied.some((mine) => same(mine, entry)));
        // Only what IT has not listed already is the agent's, and only that is ever taken out again.
        added = wanted.denied.filter((entry) => !theirs.some((other) => same(other, entry)));
        const next = [...theirs, ...added];
        const base = text || '{}\n';
        const edit = (edited: string, key: string, value: unknown) => applyEdits(edited, modify(edited, [key], value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }));
        let out = edit(base, 'deniedMcpServers', next.length ? next : undefined);
        // IT's own allowlist is theirs: the agent neither widens nor replaces it.
        const itsAllowlist = settings?.allowedMcpServers !== undefined && !ours.allowed;
        allowedOwned = Boolean(wanted.allowed) && !itsAllowlist;
        if (wanted.allowed && itsAllowlist) note = `${file} has IT's own allowedMcpServers: left as it is`;
        if (allowedOwned) out = edit(out, 'allowedMcpServers', wanted.allowed);
        else if (ours.allowed) out = edit(out, 'allowedMcpServers', undefined);
        return out;
      },
      { backupFolder: path.join(options.stateDir, 'enforce', 'backups'), createIfMissing: true },
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof EditRefused) return { ...nothing, skipped: error.message };
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return { ...nothing, skipped: `no rights to write ${file}: run the agent as an administrator to use Claude Code's own controls` };
    return { ...nothing, skipped: `${file}: ${(error as Error).message}` };
  }
  const created = ours.created || !existed;
  // A file the agent created and that now holds nothing is removed, leaving the machine as it found it.
  if (!wanted.denied.length && !allowedOwned && created && JSON.stringify(parse(await readFile(file, 'utf8'))) === '{}') await rm(file, { force: true });
  const kept = added.length || allowedOwned ? { file, denied: added, created, ...(allowedOwned ? { allowed: true } : {}) } : undefined;
  await saveLedger(options.stateDir, { ...(await loadLedger(options.stateDir)), native: { claudeCode: kept } });
  return { file, denied: wanted.denied, ...(allowedOwned ? { allowed: wanted.allowed } : {}), ...(note ? { skipped: note } : {}) };
}
