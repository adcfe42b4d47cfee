// `mcp-warden guard --server ID --server-key KEY --client ID[,ID…] [--name NAME] [--state-dir DIR] -- <command> [args…]`:
// what a wrapped stdio entry runs. The arguments are the ones enforcement writes (platform/guard-invocation.ts).
import { runStdioGuard } from '../guard/stdio-guard.js';
import { parseGuardArgs } from '../platform/guard-invocation.js';
import { resolveStateDir } from '../state/state-dir.js';
import type { CommandIO } from './io.js';
import { UsageError } from './usage-error.js';

export const GUARD_HELP = `Usage: mcp-warden guard --server ID --server-key KEY --client ID[,ID…] [--name NAME] [--state-dir DIR] -- <command> [args…]

Wraps a stdio MCP server: starts <command>, relays MCP between the client and it, hides the tools, resources
and prompts the organisation blocks, answers calls to them with an error that says why, and writes an audit
entry for every call (hash-chained, in <state folder>/audit, and queued for the central endpoint). The policy
is the one the agent cached; a newer one is picked up without a restart.`;

export async function runGuard(argv: string[], io: CommandIO): Promise<number> {
  const separator = argv.indexOf('--');
  if (argv.slice(0, separator === -1 ? undefined : separator).some((arg) => arg === '--help' || arg === '-h')) {
    io.stdout(`${GUARD_HELP}\n`);
    return 0;
  }
  const parsed = parseGuardArgs(argv);
  if (!parsed.ok) throw new UsageError(parsed.problem);
  return runStdioGuard({
    invocation: parsed.invocation,
    stateDir: resolveStateDir(parsed.invocation.stateDir),
    stdin: process.stdin,
    stdout: process.stdout,
    warn: (line) => io.stderr(`${line}\n`),
    stopped: io.untilStopped(),
  });
}
