// The guard of a stdio MCP server: the client's config entry runs it in place of the server; it starts the
// original server, relays MCP both ways, enforces the organisation's decisions per tool, resource and prompt,
// and audits every call. The counterpart of http-guard-host.ts; `mcp-warden guard` (cli/guard-command.ts) runs it.
import spawn from 'cross-spawn';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { liveDeviceIps } from '../platform/device-addresses.js';
import { withoutAgentVariables } from '../platform/environment.js';
import type { GuardInvocation } from '../platform/guard-invocation.js';
import { drainMessages } from '../platform/stdio-messages.js';
import { killProcessTree } from '../probe/kill-tree.js';
import { loadEnrollment } from '../sync/device-identity.js';
import { openGuardSession } from './guard-session.js';
import { PolicySource } from './policy-source.js';
import { GuardRelay } from './relay.js';

export interface StdioGuardOptions {
  invocation: GuardInvocation;
  stateDir: string;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  warn: (line: string) => void;
  /** Resolves when the guard is asked to stop (SIGTERM, SIGINT). */
  stopped: Promise<void>;
}

/** Runs until the server exits; resolves to its exit code (127 when it cannot start). */
export async function runStdioGuard(options: StdioGuardOptions): Promise<number> {
  const { invocation, stateDir, warn } = options;
  const subject = {
    serverId: invocation.serverId,
    serverKey: invocation.serverKey,
    serverName: invocation.name,
    clients: invocation.clients,
  };
  const policy = new PolicySource(stateDir);
  await policy.start();
  const deviceId = (await loadEnrollment(stateDir))?.deviceId;
  const session = await openGuardSession(stateDir, subject, deviceId, warn);

  // The server gets what the client gave the guard, minus MCP Warden's own variables.
  const child = spawn(invocation.command, invocation.args, {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: withoutAgentVariables(process.env),
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  const relay = new GuardRelay({
    subject,
    policy: () => policy.policy,
    deviceIps: liveDeviceIps(),
    toClient: (message) => options.stdout.write(serializeMessage(message)),
    toServer: (message) => child.stdin?.write(serializeMessage(message)),
    audit: session.audit,
    onListed: session.onListed,
  });

  const pump = (stream: NodeJS.ReadableStream, deliver: (message: JSONRPCMessage) => void, side: string) => {
    const buffer = new ReadBuffer();
    stream.on('data', (chunk: Buffer) =>
      drainMessages(buffer, chunk, deliver, () => warn(`mcp-warden guard: dropped a line from the ${side} that is not JSON-RPC`)),
    );
  };
  pump(options.stdin, (message) => relay.fromClient(message), 'client');
  pump(child.stdout!, (message) => relay.fromServer(message), 'server');

  const exitCode = await new Promise<number>((resolve) => {
    child.once('error', (error) => {
      warn(`mcp-warden guard: cannot start ${invocation.command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    // The client went away, or stopped the guard: end the server and everything it started.
    const stop = () => {
      child.stdin?.end();
      killProcessTree(child, 1500).catch((error: Error) => warn(`mcp-warden guard: ${error.message}`));
    };
    options.stdin.once('end', stop);
    void options.stopped.then(stop);
  });
  policy.stop();
  await session.flush();
  return exitCode;
}
