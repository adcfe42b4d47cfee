// The settings a command runs in, resolved the same way at every entry point (settings/resolve.ts), and the
// scan they mean. Apart from agent-flags.ts, which adds the sync engine: a command that only looks at this
// machine (inspect, enforce, scan --probe) loads no more than the settings.
import { scanScope } from '../core/scan-scope.js';
import type { ScanOptions } from '../discovery/scan.js';
import { resolveLayers } from '../settings/load-settings.js';
import { type ResolvedSettings, settingsWarnings } from '../settings/resolve.js';
import type { SettingsLayers } from '../settings/settings-layers.js';
import { type AgentValues, commandLayers, commandStateDir } from './command-settings.js';
import { type DiscoveryValues, scanOptionsFrom } from './discovery-flags.js';
import type { CommandIO } from './io.js';
import { UsageError } from './usage-error.js';

/** The settings every entry point resolves the same way (resolve.ts): flags over environment over settings.json, and IT's managed values over all. */
export async function resolveAgentSettings(
  values: AgentValues & { 'probe-mode'?: string | undefined; 'probe-projects'?: string | undefined },
  io: Pick<CommandIO, 'managed'>,
  /** Where what does not fit in the settings is said, once. */
  warn: (line: string) => void,
  /** The layers, when the caller has read them already (scoped-scan.ts). */
  read?: SettingsLayers,
): Promise<{ stateDir: string; settingsFile: string; resolved: ResolvedSettings }> {
  const stateDir = commandStateDir(values);
  const flags = {
    serverUrl: values.server,
    enrollSecret: values.secret,
    probe: values['probe-mode'],
    probeProjects: values['probe-projects'],
  };
  const { settingsFile, file, resolved } = resolveLayers(read ?? (await commandLayers(values, io)), { flags });
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
 * What a command that looks at this machine with its settings scans (inspect, enforce, scan --probe): its flags'
 * folders and domains beside the settings' (IT's managed ScanRoots and OrgDomains among them), and the settings.
 */
export async function settledScan(
  values: DiscoveryValues & Parameters<typeof resolveAgentSettings>[0],
  io: Pick<CommandIO, 'managed' | 'stderr'>,
  read?: SettingsLayers,
): Promise<{ scanOptions: ScanOptions; stateDir: string; resolved: ResolvedSettings }> {
  const flagged = scanOptionsFrom(values);
  const { stateDir, resolved } = await resolveAgentSettings(values, io, (line) => io.stderr(`${line}\n`), read);
  return { scanOptions: scanScope(flagged, resolved.settings), stateDir, resolved };
}
