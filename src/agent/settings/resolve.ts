// One stack of settings for every entry point (each command, the headless agent, the harness, the desktop app):
// defaults < settings.json < the desktop app's own store < environment < command-line flags < MDM-managed.
// Managed values win and are locked; a value that does not fit is never dropped in silence but reported, with
// its name, where it came from and why, like rancher-desktop's deployment profiles.
import {
  AGENT_SETTINGS,
  ALL_SETTINGS,
  type AgentSettings,
  DEFAULT_DESKTOP_SETTINGS,
  DEFAULT_SETTINGS,
  type DesktopSettings,
} from './agent-settings.js';
import type { ManagedValues } from './managed-store.js';
import { type AgentSettingKey, MANAGED_NAMES, type SettingKey } from './setting-names.js';
import type { SettingsFile } from './settings-layers.js';

export interface SettingsInput {
  /** `settings.json`: its path and its object, or why it could not be used. */
  file?: SettingsFile | undefined;
  /** The desktop app's own store (what the user set in the window). */
  user?: Record<string, unknown> | undefined;
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Values given on the command line, by setting key. */
  flags?: Partial<Record<AgentSettingKey, unknown>> | undefined;
  managed?: ManagedValues | undefined;
}

/** The layers a setting can come from, weakest first. */
export type SettingLayer = 'file' | 'user' | 'environment' | 'flag' | 'managed';

export interface SettingProblem {
  /** The layer it was found in: a caller tells its own mistakes (a flag) from the machine's (a managed value). */
  layer: SettingLayer;
  /** The name as written where it was found: `ProbeMode`, `MCP_WARDEN_MODE`, `probe`; `(all)` for the whole store. */
  name: string;
  /** `managed (/etc/mcp-warden/managed.json)`, `environment`, `settings file …`. */
  where: string;
  message: string;
}

export interface ResolvedSettings {
  settings: AgentSettings;
  desktop: DesktopSettings;
  /** Settings IT manages: they win over every other layer and are shown locked. */
  locked: ReadonlySet<SettingKey>;
  /** Where each value came from: `default`, `settings file …`, `environment MCP_WARDEN_MODE`, `flag --server`, `managed ServerUrl (…)`. */
  origins: Record<SettingKey, string>;
  problems: SettingProblem[];
  /** Command-line flags a managed value overrides, each said once. */
  overridden: string[];
}

interface Layer {
  kind: SettingLayer;
  where: (key: SettingKey) => string;
  value: (key: SettingKey) => unknown;
  /** The name the layer gives the setting, for problems. */
  name: (key: SettingKey) => string;
}

function layersOf(input: SettingsInput): Layer[] {
  const layers: Layer[] = [];
  if (input.file) {
    const { path, values } = input.file;
    layers.push({ kind: 'file', where: () => `settings file ${path}`, value: (key) => values[key], name: (key) => key });
  }
  if (input.user) {
    const values = input.user;
    layers.push({ kind: 'user', where: () => 'your settings in the app', value: (key) => values[key], name: (key) => key });
  }
  if (input.env) {
    const env = input.env;
    const variable = (key: SettingKey) =>
      key in AGENT_SETTINGS ? (AGENT_SETTINGS[key as AgentSettingKey] as { env?: string }).env : undefined;
    layers.push({
      kind: 'environment',
      where: (key) => `environment ${variable(key)}`,
      // An empty variable is an unset one (`MCP_WARDEN_CA_FILE=` in a unit file).
      value: (key) => (variable(key) && env[variable(key)!]?.trim() ? env[variable(key)!] : undefined),
      name: (key) => variable(key) ?? key,
    });
  }
  if (input.flags) {
    const flags = input.flags;
    layers.push({
      kind: 'flag',
      where: (key) => `flag ${ALL_SETTINGS[key].flag ?? key}`,
      value: (key) => flags[key as AgentSettingKey],
      name: (key) => ALL_SETTINGS[key].flag ?? key,
    });
  }
  if (input.managed) {
    const { values, origin } = input.managed;
    const managedName = (key: SettingKey) => ALL_SETTINGS[key].managed ?? key;
    layers.push({
      where: (key) => `managed ${managedName(key)} (${origin ?? 'MDM'})`,
      value: (key) => values[managedName(key)],
      name: managedName,
      kind: 'managed',
    });
  }
  return layers;
}

/** A raw value as the problem quotes it: never a secret's. */
function shown(value: unknown, secret: boolean | undefined): string {
  if (secret) return '(hidden)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

export function resolveSettings(input: SettingsInput): ResolvedSettings {
  const layers = layersOf(input);
  const values: Record<string, unknown> = { ...DEFAULT_SETTINGS, ...DEFAULT_DESKTOP_SETTINGS };
  const origins = Object.fromEntries(Object.keys(ALL_SETTINGS).map((key) => [key, 'default'])) as Record<SettingKey, string>;
  const locked = new Set<SettingKey>();
  const problems: SettingProblem[] = [];
  const overridden: string[] = [];

  for (const key of Object.keys(ALL_SETTINGS) as SettingKey[]) {
    const spec = ALL_SETTINGS[key];
    let fromFlag: string | undefined;
    for (const layer of layers) {
      const raw = layer.value(key);
      if (raw === undefined) continue;
      const parsed = spec.schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        problems.push({
          layer: layer.kind,
          name: layer.name(key),
          where: layer.where(key),
          message: `${shown(raw, spec.secret)} is not a valid ${spec.label.toLowerCase()}: ${issue.message} (ignored)`,
        });
        continue;
      }
      if (layer.kind === 'managed' && fromFlag) overridden.push(`${fromFlag} is overridden by the organisation's managed ${spec.managed}`);
      values[key] = parsed.data;
      origins[key] = layer.where(key);
      if (layer.kind === 'managed') locked.add(key);
      if (layer.kind === 'flag') fromFlag = layer.name(key);
    }
  }

  if (input.file?.problem)
    problems.push({
      layer: 'file',
      name: '(all)',
      where: `settings file ${input.file.path}`,
      message: `${input.file.problem} (every setting in it is ignored)`,
    });
  if (input.managed?.problem)
    problems.push({ layer: 'managed', name: '(all)', where: `managed (${input.managed.origin ?? 'MDM'})`, message: input.managed.problem });
  for (const name of Object.keys(input.managed?.values ?? {})) {
    // Configuration profiles carry their own bookkeeping (PayloadUUID, …): not settings, not mistakes.
    if (!MANAGED_NAMES.has(name) && !name.startsWith('Payload'))
      problems.push({
        layer: 'managed',
        name,
        where: `managed (${input.managed!.origin ?? 'MDM'})`,
        message: `is not a setting MCP Warden knows (ignored); known names: ${[...MANAGED_NAMES.keys()].join(', ')}`,
      });
  }
  for (const name of Object.keys(input.file?.values ?? {})) {
    if (!(name in ALL_SETTINGS))
      problems.push({
        layer: 'file',
        name,
        where: `settings file ${input.file!.path}`,
        message: 'is not a setting MCP Warden knows (ignored)',
      });
  }

  const settings = Object.fromEntries(
    Object.keys(AGENT_SETTINGS)
      .map((key) => [key, values[key]])
      .filter(([, value]) => value !== undefined),
  ) as unknown as AgentSettings;
  const desktop: DesktopSettings = { hideQuit: values.hideQuit as boolean, launchAtLogin: values.launchAtLogin as boolean };
  return { settings, desktop, locked, origins, problems, overridden };
}

/** One line per problem and overridden flag, for the agent's log and `status`. */
export function settingsWarnings(resolved: ResolvedSettings): string[] {
  return [
    ...resolved.problems.map(
      (problem) => `settings: ${problem.where}: ${problem.name === '(all)' ? '' : `${problem.name} `}${problem.message}`,
    ),
    ...resolved.overridden.map((line) => `settings: ${line}`),
  ];
}

/** Every setting with its value (secrets as set / not set) and where it came from, for `status --json` and the window. */
export function describeSettings(
  resolved: ResolvedSettings,
): { key: SettingKey; label: string; value: unknown; origin: string; locked: boolean }[] {
  const values: Record<string, unknown> = { ...resolved.settings, ...resolved.desktop };
  return (Object.keys(ALL_SETTINGS) as SettingKey[]).map((key) => {
    const spec = ALL_SETTINGS[key];
    const value = spec.secret ? (values[key] ? 'set' : 'not set') : withoutCredentials(values[key] ?? null);
    return { key, label: spec.label, value, origin: resolved.origins[key], locked: resolved.locked.has(key) };
  });
}

/** A URL shown without the user name and password it may carry (`https://user:pass@host` → `https://host`). */
function withoutCredentials(value: unknown): unknown {
  if (typeof value !== 'string' || !/^https?:\/\/[^/]*@/i.test(value)) return value;
  const url = new URL(value);
  url.username = '';
  url.password = '';
  return url.toString();
}
