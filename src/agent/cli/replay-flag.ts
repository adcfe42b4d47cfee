// The one probe flag the agent and the harness share with `scan --probe`: start a replayed machine's servers.
import type { ParseArgsConfig } from 'node:util';

export const PROBE_REPLAY_FLAG = { 'probe-replay': { type: 'boolean', default: false } } as const satisfies ParseArgsConfig['options'];

export const PROBE_REPLAY_HELP = `  --probe-replay         with --home/--root/--platform, start the copied machine's servers here
                         (by default a replay only reads files)`;
