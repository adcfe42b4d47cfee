// The agent's settings: command-line flags over environment variables over the settings file over defaults
// (docs/agent.md). The desktop app's MDM-managed settings will sit above all of these.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROBE_MODES, PROBE_PROJECT_MODES } from '../../shared/vocabulary.js';
import type { ProbeMode, ProbeProjects } from '../probe/probe-all.js';

export const MODES = ['monitor', 'enforce'] as const;
export type Mode = (typeof MODES)[number];

export interface AgentSettings {
  /** `monitor` reports and notifies; `enforce` also wraps servers with the guard (docs/enforcement.md). */
  mode: Mode;
  serverUrl?: string | undefined;
  enrollSecret?: string | undefined;
  probe: ProbeMode;
  /** Project servers: started only when their client recorded the user's approval, never, or all (docs/security.md). */
  probeProjects: ProbeProjects;
  scanRoots: string[];
  /** Seconds between full cycles (scan, probe, report, policy). */
  reportIntervalSec: number;
  orgDomains: string[];
  /** Extra CA certificates (PEM) to trust, for a private CA or a TLS-inspecting proxy. */
  caFile?: string | undefined;
  /** The installed `mcp-warden` that wrapped entries run as their guard (docs/enforcement.md). */
  guardCommand?: string | undefined;
  /** The loopback port of the guard for remote servers, in enforce mode (docs/enforcement.md). */
  guardPort: number;
}

export const DEFAULT_SETTINGS: AgentSettings = { mode: 'monitor', probe: 'all', probeProjects: 'approved', scanRoots: [], reportIntervalSec: 900, orgDomains: [], guardPort: 47318 };

const asMode = (value: unknown): Mode | undefined => ((MODES as readonly unknown[]).includes(value) ? (value as Mode) : undefined);
const asProbeProjects = (value: unknown): ProbeProjects | undefined => ((PROBE_PROJECT_MODES as readonly unknown[]).includes(value) ? (value as ProbeProjects) : undefined);

type Partial_ = Partial<AgentSettings>;

/** A TCP port, 0 meaning any free one (tests). */
const asPort = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535 ? value : undefined);

const list = (value: string | undefined, separator: RegExp) => (value ? value.split(separator).map((item) => item.trim()).filter(Boolean) : undefined);

export function settingsFromEnv(env: NodeJS.ProcessEnv): Partial_ {
  const interval = env.MCP_WARDEN_REPORT_INTERVAL ? Number(env.MCP_WARDEN_REPORT_INTERVAL) : undefined;
  const probe = env.MCP_WARDEN_PROBE as ProbeMode | undefined;
  const guardPort = env.MCP_WARDEN_GUARD_PORT?.trim() ? asPort(Number(env.MCP_WARDEN_GUARD_PORT)) : undefined;
  return clean({
    mode: asMode(env.MCP_WARDEN_MODE),
    serverUrl: env.MCP_WARDEN_SERVER_URL,
    enrollSecret: env.MCP_WARDEN_ENROLL_SECRET,
    probe: probe && (PROBE_MODES as readonly string[]).includes(probe) ? probe : undefined,
    probeProjects: asProbeProjects(env.MCP_WARDEN_PROBE_PROJECTS),
    scanRoots: list(env.MCP_WARDEN_SCAN_ROOTS, new RegExp(`[${path.delimiter}]`)),
    reportIntervalSec: interval && interval > 0 ? interval : undefined,
    orgDomains: list(env.MCP_WARDEN_ORG_DOMAINS, /[,\s]+/),
    caFile: env.MCP_WARDEN_CA_FILE,
    guardCommand: env.MCP_WARDEN_GUARD_COMMAND,
    guardPort,
  });
}

/** `settings.json` in the state folder, or the file given; a missing file is no settings, a broken one an error. */
export function settingsFromFile(file: string): Partial_ {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`settings file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null) throw new Error(`settings file ${file} should hold an object`);
  const raw = value as Record<string, unknown>;
  const text_ = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  const strings = (key: string) => (Array.isArray(raw[key]) ? (raw[key] as unknown[]).filter((item): item is string => typeof item === 'string') : undefined);
  const probe = text_('probe');
  return clean({
    mode: asMode(raw.mode),
    serverUrl: text_('serverUrl'),
    enrollSecret: text_('enrollSecret'),
    probe: probe && (PROBE_MODES as readonly string[]).includes(probe) ? (probe as ProbeMode) : undefined,
    probeProjects: asProbeProjects(raw.probeProjects),
    scanRoots: strings('scanRoots'),
    reportIntervalSec: typeof raw.reportIntervalSec === 'number' && raw.reportIntervalSec > 0 ? raw.reportIntervalSec : undefined,
    orgDomains: strings('orgDomains'),
    caFile: text_('caFile'),
    guardCommand: text_('guardCommand'),
    guardPort: asPort(raw.guardPort),
  });
}

function clean(settings: Partial_): Partial_ {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as Partial_;
}

/** Later layers win. */
export function mergeSettings(...layers: Partial_[]): AgentSettings {
  return Object.assign({}, DEFAULT_SETTINGS, ...layers) as AgentSettings;
}
