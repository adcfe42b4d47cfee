// Native enterprise controls, written alongside the guard, so that the clients themselves refuse a blocked
// server wherever it is configured (managed, plugin, or added after the agent's cycle): Claude Code's managed
// settings and VS Code's policy file, both with a denylist and an allowlist of the same shape (`serverName`,
// `serverCommand`, `serverUrl`). The denylist holds the servers the policy blocks; the allowlist, written only
// when the organisation blocks what it has not reviewed, the ones approved. The agent keeps only its own
// denylist entries, next to whatever IT put there, writes an allowlist only where IT has none, and takes both
// out again in monitor mode. Where the organisation has laptops use its MCP registry, VS Code's policy file also
// points the gallery at it (and, registry-only, runs nothing else). Writing needs the rights to the machine-wide
// file; without them it is skipped and said.
import { type ParseError, applyEdits, modify, parse } from 'jsonc-parser';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ServerEntry } from '../../shared/inventory.js';
import { type Policy, isBlocked } from '../../shared/policy.js';
import { CLAUDE_CODE_MANAGED_SETTINGS } from '../discovery/catalogue/clients.js';
import type { LaunchSpec } from '../discovery/normalise.js';
import type { ScanOutcome } from '../discovery/scan.js';
import { type World, expandTemplate } from '../discovery/world.js';
import { decideServer } from '../policy/decisions.js';
import { EditRefused } from './entry-editors.js';
import { updateFile } from './file-update.js';
import { type NativeAllowEntry, type NativeDenyEntry, loadLedger, saveLedger } from './ledger.js';

export interface NativeControl {
  /** Its key in the ledger. */
  id: 'claudeCode' | 'vscode';
  /** What the log calls it. */
  name: string;
  /** The clients whose servers it governs. */
  clients: readonly string[];
  /** The machine-wide file, per platform; none where the client takes it only from MDM. */
  files: Partial<Record<NodeJS.Platform, string>>;
  deniedKey: string;
  allowedKey: string;
  /** How a list stands in the file: as JSON, or (VS Code, whose policy values are strings) as a JSON string. */
  encoding: 'list' | 'json-string';
  /** The settings that point the client at the organisation's registry, from the policy and the endpoint's URL. */
  registrySettings?: (registry: NonNullable<Policy['registry']>, registryUrl: string) => Record<string, string>;
}

export const CLAUDE_CODE_CONTROL: NativeControl = {
  id: 'claudeCode',
  name: "Claude Code's managed settings",
  clients: ['claude-code'],
  files: CLAUDE_CODE_MANAGED_SETTINGS,
  deniedKey: 'deniedMcpServers',
  allowedKey: 'allowedMcpServers',
  encoding: 'list',
};

// VS Code reads policies from this file on Linux only (macOS and Windows take them from configuration profiles
// and the registry, which MDM delivers: docs/enforcement.md gives IT the values).
export const VSCODE_CONTROL: NativeControl = {
  id: 'vscode',
  name: "VS Code's policy file",
  clients: ['vscode'],
  files: { linux: '{root}/etc/vscode/policy.json' },
  deniedKey: 'ChatDeniedMcpServers',
  allowedKey: 'ChatAllowedMcpServers',
  encoding: 'json-string',
  // The gallery reads the registry at <url>/v0.1/…; `chat.mcp.access` = `registry` runs only servers from it.
  registrySettings: (registry, registryUrl) => ({
    McpGalleryServiceUrl: registryUrl,
    ...(registry.mode === 'only' ? { ChatMCP: 'registry' } : {}),
  }),
};

export const NATIVE_CONTROLS: readonly NativeControl[] = [CLAUDE_CODE_CONTROL, VSCODE_CONTROL];

const controlFile = (control: NativeControl, world: World) =>
  control.files[world.platform] ? expandTemplate(control.files[world.platform]!, world) : undefined;
export const claudeCodeManagedSettings = (world: World) => controlFile(CLAUDE_CODE_CONTROL, world)!;

/**
 * How a client recognises a server: its exact command line, or URL, when these hold nothing secret (the
 * machine-wide files are readable by every user of the machine), else its name.
 */
export function denyEntryFor(server: ServerEntry, launch: LaunchSpec | undefined): NativeDenyEntry {
  if (
    launch?.transport === 'stdio' &&
    launch.command &&
    launch.command === server.command &&
    JSON.stringify(launch.args) === JSON.stringify(server.args)
  ) {
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
  /** The central endpoint, which serves the organisation's registry. */
  registryUrl?: string | undefined;
}

export interface NativeControlResult {
  file: string;
  denied: NativeDenyEntry[];
  /** The allowlist written, when the agent owns one. */
  allowed?: NativeAllowEntry[] | undefined;
  /** The settings the agent holds in the file (registry policies). */
  settings?: Record<string, string> | undefined;
  /** Why nothing (or not all) was written: no rights, a broken file, IT's own allowlist. */
  skipped?: string;
}

const same = (a: NativeDenyEntry, b: NativeDenyEntry) => JSON.stringify(a) === JSON.stringify(b);

/** The denylist entries this policy calls for: the control's blocked servers now configured, and those in quarantine. */
export async function controlDenials(
  control: NativeControl,
  outcome: ScanOutcome,
  options: NativeControlOptions,
): Promise<NativeDenyEntry[]> {
  const blocked = (server: ServerEntry) =>
    control.clients.includes(server.client) && isBlocked(decideServer(options.policy, server, options.deviceIps, options.now));
  const fromScan = outcome.result.servers.filter(blocked).map((server) => denyEntryFor(server, outcome.launches.get(server.id)));
  const fromQuarantine = ((await loadLedger(options.stateDir)).quarantine ?? [])
    .filter((record) => record.servers.some(blocked) && record.deny)
    .map((record) => record.deny!);
  return [...fromScan, ...fromQuarantine].filter((entry, index, all) => all.findIndex((other) => same(other, entry)) === index);
}

/** What the agent wants in a control's file: its denylist entries, and an allowlist or none. */
export interface WantedControls {
  denied: NativeDenyEntry[];
  /** Only under a policy whose default is block: the approved servers, by name. */
  allowed?: NativeAllowEntry[] | undefined;
  /** Settings to hold (the registry's policies); IT's own values for the same keys stay. */
  settings?: Record<string, string> | undefined;
}

/** The registry settings a control calls for: when the organisation has laptops use its registry. */
export function controlSettings(
  control: NativeControl,
  options: Pick<NativeControlOptions, 'policy' | 'registryUrl'>,
): Record<string, string> | undefined {
  const registry = options.policy?.registry;
  if (!control.registrySettings || !registry || !options.registryUrl) return undefined;
  return control.registrySettings(registry, options.registryUrl);
}

/**
 * The allowlist a deny-by-default policy calls for, for a client present on the machine: every server of the
 * control's clients not blocked now, by name. By name because wrapping rewrites a server's command and URL (an
 * exact `serverCommand` would go stale whenever the guard moves); a server renamed to pass is still wrapped or
 * quarantined by its identity on the next cycle.
 */
export function controlAllowances(
  control: NativeControl,
  outcome: ScanOutcome,
  options: Pick<NativeControlOptions, 'policy' | 'deviceIps' | 'now'>,
): NativeAllowEntry[] | undefined {
  if (options.policy?.defaultVerdict !== 'block') return undefined;
  // A client with no config on this machine gets no file written for it.
  if (!outcome.result.sources.some((source) => control.clients.includes(source.client))) return undefined;
  const approved = outcome.result.servers.filter(
    (server) => control.clients.includes(server.client) && !isBlocked(decideServer(options.policy, server, options.deviceIps, options.now)),
  );
  return [...new Set(approved.map((server) => server.name))].sort().map((serverName) => ({ serverName }));
}

/** A list as the file holds it, read back; undefined when absent, null when it is not a list. */
function decodeList(control: NativeControl, value: unknown): unknown[] | undefined | null {
  if (value === undefined) return undefined;
  let list = value;
  if (control.encoding === 'json-string') {
    if (typeof value !== 'string') return null;
    try {
      list = JSON.parse(value);
    } catch {
      return null;
    }
  }
  return Array.isArray(list) ? list : null;
}
const encodeList = (control: NativeControl, list: readonly unknown[]) => (control.encoding === 'json-string' ? JSON.stringify(list) : list);

/**
 * Makes the agent's part of a control's denylist exactly `wanted.denied` (nothing, to take it all out), leaving
 * IT's own, and its allowlist exactly `wanted.allowed` when the agent owns it (absent: taken out).
 */
export async function writeNativeControl(
  control: NativeControl,
  wanted: WantedControls,
  options: Pick<NativeControlOptions, 'world' | 'stateDir'>,
): Promise<NativeControlResult> {
  const ledger = await loadLedger(options.stateDir);
  // Where the agent wrote last time is where its entries are to be taken out of.
  const file = ledger.native?.[control.id]?.file ?? controlFile(control, options.world);
  if (!file) return { file: '', denied: [] };
  const ours = ledger.native?.[control.id] ?? { file, denied: [], created: false };
  const nothing = { file, denied: [] };
  const wantedSettings = wanted.settings ?? {};
  const ourSettings = ours.settings ?? {};
  const anySettings = Object.keys(wantedSettings).length > 0 || Object.keys(ourSettings).length > 0;
  if (!wanted.denied.length && !ours.denied.length && !wanted.allowed && !ours.allowed && !anySettings) return nothing;
  let existed = true;
  try {
    await readFile(file);
  } catch {
    existed = false;
  }
  if (!existed && !wanted.denied.length && !wanted.allowed && !Object.keys(wantedSettings).length) return nothing;
  let added: NativeDenyEntry[] = [];
  let allowedOwned = false;
  let heldSettings: Record<string, string> = {};
  const notes: string[] = [];
  try {
    await updateFile(
      file,
      (text) => {
        // Called again when the file changed under the edit: each call says what it found afresh.
        notes.length = 0;
        const errors: ParseError[] = [];
        const settings = parse(text || '{}', errors, { allowTrailingComma: true }) as Record<string, unknown> | undefined;
        // IT's file is theirs to fix: a broken one, or a denylist that is not a list, is not touched.
        if (errors.length || typeof settings !== 'object' || settings === null) throw new EditRefused(`${file} is not valid JSON`);
        const current = decodeList(control, settings[control.deniedKey]);
        if (current === null) throw new EditRefused(`${control.deniedKey} in ${file} is not a list`);
        const theirs = ((current ?? []) as NativeDenyEntry[]).filter((entry) => !ours.denied.some((mine) => same(mine, entry)));
        // Only what IT has not listed already is the agent's, and only that is ever taken out again.
        added = wanted.denied.filter((entry) => !theirs.some((other) => same(other, entry)));
        const next = [...theirs, ...added];
        const base = text || '{}\n';
        const edit = (edited: string, key: string, value: unknown) =>
          applyEdits(edited, modify(edited, [key], value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }));
        let out = edit(base, control.deniedKey, next.length ? encodeList(control, next) : undefined);
        // IT's own allowlist is theirs: the agent neither widens nor replaces it.
        const itsAllowlist = settings[control.allowedKey] !== undefined && !ours.allowed;
        allowedOwned = Boolean(wanted.allowed) && !itsAllowlist;
        if (wanted.allowed && itsAllowlist) notes.push(`${file} has IT's own ${control.allowedKey}: left as it is`);
        if (allowedOwned) out = edit(out, control.allowedKey, encodeList(control, wanted.allowed!));
        else if (ours.allowed) out = edit(out, control.allowedKey, undefined);
        // A setting IT set is theirs, and so is one IT changed since the agent wrote it: the agent changes or
        // takes out only a value it wrote and that is still there.
        heldSettings = {};
        const isOurs = (key: string) => ourSettings[key] !== undefined && settings[key] === ourSettings[key];
        for (const [key, value] of Object.entries(wantedSettings)) {
          if (settings[key] !== undefined && !isOurs(key)) {
            if (settings[key] !== value) notes.push(`${file} has IT's own ${key}: left as it is`);
            continue;
          }
          heldSettings[key] = value;
          out = edit(out, key, value);
        }
        for (const key of Object.keys(ourSettings)) if (!(key in heldSettings) && isOurs(key)) out = edit(out, key, undefined);
        return out;
      },
      { backupFolder: path.join(options.stateDir, 'enforce', 'backups'), createIfMissing: true },
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof EditRefused) return { ...nothing, skipped: error.message };
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      return { ...nothing, skipped: `no rights to write ${file}: run the agent as an administrator to use ${control.name}` };
    return { ...nothing, skipped: `${file}: ${(error as Error).message}` };
  }
  const created = ours.created || !existed;
  const held = Object.keys(heldSettings);
  // A file the agent created and that now holds nothing is removed, leaving the machine as it found it.
  if (!wanted.denied.length && !allowedOwned && !held.length && created && JSON.stringify(parse(await readFile(file, 'utf8'))) === '{}')
    await rm(file, { force: true });
  const kept =
    added.length || allowedOwned || held.length
      ? { file, denied: added, created, ...(allowedOwned ? { allowed: true } : {}), ...(held.length ? { settings: heldSettings } : {}) }
      : undefined;
  const latest = await loadLedger(options.stateDir);
  await saveLedger(options.stateDir, { ...latest, native: { ...latest.native, [control.id]: kept } });
  return {
    file,
    denied: wanted.denied,
    ...(allowedOwned ? { allowed: wanted.allowed } : {}),
    ...(held.length ? { settings: heldSettings } : {}),
    ...(notes.length ? { skipped: notes.join('; ') } : {}),
  };
}

/** Every native control brought in line with the policy (enforce mode). */
export async function applyNativeControls(
  outcome: ScanOutcome,
  options: NativeControlOptions,
): Promise<{ control: NativeControl; result: NativeControlResult }[]> {
  const applied = [];
  for (const control of NATIVE_CONTROLS) {
    const wanted = {
      denied: await controlDenials(control, outcome, options),
      allowed: controlAllowances(control, outcome, options),
      settings: controlSettings(control, options),
    };
    applied.push({ control, result: await writeNativeControl(control, wanted, options) });
  }
  return applied;
}

/** Everything the agent wrote into native controls, taken out again (monitor mode, `mcp-warden restore`). */
export async function clearNativeControls(
  options: Pick<NativeControlOptions, 'world' | 'stateDir'>,
): Promise<{ control: NativeControl; result: NativeControlResult }[]> {
  const cleared = [];
  for (const control of NATIVE_CONTROLS) cleared.push({ control, result: await writeNativeControl(control, { denied: [] }, options) });
  return cleared;
}
