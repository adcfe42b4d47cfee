// Where a command's settings are read from: its state folder and settings file, this process's environment, and
// the system's managed stores (or a test's). Light on purpose: a plain scan reads these and loads nothing more.
import { readLayers } from '../settings/settings-layers.js';
import { resolveStateDir } from '../state/state-dir.js';
import type { CommandIO } from './io.js';

/** The values of agent-flags.ts's AGENT_FLAGS. */
export interface AgentValues {
  'state-dir'?: string | undefined;
  server?: string | undefined;
  secret?: string | undefined;
  settings?: string | undefined;
  'probe-replay'?: boolean | undefined;
}

/** The state folder belongs to this machine's user, also when another machine's layout is replayed. */
export const commandStateDir = (values: AgentValues) => resolveStateDir(values['state-dir']);

/** The layers of a command's settings, as read (settings-layers.ts). */
export const commandLayers = (values: AgentValues, io: Pick<CommandIO, 'managed'>) =>
  readLayers({
    stateDir: commandStateDir(values),
    settingsFile: values.settings,
    env: process.env,
    platform: process.platform,
    managed: io.managed,
  });
