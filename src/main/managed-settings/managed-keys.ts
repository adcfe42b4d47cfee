// The settings IT can manage, the names they have in each platform's managed store, and their types.
// The same names serve the macOS profile, the Windows registry and the Linux file (docs/deploy-mdm.md).
import type { AgentSettings } from '../../agent/sync/settings.js';

export interface ManagedSettings extends Partial<AgentSettings> {
  /** Hides "Quit" from the tray menu. */
  hideQuit?: boolean;
  /** Starts the app at login (default on for managed installs). */
  launchAtLogin?: boolean;
}

type Kind = 'string' | 'strings' | 'number' | 'boolean' | 'probe' | 'probe-projects' | 'mode';

/** Managed name (as written in profiles, registry values and the JSON file) → setting and type. */
export const MANAGED_KEYS: Record<string, { key: keyof ManagedSettings; kind: Kind }> = {
  Mode: { key: 'mode', kind: 'mode' },
  ServerUrl: { key: 'serverUrl', kind: 'string' },
  EnrollSecret: { key: 'enrollSecret', kind: 'string' },
  ProbeMode: { key: 'probe', kind: 'probe' },
  ProbeProjects: { key: 'probeProjects', kind: 'probe-projects' },
  ScanRoots: { key: 'scanRoots', kind: 'strings' },
  ReportIntervalSeconds: { key: 'reportIntervalSec', kind: 'number' },
  OrgDomains: { key: 'orgDomains', kind: 'strings' },
  CaFile: { key: 'caFile', kind: 'string' },
  GuardCommand: { key: 'guardCommand', kind: 'string' },
  GuardPort: { key: 'guardPort', kind: 'number' },
  HideQuit: { key: 'hideQuit', kind: 'boolean' },
  LaunchAtLogin: { key: 'launchAtLogin', kind: 'boolean' },
};

/** A value from any store as the setting's type, or undefined when it does not fit (and is ignored). */
export function coerce(kind: Kind, value: unknown): unknown {
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
    case 'strings':
      if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item.trim() !== '');
      // Registry and plain text: one per line, or separated by semicolons or commas.
      return typeof value === 'string' ? value.split(/[\n;,]+/).map((item) => item.trim()).filter(Boolean) : undefined;
    case 'number': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
      return Number.isFinite(number) && number > 0 ? number : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value !== 0;
      return typeof value === 'string' ? /^(?:1|true|yes)$/i.test(value.trim()) : undefined;
    case 'probe':
      return value === 'all' || value === 'remote-only' || value === 'off' ? value : undefined;
    case 'probe-projects':
      return value === 'approved' || value === 'never' || value === 'all' ? value : undefined;
    case 'mode':
      return value === 'monitor' || value === 'enforce' ? value : undefined;
  }
}

/** Managed settings from a map of managed names to raw values; unknown names and unfit values are dropped. */
export function fromManagedValues(values: Record<string, unknown>): ManagedSettings {
  const settings: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(values)) {
    const known = MANAGED_KEYS[name];
    if (!known) continue;
    const value = coerce(known.kind, raw);
    if (value !== undefined) settings[known.key] = value;
  }
  return settings as ManagedSettings;
}
