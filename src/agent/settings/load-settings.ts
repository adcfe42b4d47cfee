// Every entry point reads its settings the same way: settings.json in this machine's state folder (or the file
// named on the command line), the environment, the entry point's own layer (flags, or the app's store), and IT's
// managed values from this platform's store (settings-layers.ts), stacked by resolve.ts.
import { type ResolvedSettings, type SettingsInput, resolveSettings } from './resolve.js';
import { type SettingsLayers, type SettingsSources, readLayers } from './settings-layers.js';

export interface LoadedSettings extends SettingsLayers {
  resolved: ResolvedSettings;
}

/** The layers read and resolved, with the entry point's own: flags, or the desktop app's store. */
export async function loadSettings(
  sources: SettingsSources & { flags?: SettingsInput['flags']; user?: SettingsInput['user'] },
): Promise<LoadedSettings> {
  return resolveLayers(await readLayers(sources), sources);
}

export function resolveLayers(layers: SettingsLayers, own: Pick<SettingsInput, 'flags' | 'user'> = {}): LoadedSettings {
  const { file, env, managed } = layers;
  return { ...layers, resolved: resolveSettings({ file, user: own.user, env, flags: own.flags, managed }) };
}
