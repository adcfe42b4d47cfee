// Reads the settings IT manages, from where each platform's device management puts them, for every entry
// point (the desktop app, the headless agent, every command):
// macOS  /Library/Managed Preferences/<bundle id>.plist (and per user), written by a configuration profile;
// Windows HKLM\SOFTWARE\Policies\MCPWarden (machine) over HKCU\SOFTWARE\Policies\MCPWarden (user);
// Linux  /etc/mcp-warden/managed.json.
// Values come back raw, by their managed names: resolve.ts checks each against the settings catalogue.
// Parsing is pure (tested on fixture files); reading the stores is injected.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isObject } from '../../shared/is-object.js';
import { osUserName } from '../platform/os-user.js';

export const BUNDLE_ID = 'dev.mcpwarden.agent';
export const REGISTRY_KEYS = ['HKCU\\SOFTWARE\\Policies\\MCPWarden', 'HKLM\\SOFTWARE\\Policies\\MCPWarden'];
export const LINUX_MANAGED_FILE = '/etc/mcp-warden/managed.json';

/** A property list's top-level dictionary. The parser loads only where profiles are read (macOS): it costs a command tens of milliseconds. */
export async function parsePlist(text: string): Promise<Record<string, unknown>> {
  const { default: plist } = await import('plist');
  const value = plist.parse(text);
  return isObject(value) ? value : {};
}

/** `reg query KEY` output: `    Name    REG_SZ    value` lines; multi-strings use `\0`. */
export function parseRegQuery(output: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const line of output.split(/\r?\n/)) {
    const match = /^\s{2,}(\S+)\s+(REG_SZ|REG_EXPAND_SZ|REG_DWORD|REG_MULTI_SZ)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [, name, type, data] = match;
    values[name!] =
      type === 'REG_DWORD' ? Number.parseInt(data!, 16) : type === 'REG_MULTI_SZ' ? data!.split('\\0').filter(Boolean) : data!.trim();
  }
  return values;
}

export interface ManagedSources {
  readFile(file: string): Promise<string | undefined>;
  run(command: string, args: string[]): Promise<string | undefined>;
  user: string;
}

export const systemSources: ManagedSources = {
  readFile: (file) => readFile(file, 'utf8').catch(() => undefined),
  run: async (command, args) => {
    try {
      return (await promisify(execFile)(command, args, { timeout: 5000, windowsHide: true })).stdout;
    } catch {
      return undefined;
    }
  },
  user: osUserName(),
};

export interface ManagedValues {
  /** Raw values by managed name (`ServerUrl`, `ProbeMode`, …). */
  values: Record<string, unknown>;
  /** Where they came from, for status, the settings page and logs. */
  origin?: string;
  /** A store that exists but cannot be used (a managed file that is not valid JSON): said loudly, never dropped in silence. */
  problem?: string;
}

/** One configuration profile's values, or why it cannot be used; undefined when it is not installed. */
async function readPlistFile(sources: ManagedSources, file: string): Promise<ManagedValues | undefined> {
  let text = await sources.readFile(file);
  if (text === undefined) return undefined;
  // Binary plists are turned into XML by the system's own tool.
  if (!text.trimStart().startsWith('<')) text = await sources.run('/usr/bin/plutil', ['-convert', 'xml1', '-o', '-', file]);
  if (!text) return { values: {}, origin: file, problem: `${file} could not be converted to XML by plutil (ignored)` };
  try {
    return { values: await parsePlist(text), origin: file };
  } catch (error) {
    return { values: {}, origin: file, problem: `${file} is not a valid property list: ${(error as Error).message} (ignored)` };
  }
}

async function readMacProfile(sources: ManagedSources): Promise<ManagedValues> {
  // Both are written by MDM, never by the user: the machine's profile, and a per-user one that is more specific,
  // value by value (a key only the machine's profile sets still applies).
  const profiles = await Promise.all(
    [
      `/Library/Managed Preferences/${BUNDLE_ID}.plist`,
      path.posix.join('/Library/Managed Preferences', sources.user, `${BUNDLE_ID}.plist`),
    ].map((file) => readPlistFile(sources, file)),
  );
  return merged(profiles.filter((profile) => profile !== undefined));
}

/** Stores read in order, each value from the last that sets it; their origins and problems kept, none dropped. */
function merged(stores: ManagedValues[]): ManagedValues {
  const origins = stores.flatMap((store) => (store.origin ? [store.origin] : []));
  const problems = stores.flatMap((store) => (store.problem ? [store.problem] : []));
  return {
    values: Object.assign({}, ...stores.map((store) => store.values)) as Record<string, unknown>,
    ...(origins.length ? { origin: origins.join(' + ') } : {}),
    ...(problems.length ? { problem: problems.join('; ') } : {}),
  };
}

async function readWindowsPolicies(sources: ManagedSources): Promise<ManagedValues> {
  // Machine policy wins over user policy, value by value.
  const stores: ManagedValues[] = [];
  for (const key of REGISTRY_KEYS) {
    const output = await sources.run('reg', ['query', key]);
    if (output) stores.push({ values: parseRegQuery(output), origin: key });
  }
  return merged(stores);
}

async function readLinuxFile(sources: ManagedSources): Promise<ManagedValues> {
  const text = await sources.readFile(LINUX_MANAGED_FILE);
  if (text === undefined) return { values: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      values: {},
      origin: LINUX_MANAGED_FILE,
      problem: `${LINUX_MANAGED_FILE} is not valid JSON: ${(error as Error).message} (every managed setting in it is ignored)`,
    };
  }
  if (!isObject(value))
    return { values: {}, origin: LINUX_MANAGED_FILE, problem: `${LINUX_MANAGED_FILE} should hold an object of managed names (ignored)` };
  return { values: value, origin: LINUX_MANAGED_FILE };
}

export function readManagedValues(platform: NodeJS.Platform, sources: ManagedSources = systemSources): Promise<ManagedValues> {
  if (platform === 'darwin') return readMacProfile(sources);
  if (platform === 'win32') return readWindowsPolicies(sources);
  return readLinuxFile(sources);
}
