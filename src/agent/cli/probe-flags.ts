// Flags of the commands that speak MCP to servers, and the probe options they mean.
import type { ParseArgsConfig } from 'node:util';
import { PROBE_MODES, PROBE_PROJECT_MODES } from '../../shared/vocabulary.js';
import type { ScanOptions } from '../discovery/scan.js';
import type { ProbeAllOptions, ProbeMode, ProbeProjects } from '../probe/probe-all.js';
import { resolveStateDir } from '../state/state-dir.js';
import { UsageError } from './usage-error.js';

/** The one probe flag the agent and the harness share with `scan --probe`. */
export const PROBE_REPLAY_FLAG = { 'probe-replay': { type: 'boolean', default: false } } as const satisfies ParseArgsConfig['options'];
export const PROBE_REPLAY_HELP = `  --probe-replay         with --home/--root/--platform, start the copied machine's servers here
                         (by default a replay only reads files)`;

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

export const PROBE_HELP = `  --probe-mode MODE      all, remote-only or off (default: MCP_WARDEN_PROBE, else all)
  --probe-projects WHICH approved (default: MCP_WARDEN_PROBE_PROJECTS, else approved): start a
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

export function probeOptionsFrom(values: ProbeValues, scan: ScanOptions): ProbeAllOptions {
  const mode = values['probe-mode'] ?? process.env.MCP_WARDEN_PROBE ?? 'all';
  if (!(PROBE_MODES as readonly string[]).includes(mode)) throw new UsageError(`--probe-mode ${mode}: expected all, remote-only or off`);
  const projects = values['probe-projects'] ?? process.env.MCP_WARDEN_PROBE_PROJECTS ?? 'approved';
  if (!(PROBE_PROJECT_MODES as readonly string[]).includes(projects)) throw new UsageError(`--probe-projects ${projects}: expected approved, never or all`);
  const concurrency = positiveNumber('--concurrency', values.concurrency, 64);
  const connect = positiveNumber('--connect-timeout', values['connect-timeout'], 600);
  const request = positiveNumber('--request-timeout', values['request-timeout'], 600);
  const stateDir = resolveStateDir(values['state-dir']);
  return {
    mode: mode as ProbeMode,
    projects: projects as ProbeProjects,
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
