// The agent's settings as one catalogue: each setting's names in every layer (setting-names.ts), its type (one
// zod schema) and default. resolve.ts stacks the layers.
import path from 'node:path';
import { z } from 'zod';
import { PROBE_MODES, PROBE_PROJECT_MODES } from '../../shared/vocabulary.js';
import { AGENT_SETTING_NAMES, DESKTOP_SETTING_NAMES, type SettingKey, type SettingNames } from './setting-names.js';

export const MODES = ['monitor', 'enforce'] as const;
export type Mode = (typeof MODES)[number];

/** Text values from an environment variable, a registry value or a plist string, split into a list. */
const listOf = (separator: RegExp) =>
  z.preprocess(
    (value) => {
      const items = typeof value === 'string' ? value.split(separator) : value;
      // Blank entries (a trailing separator, an empty line in a profile) are nothing, not a mistake.
      return Array.isArray(items)
        ? items
            .filter((item) => typeof item !== 'string' || item.trim() !== '')
            .map((item) => (typeof item === 'string' ? item.trim() : item))
        : items;
    },
    z.array(z.string().min(1)),
  );
const text = z.string().trim().min(1);
/** Numbers from text (`"600"`) as well as numbers. */
const wholeNumber = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
    z.number().int().min(min).max(max),
  );
const positiveNumber = (max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^\s*\d+(?:\.\d+)?\s*$/.test(value) ? Number(value) : value),
    z.number().positive().max(max),
  );
const flag = z.preprocess(
  (value) =>
    typeof value === 'number'
      ? value !== 0
      : typeof value === 'string'
        ? /^(?:1|true|yes)$/i.test(value.trim()) || (/^(?:0|false|no)$/i.test(value.trim()) ? false : value)
        : value,
  z.boolean(),
);

/** A setting's names (setting-names.ts) and the type of its values. */
export interface SettingSpec extends SettingNames {
  schema: z.ZodType;
}

/** Each setting's names with its schema beside them; a setting missing from either table does not compile. */
function withSchemas<N extends Record<string, SettingNames>>(
  names: N,
  schemas: { [Key in keyof N]: z.ZodType },
): { [Key in keyof N]: N[Key] & { schema: z.ZodType } } {
  const entries = Object.entries(names).map(([key, spec]) => [key, { ...spec, schema: schemas[key as keyof N] }]);
  return Object.fromEntries(entries) as { [Key in keyof N]: N[Key] & { schema: z.ZodType } };
}

export const AGENT_SETTINGS = withSchemas(AGENT_SETTING_NAMES, {
  mode: z.enum(MODES),
  serverUrl: z.url({ protocol: /^https?$/ }),
  enrollSecret: text,
  probe: z.enum(PROBE_MODES),
  probeProjects: z.enum(PROBE_PROJECT_MODES),
  scanRoots: listOf(new RegExp(`[\\n;${path.delimiter === ':' ? ':' : ''}]+`)),
  reportIntervalSec: positiveNumber(7 * 86_400),
  userEmail: z.email(),
  orgDomains: listOf(/[\n;,\s]+/),
  caFile: text,
  guardCommand: text,
  guardPort: wholeNumber(0, 65_535),
});

export const DESKTOP_SETTINGS = withSchemas(DESKTOP_SETTING_NAMES, { hideQuit: flag, launchAtLogin: flag });

export interface AgentSettings {
  /** `monitor` reports and notifies; `enforce` also wraps servers with the guard (docs/enforcement.md). */
  mode: Mode;
  serverUrl?: string | undefined;
  enrollSecret?: string | undefined;
  probe: (typeof PROBE_MODES)[number];
  /** Project servers: started only when their client recorded the user's approval, never, or all (docs/security.md). */
  probeProjects: (typeof PROBE_PROJECT_MODES)[number];
  scanRoots: string[];
  /** Seconds between full cycles (scan, probe, report, policy). */
  reportIntervalSec: number;
  orgDomains: string[];
  /** The person this laptop belongs to; absent, the OS user at the hostname stands for them. */
  userEmail?: string | undefined;
  /** Extra CA certificates (PEM) to trust, for a private CA or a TLS-inspecting proxy. */
  caFile?: string | undefined;
  /** The installed `mcp-warden` that wrapped entries run as their guard (docs/enforcement.md). */
  guardCommand?: string | undefined;
  /** The loopback port of the guard for remote servers, in enforce mode (docs/enforcement.md). */
  guardPort: number;
}

export interface DesktopSettings {
  hideQuit: boolean;
  launchAtLogin: boolean;
}

export const DEFAULT_SETTINGS: AgentSettings = {
  mode: 'monitor',
  probe: 'all',
  probeProjects: 'approved',
  scanRoots: [],
  reportIntervalSec: 900,
  orgDomains: [],
  guardPort: 47318,
};
export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = { hideQuit: false, launchAtLogin: true };

export const ALL_SETTINGS: Record<SettingKey, SettingSpec> = { ...AGENT_SETTINGS, ...DESKTOP_SETTINGS };
