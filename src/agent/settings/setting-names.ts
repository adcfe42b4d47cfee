// Every setting's names, in every layer (environment variable, command-line flag, MDM-managed name), with its
// label and secrecy: the catalogue without its types (agent-settings.ts adds a zod schema to each), so that a
// command can tell which settings a layer sets without loading zod (settings-layers.ts).

/** Where a setting comes from besides the settings file (whose keys are the setting's own). */
export interface SettingNames {
  label: string;
  env?: string;
  /** The name in a configuration profile, the registry and /etc/mcp-warden/managed.json (docs/deploy-mdm.md). */
  managed?: string;
  /** The command-line flag that sets it, where there is one. */
  flag?: string;
  /** Shown as set / not set, never as its value. */
  secret?: boolean;
}

export const AGENT_SETTING_NAMES = {
  mode: { label: 'Mode', env: 'MCP_WARDEN_MODE', managed: 'Mode' },
  serverUrl: { label: 'Central endpoint', env: 'MCP_WARDEN_SERVER_URL', managed: 'ServerUrl', flag: '--server' },
  enrollSecret: { label: 'Enroll secret', env: 'MCP_WARDEN_ENROLL_SECRET', managed: 'EnrollSecret', flag: '--secret', secret: true },
  probe: { label: 'Probing', env: 'MCP_WARDEN_PROBE', managed: 'ProbeMode', flag: '--probe-mode' },
  probeProjects: { label: 'Project servers', env: 'MCP_WARDEN_PROBE_PROJECTS', managed: 'ProbeProjects', flag: '--probe-projects' },
  scanRoots: { label: 'Project folders', env: 'MCP_WARDEN_SCAN_ROOTS', managed: 'ScanRoots' },
  reportIntervalSec: { label: 'Report interval (seconds)', env: 'MCP_WARDEN_REPORT_INTERVAL', managed: 'ReportIntervalSeconds' },
  // IT fills it with the MDM's variable (Jamf and Kandji `$EMAIL`, Intune `{{UserPrincipalName}}`): docs/deploy-mdm.md.
  userEmail: { label: 'User email', env: 'MCP_WARDEN_USER_EMAIL', managed: 'UserEmail' },
  orgDomains: { label: 'Organisation domains', env: 'MCP_WARDEN_ORG_DOMAINS', managed: 'OrgDomains' },
  caFile: { label: 'Extra CA bundle', env: 'MCP_WARDEN_CA_FILE', managed: 'CaFile' },
  guardCommand: { label: 'Guard command', env: 'MCP_WARDEN_GUARD_COMMAND', managed: 'GuardCommand' },
  // 0 means any free port (tests).
  guardPort: { label: 'Guard port', env: 'MCP_WARDEN_GUARD_PORT', managed: 'GuardPort' },
} as const satisfies Record<string, SettingNames>;

/** Settings only the desktop app reads; IT manages them by the same names. */
export const DESKTOP_SETTING_NAMES = {
  hideQuit: { label: 'Hide Quit', managed: 'HideQuit' },
  launchAtLogin: { label: 'Launch at login', managed: 'LaunchAtLogin' },
} as const satisfies Record<string, SettingNames>;

export type AgentSettingKey = keyof typeof AGENT_SETTING_NAMES;
export type DesktopSettingKey = keyof typeof DESKTOP_SETTING_NAMES;
export type SettingKey = AgentSettingKey | DesktopSettingKey;

export const ALL_SETTING_NAMES: Record<SettingKey, SettingNames> = { ...AGENT_SETTING_NAMES, ...DESKTOP_SETTING_NAMES };

/** Managed name → setting key. */
export const MANAGED_NAMES: ReadonlyMap<string, SettingKey> = new Map(
  Object.entries(ALL_SETTING_NAMES).flatMap(([key, spec]) => (spec.managed ? [[spec.managed, key as SettingKey] as const] : [])),
);
