// Flags and context shared by the commands that talk to the central endpoint: the state folder, the
// endpoint, the settings file, and the settings they add up to with IT's managed values over all.
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { AgentSettings } from '../settings/agent-settings.js';
import { readManagedValues } from '../settings/managed-store.js';
import { type ResolvedSettings, readSettingsFile, resolveSettings, settingsWarnings } from '../settings/resolve.js';
import { resolveStateDir } from '../state/state-dir.js';
import { SyncEngine } from '../sync/sync-engine.js';
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
  const settingsFile = path.resolve(values.settings ?? path.join(stateDir, 'settings.json'));
  const flags = {
    serverUrl: values.server,
    enrollSecret: values.secret,
    probe: values['probe-mode'],
    probeProjects: values['probe-projects'],
  };
  const managed = await readManagedValues(process.platform, io.managed);
  const resolved = resolveSettings({ file: readSettingsFile(settingsFile), env: process.env, flags, managed });
  // A value typed on the command line that does not fit is the caller's mistake, not a setting to pass over.
  const mistyped = resolved.problems.find((problem) => problem.where.startsWith('flag '));
  if (mistyped) throw new UsageError(`${mistyped.name} ${mistyped.message.replace(/ \(ignored\)$/, '')}`);
  for (const line of settingsWarnings(resolved)) warn(line);
  return { stateDir, settingsFile, resolved };
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
