// `mcp-warden guard --server ID --server-key KEY --client ID [--name NAME] -- <command> [args…]`: wraps a stdio
// MCP server. The client's config entry points here; the guard starts the original server, relays MCP both
// ways, enforces the organisation's decisions per tool, resource and prompt, and audits every call.
import { parseArgs } from 'node:util';
import spawn from 'cross-spawn';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { UsageError } from '../cli/usage-error.js';
import type { CommandIO } from '../cli/io.js';
import { liveDeviceIps } from '../platform/device-addresses.js';
import { withoutAgentVariables } from '../platform/environment.js';
import { drainMessages } from '../platform/stdio-messages.js';
import { killProcessTree } from '../probe/kill-tree.js';
import { resolveStateDir } from '../state/state-dir.js';
import { loadEnrollment } from '../sync/device-identity.js';
import { PolicySource } from './policy-source.js';
import { openGuardSession } from './guard-session.js';
import { GuardRelay } from './relay.js';

export const GUARD_HELP = `Usage: mcp-warden guard --server ID --server-key KEY --client ID [--name NAME] [--state-dir DIR] -- <command> [args…]

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
  if (separator === -1 || separator === argv.length - 1) throw new UsageError('expected `-- <command> [args…]` after the options');
  const { values } = parseArgs({
    args: argv.slice(0, separator),
    options: { server: { type: 'string' }, 'server-key': { type: 'string' }, client: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' }, 'state-dir': { type: 'string' } },
    strict: true,
  });
  if (!values.server || !values['server-key'] || !values.client) throw new UsageError('--server, --server-key and --client are required');
  const [command, ...args] = argv.slice(separator + 1) as [string, ...string[]];
  const stateDir = resolveStateDir(values['state-dir']);
  const subject = { serverId: values.server, serverKey: values['server-key'], serverName: values.name ?? values.server, agent: values.client, url: values.url };

  const policy = new PolicySource(stateDir);
  await policy.start();
  const deviceId = (await loadEnrollment(stateDir))?.deviceId;
  const session = await openGuardSession(stateDir, subject, deviceId, (line) => io.stderr(`${line}\n`));

  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], env: withoutAgentVariables(process.env), detached: process.platform !== 'win32', windowsHide: true });
  const relay = new GuardRelay({
    subject,
    policy: () => policy.policy,
    deviceIps: liveDeviceIps(),
    toClient: (message) => process.stdout.write(serializeMessage(message)),
    toServer: (message) => child.stdin?.write(serializeMessage(message)),
    audit: session.audit,
    onListed: session.onListed,
  });

  const pump = (stream: NodeJS.ReadableStream, deliver: (message: JSONRPCMessage) => void, side: string) => {
    const buffer = new ReadBuffer();
    stream.on('data', (chunk: Buffer) => drainMessages(buffer, chunk, deliver, () => io.stderr(`mcp-warden guard: dropped a line from the ${side} that is not JSON-RPC\n`)));
  };
  pump(process.stdin, (message) => relay.fromClient(message), 'client');
  pump(child.stdout!, (message) => relay.fromServer(message), 'server');

  const exitCode = await new Promise<number>((resolve) => {
    child.once('error', (error) => {
      io.stderr(`mcp-warden guard: cannot start ${command}: ${error.message}\n`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    // The client went away, or stopped the guard: end the server and everything it started.
    const stop = () => {
      child.stdin?.end();
      void killProcessTree(child, 1500);
    };
    process.stdin.once('end', stop);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  policy.stop();
  await session.flush();
  return exitCode;
}
