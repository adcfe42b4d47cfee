// Every entry point reads its settings the same way: settings.json in this machine's state folder (or the file
// named on the command line), the environment, the entry point's own layer (flags, or the app's store), and IT's
// managed values from this platform's store, stacked by resolve.ts.
import path from 'node:path';
import { type ManagedSources, readManagedValues } from './managed-store.js';
import { type ResolvedSettings, type SettingsFile, type SettingsInput, readSettingsFile, resolveSettings } from './resolve.js';

export interface SettingsSources {
  stateDir: string;
  /** A settings file named on the command line; settings.json in the state folder otherwise. */
  settingsFile?: string | undefined;
  flags?: SettingsInput['flags'];
  /** The desktop app's own store. */
  user?: SettingsInput['user'];
  env: Readonly<Record<string, string | undefined>>;
  platform: NodeJS.Platform;
  /** Where IT's managed values are read: the system's stores unless a test says otherwise. */
  managed?: ManagedSources | undefined;
}

export interface LoadedSettings {
  settingsFile: string;
  /** The settings file as read: absent, its values, or why it could not be used. */
  file: SettingsFile | undefined;
  resolved: ResolvedSettings;
}

export async function loadSettings(sources: SettingsSources): Promise<LoadedSettings> {
  const settingsFile = path.resolve(sources.settingsFile ?? path.join(sources.stateDir, 'settings.json'));
  const file = readSettingsFile(settingsFile);
  const managed = await readManagedValues(sources.platform, sources.managed);
  const resolved = resolveSettings({ file, user: sources.user, env: sources.env, flags: sources.flags, managed });
  return { settingsFile, file, resolved };
}
