// The agent's settings as one catalogue: each setting's type (one zod schema), default, and the names it has
// in every layer (environment variable, command-line flag, MDM-managed name). resolve.ts stacks the layers.
import path from 'node:path';
import { z } from 'zod';
import { PROBE_MODES, PROBE_PROJECT_MODES } from '../../shared/vocabulary.js';

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

/** Where a setting comes from besides the settings file (whose keys are the setting's own). */
export interface SettingSpec {
  label: string;
  schema: z.ZodType;
  env?: string;
  /** The name in a configuration profile, the registry and /etc/mcp-warden/managed.json (docs/deploy-mdm.md). */
  managed?: string;
  /** The command-line flag that sets it, where there is one. */
  flag?: string;
  /** Shown as set / not set, never as its value. */
  secret?: boolean;
}

export const AGENT_SETTINGS = {
  mode: { label: 'Mode', schema: z.enum(MODES), env: 'MCP_WARDEN_MODE', managed: 'Mode' },
  serverUrl: {
    label: 'Central endpoint',
    schema: z.url({ protocol: /^https?$/ }),
    env: 'MCP_WARDEN_SERVER_URL',
    managed: 'ServerUrl',
    flag: '--server',
  },
  enrollSecret: {
    label: 'Enroll secret',
    schema: text,
    env: 'MCP_WARDEN_ENROLL_SECRET',
    managed: 'EnrollSecret',
    flag: '--secret',
    secret: true,
  },
  probe: { label: 'Probing', schema: z.enum(PROBE_MODES), env: 'MCP_WARDEN_PROBE', managed: 'ProbeMode', flag: '--probe-mode' },
  probeProjects: {
    label: 'Project servers',
    schema: z.enum(PROBE_PROJECT_MODES),
    env: 'MCP_WARDEN_PROBE_PROJECTS',
    managed: 'ProbeProjects',
    flag: '--probe-projects',
  },
  scanRoots: {
    label: 'Project folders',
    schema: listOf(new RegExp(`[\\n;${path.delimiter === ':' ? ':' : ''}]+`)),
    env: 'MCP_WARDEN_SCAN_ROOTS',
    managed: 'ScanRoots',
  },
  reportIntervalSec: {
    label: 'Report interval (seconds)',
    schema: positiveNumber(7 * 86_400),
    env: 'MCP_WARDEN_REPORT_INTERVAL',
    managed: 'ReportIntervalSeconds',
  },
  // IT fills it with the MDM's variable (Jamf and Kandji `$EMAIL`, Intune `{{UserPrincipalName}}`): docs/deploy-mdm.md.
  userEmail: { label: 'User email', schema: z.email(), env: 'MCP_WARDEN_USER_EMAIL', managed: 'UserEmail' },
  orgDomains: { label: 'Organisation domains', schema: listOf(/[\n;,\s]+/), env: 'MCP_WARDEN_ORG_DOMAINS', managed: 'OrgDomains' },
  caFile: { label: 'Extra CA bundle', schema: text, env: 'MCP_WARDEN_CA_FILE', managed: 'CaFile' },
  guardCommand: { label: 'Guard command', schema: text, env: 'MCP_WARDEN_GUARD_COMMAND', managed: 'GuardCommand' },
  // 0 means any free port (tests).
  guardPort: { label: 'Guard port', schema: wholeNumber(0, 65_535), env: 'MCP_WARDEN_GUARD_PORT', managed: 'GuardPort' },
} as const satisfies Record<string, SettingSpec>;

/** Settings only the desktop app reads; IT manages them by the same names. */
export const DESKTOP_SETTINGS = {
  hideQuit: { label: 'Hide Quit', schema: flag, managed: 'HideQuit' },
  launchAtLogin: { label: 'Launch at login', schema: flag, managed: 'LaunchAtLogin' },
} as const satisfies Record<string, SettingSpec>;

export type AgentSettingKey = keyof typeof AGENT_SETTINGS;
export type DesktopSettingKey = keyof typeof DESKTOP_SETTINGS;
export type SettingKey = AgentSettingKey | DesktopSettingKey;

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

/** Managed name → setting key. */
export const MANAGED_NAMES: ReadonlyMap<string, SettingKey> = new Map(
  Object.entries(ALL_SETTINGS).flatMap(([key, spec]) => (spec.managed ? [[spec.managed, key as SettingKey] as const] : [])),
);
