// Flags and context shared by the commands that talk to the central endpoint: the state folder, the
// endpoint, the settings file, and the settings they add up to with IT's managed values over all.
import type { ParseArgsConfig } from 'node:util';
import { scanScope } from '../core/scan-scope.js';
import type { ScanOptions } from '../discovery/scan.js';
import type { AgentSettings } from '../settings/agent-settings.js';
import { loadSettings } from '../settings/load-settings.js';
import { type ResolvedSettings, settingsWarnings } from '../settings/resolve.js';
import { resolveStateDir } from '../state/state-dir.js';
import { SyncEngine } from '../sync/sync-engine.js';
import { type DiscoveryValues, scanOptionsFrom } from './discovery-flags.js';
import type { CommandIO } from './io.js';
import { UsageError } from './usage-error.js';
import { PROBE_REPLAY_FLAG, PROBE_REPLAY_HELP } from './replay-flag.js';

export const AGENT_FLAGS = {
  'state-dir': { type: 'string' },
  server: { type: 'string' },
  secret: { type: 'string' },
  settings: { type: 'string' },
  ...PROBE_REPLAY_FLAG,
} as const satisfies ParseArgsConfig['options'];

export const AGENT_HELP = `  --state-dir DIR        token, spool, policy and caches (default: MCP_WARDEN_STATE_DIR, else the
                         platform's application-state folder)
  --server URL           the central endpoint (default: MCP_WARDEN_SERVER_URL, else settings.json)
  --secret S             enroll secret, if enrollment is needed (default: MCP_WARDEN_ENROLL_SECRET)
  --settings FILE        settings file (default: settings.json in the state folder; docs/agent.md)
${PROBE_REPLAY_HELP}`;

export interface AgentValues {
  'state-dir'?: string | undefined;
  server?: string | undefined;
  secret?: string | undefined;
  settings?: string | undefined;
  'probe-replay'?: boolean | undefined;
}

export interface AgentContext {
  stateDir: string;
  settings: AgentSettings;
  /** Every setting's value, origin and lock, and what did not fit (resolve.ts). */
  resolved: ResolvedSettings;
  settingsFile: string;
  engine: SyncEngine;
}

/** The settings every entry point resolves the same way (resolve.ts): flags over environment over settings.json, and IT's managed values over all. */
export async function resolveAgentSettings(
  values: AgentValues & { 'probe-mode'?: string | undefined; 'probe-projects'?: string | undefined },
  io: Pick<CommandIO, 'managed'>,
  /** Where what does not fit in the settings is said, once. */
  warn: (line: string) => void,
): Promise<{ stateDir: string; settingsFile: string; resolved: ResolvedSettings }> {
  // The state folder belongs to this machine's user, also when another machine's layout is replayed.
  const stateDir = resolveStateDir(values['state-dir']);
  const flags = {
    serverUrl: values.server,
    enrollSecret: values.secret,
    probe: values['probe-mode'],
    probeProjects: values['probe-projects'],
  };
  const { settingsFile, file, resolved } = await loadSettings({
    stateDir,
    settingsFile: values.settings,
    flags,
    env: process.env,
    platform: process.platform,
    managed: io.managed,
  });
  // What the caller typed and cannot be used is the caller's mistake, not a setting to pass over: a value on
  // the command line, a settings file it named.
  const mistyped = resolved.problems.find((problem) => problem.layer === 'flag');
  if (mistyped) throw new UsageError(`${mistyped.name} ${mistyped.message.replace(/ \(ignored\)$/, '')}`);
  if (values.settings !== undefined && !file) throw new UsageError(`--settings ${values.settings}: no such file`);
  if (values.settings !== undefined && file?.problem) throw new UsageError(`--settings ${values.settings}: ${file.problem}`);
  for (const line of settingsWarnings(resolved)) warn(line);
  return { stateDir, settingsFile, resolved };
}

/**
 * What a command that only looks at this machine scans (scan, inspect, watch), in the settings every entry point
 * resolves: its flags' folders and domains beside the settings' (IT's managed ScanRoots and OrgDomains among them).
 */
export async function scopedScan(
  values: DiscoveryValues & Parameters<typeof resolveAgentSettings>[0],
  io: Pick<CommandIO, 'managed' | 'stderr'>,
): Promise<{ scanOptions: ScanOptions; stateDir: string; resolved: ResolvedSettings }> {
  const flagged = scanOptionsFrom(values);
  const { stateDir, resolved } = await resolveAgentSettings(values, io, (line) => io.stderr(`${line}\n`));
  return { scanOptions: scanScope(flagged, resolved.settings), stateDir, resolved };
}

/** The context of a command that talks to the central endpoint; what does not fit in the settings is logged once. */
export async function agentContext(
  values: AgentValues,
  io: Pick<CommandIO, 'managed'>,
  log: (line: string) => void,
): Promise<AgentContext> {
  const { stateDir, settingsFile, resolved } = await resolveAgentSettings(values, io, log);
  return {
    stateDir,
    settings: resolved.settings,
    resolved,
    settingsFile,
    engine: new SyncEngine({ stateDir, settings: resolved.settings, log }),
  };
}

export function timestamped(write: (text: string) => void): (line: string) => void {
  return (line) => write(`${new Date().toISOString()} ${line}\n`);
}
