// Flags and context shared by the commands that talk to the central endpoint: the state folder, the
// endpoint, the settings file, and the settings they add up to.
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { World } from '../discovery/world.js';
import { resolveStateDir } from '../state/state-dir.js';
import { type AgentSettings, mergeSettings, settingsFromEnv, settingsFromFile } from '../sync/settings.js';
import { SyncEngine } from '../sync/sync-engine.js';
import { PROBE_REPLAY_FLAG, PROBE_REPLAY_HELP } from './probe-flags.js';

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
  settingsFile: string;
  engine: SyncEngine;
}

/** Settings: flags over environment over the settings file over defaults. */
export function agentContext(values: AgentValues, world: World, log: (line: string) => void): AgentContext {
  const stateDir = resolveStateDir(values['state-dir']);
  const settingsFile = path.resolve(values.settings ?? path.join(stateDir, 'settings.json'));
  const flags = { ...(values.server ? { serverUrl: values.server } : {}), ...(values.secret ? { enrollSecret: values.secret } : {}) };
  const settings = mergeSettings(settingsFromFile(settingsFile), settingsFromEnv(process.env), flags);
  return { stateDir, settings, settingsFile, engine: new SyncEngine({ stateDir, settings, log }) };
}

export function timestamped(write: (text: string) => void): (line: string) => void {
  return (line) => write(`${new Date().toISOString()} ${line}\n`);
}
