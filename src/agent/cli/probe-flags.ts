// Flags of the commands that speak MCP to servers, and the probe options they mean.
import type { ParseArgsConfig } from 'node:util';
import type { ScanOptions } from '../discovery/scan.js';
import type { ProbeAllOptions, ProbeMode, ProbeProjects } from '../probe/probe-all.js';
import type { ResolvedSettings } from '../settings/resolve.js';
import { PROBE_REPLAY_FLAG, PROBE_REPLAY_HELP } from './replay-flag.js';
import { UsageError } from './usage-error.js';

export const PROBE_FLAGS = {
  'probe-mode': { type: 'string' },
  'probe-projects': { type: 'string' },
  ...PROBE_REPLAY_FLAG,
  concurrency: { type: 'string' },
  'connect-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'state-dir': { type: 'string' },
  'no-cache': { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

export const PROBE_HELP = `  --probe-mode MODE      all, remote-only or off (default: the settings, else all; IT's managed
                         ProbeMode wins)
  --probe-projects WHICH approved (default: the settings, else approved): start a
                         project's servers only when its client recorded the user's approval;
                         never; or all (docs/security.md)
${PROBE_REPLAY_HELP}
  --concurrency N        servers probed at once (default 4)
  --connect-timeout S    seconds to wait for a server to answer initialize (default 30)
  --request-timeout S    seconds to wait for each list request (default 10)
  --state-dir DIR        where the probe cache lives (default: MCP_WARDEN_STATE_DIR, else the
                         platform's application-state folder)
  --no-cache             probe every server again, ignoring cached results`;

export interface ProbeValues {
  'probe-mode'?: string | undefined;
  'probe-projects'?: string | undefined;
  'probe-replay'?: boolean | undefined;
  concurrency?: string | undefined;
  'connect-timeout'?: string | undefined;
  'request-timeout'?: string | undefined;
  'state-dir'?: string | undefined;
  'no-cache'?: boolean | undefined;
}

function positiveNumber(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > max) throw new UsageError(`${flag}: expected a number from 1 to ${max}`);
  return number;
}

/**
 * The probe options of a command: its flags, in the settings every entry point resolves (IT's managed
 * ProbeMode and ProbeProjects win over them, and say so; a --probe-mode that does not fit is a usage error there).
 */
export function probeOptionsFrom(
  values: ProbeValues,
  scan: ScanOptions,
  { stateDir, resolved }: { stateDir: string; resolved: ResolvedSettings },
): ProbeAllOptions {
  const concurrency = positiveNumber('--concurrency', values.concurrency, 64);
  const connect = positiveNumber('--connect-timeout', values['connect-timeout'], 600);
  const request = positiveNumber('--request-timeout', values['request-timeout'], 600);
  return {
    mode: resolved.settings.probe as ProbeMode,
    projects: resolved.settings.probeProjects as ProbeProjects,
    probeReplay: values['probe-replay'] === true,
    ...(concurrency ? { concurrency: Math.floor(concurrency) } : {}),
    limits: {
      ...(connect ? { connectTimeoutMs: connect * 1000 } : {}),
      ...(request ? { requestTimeoutMs: request * 1000 } : {}),
    },
    stateDir,
    ...(values['no-cache'] ? { ttlMs: 0, failureTtlMs: 0 } : {}),
    // Servers get this machine's login environment (never the agent's own variables), whatever is replayed.
    env: process.env,
    home: scan.world.home,
  };
}
