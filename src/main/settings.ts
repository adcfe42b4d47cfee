// The desktop app's settings: what the user may set in the app (electron-store, with a schema and versioned
// migrations), in the one stack every entry point resolves (src/agent/settings/resolve.ts), with what IT manages
// through MDM winning and shown locked.
import type { AgentSettings } from '../agent/settings/agent-settings.js';
import { loadSettings } from '../agent/settings/load-settings.js';
import { type ResolvedSettings, settingsWarnings } from '../agent/settings/resolve.js';
import type { SettingsSources } from '../agent/settings/settings-layers.js';

export interface UserSettings {
  serverUrl?: string;
  probe?: AgentSettings['probe'];
  scanRoots?: string[];
  launchAtLogin?: boolean;
}

export const USER_SETTINGS_SCHEMA = {
  serverUrl: { type: 'string' },
  probe: { type: 'string', enum: ['all', 'remote-only', 'off'] },
  scanRoots: { type: 'array', items: { type: 'string' } },
  launchAtLogin: { type: 'boolean', default: true },
} as const;

/** Store migrations by version: each brings an older store up to that version. */
export const USER_SETTINGS_MIGRATIONS: Record<
  string,
  (store: { get(key: string): unknown; set(key: string, value: unknown): void; delete(key: string): void }) => void
> = {
  // 0.1.0: the first schema; nothing to migrate yet. The next change adds its step here.
  '0.1.0': () => undefined,
};

export interface EffectiveSettings {
  agent: AgentSettings;
  hideQuit: boolean;
  launchAtLogin: boolean;
  /** Setting keys IT manages. */
  managedKeys: string[];
}

export function effectiveSettings(resolved: ResolvedSettings): EffectiveSettings {
  return {
    agent: resolved.settings,
    hideQuit: resolved.desktop.hideQuit,
    launchAtLogin: resolved.desktop.launchAtLogin,
    managedKeys: [...resolved.locked],
  };
}

/**
 * The app's settings, from the layers every entry point reads with the app's own store among them (and no flags:
 * nobody starts the app with any); what does not fit goes to `warn`, each once.
 */
export async function desktopSettings(
  sources: Omit<SettingsSources, 'settingsFile'> & { user?: Record<string, unknown> },
  warn: (line: string) => void,
): Promise<EffectiveSettings & { resolved: ResolvedSettings }> {
  const { resolved } = await loadSettings(sources);
  for (const line of settingsWarnings(resolved)) warn(line);
  return { ...effectiveSettings(resolved), resolved };
}
