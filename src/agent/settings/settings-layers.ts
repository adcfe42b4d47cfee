// The layers of the settings as read, before any is checked (resolve.ts does that, with zod): settings.json, the
// environment and IT's managed values. Cheap to read, and enough to tell whether a layer sets a setting at all:
// a command that needs only a few settings resolves them only when some layer sets one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isObject } from '../../shared/is-object.js';
import { type ManagedSources, type ManagedValues, readManagedValues } from './managed-store.js';
import { AGENT_SETTING_NAMES, type AgentSettingKey } from './setting-names.js';

/** `settings.json` as read: its values, or (when it exists but cannot be used) why, its other layers still in force. */
export interface SettingsFile {
  path: string;
  values: Record<string, unknown>;
  /** Why it cannot be used, when it exists (`is not valid JSON: …`). */
  problem?: string;
}

export interface SettingsSources {
  stateDir: string;
  /** A settings file named on the command line; settings.json in the state folder otherwise. */
  settingsFile?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** Where IT's managed values are read: the system's stores unless a test says otherwise. */
  managed?: ManagedSources | undefined;
}

export interface SettingsLayers {
  settingsFile: string;
  /** The settings file as read: absent, its values, or why it could not be used. */
  file: SettingsFile | undefined;
  env: Readonly<Record<string, string | undefined>>;
  managed: ManagedValues;
}

export async function readLayers(sources: SettingsSources): Promise<SettingsLayers> {
  const settingsFile = path.resolve(sources.settingsFile ?? path.join(sources.stateDir, 'settings.json'));
  return {
    settingsFile,
    file: readSettingsFile(settingsFile),
    env: sources.env,
    managed: await readManagedValues(sources.platform, sources.managed),
  };
}

/** Whether the file, the environment or IT sets any of these settings (a blank variable sets nothing). */
export function setsAny(layers: SettingsLayers, keys: readonly AgentSettingKey[]): boolean {
  return keys.some((key) => {
    const names = AGENT_SETTING_NAMES[key];
    return (
      layers.file?.values[key] !== undefined || Boolean(layers.env[names.env]?.trim()) || layers.managed.values[names.managed] !== undefined
    );
  });
}

/**
 * `settings.json`: nothing when it is absent; a file that exists but is not a JSON object comes back with why,
 * so that every entry point says so and goes on with the other layers (an agent that stopped would leave the
 * laptop unreported).
 */
export function readSettingsFile(file: string): SettingsFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { path: file, values: {}, problem: `cannot be read: ${(error as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { path: file, values: {}, problem: `is not valid JSON: ${(error as Error).message}` };
  }
  if (!isObject(value)) return { path: file, values: {}, problem: 'should hold an object of settings' };
  return { path: file, values: value };
}
