// Flags and context shared by the commands that talk to the central endpoint: the state folder, the
// endpoint, the settings file, and the settings they add up to with IT's managed values over all.
import type { ParseArgsConfig } from 'node:util';
import type { AgentSettings } from '../settings/agent-settings.js';
import type { ResolvedSettings } from '../settings/resolve.js';
import { SyncEngine } from '../sync/sync-engine.js';
import type { CommandIO } from './io.js';
import { PROBE_REPLAY_FLAG, PROBE_REPLAY_HELP } from './replay-flag.js';
import type { AgentValues } from './command-settings.js';
import { resolveAgentSettings } from './settings-flags.js';

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

export interface AgentContext {
  stateDir: string;
  settings: AgentSettings;
  /** Every setting's value, origin and lock, and what did not fit (resolve.ts). */
  resolved: ResolvedSettings;
  settingsFile: string;
  engine: SyncEngine;
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
