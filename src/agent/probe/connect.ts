// Opens an MCP session to a resolved server: a process-group stdio transport, or streamable HTTP falling back
// to SSE the way the SDK documents for servers that predate streamable HTTP. Remote responses are capped.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { AGENT_VERSION } from '../platform/version.js';
import { ProcessTransport } from './process-transport.js';
import type { ResolvedLaunch } from './resolve-launch.js';

export interface ConnectLimits {
  connectTimeoutMs: number;
  /** Total bytes a server may send over the whole probe. */
  maxBytes: number;
  maxStderrBytes: number;
}

export interface Session {
  client: Client;
  transport: Transport;
  /** The transport that answered (`http` may have fallen back to `sse`). */
  kind: 'stdio' | 'http' | 'sse';
  /** The server's stderr tail, for stdio servers (raw: redact before showing). */
  stderr(): string;
  /** Why the transport cut the server off (a byte cap), if it did. */
  fatal(): Error | undefined;
  /** Lines a stdio server wrote to stdout that are not JSON-RPC (skipped). */
  nonProtocolLines(): number;
  protocolVersion(): string | undefined;
  close(): Promise<void>;
}

export const CLIENT_INFO = { name: 'mcp-warden', version: AGENT_VERSION };

/** fetch with every response body counted against one budget for the whole probe. */
export function cappedFetch(maxBytes: number): typeof fetch & { fatal?: Error } {
  let received = 0;
  const capped: typeof fetch & { fatal?: Error } = async (input, init) => {
    const response = await fetch(input, init);
    if (!response.body) return response;
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) {
          capped.fatal ??= new Error(`the server sent more than ${Math.round(maxBytes / 1024 / 1024)} MiB`);
          controller.error(capped.fatal);
        } else controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(counter), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return capped;
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

async function open(client: Client, transport: Transport, timeoutMs: number): Promise<void> {
  await client.connect(transport, { timeout: timeoutMs });
}

export async function connect(launch: ResolvedLaunch, limits: ConnectLimits): Promise<Session> {
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  if (launch.transport === 'stdio') {
    const transport = new ProcessTransport({
      command: launch.command!,
      args: launch.args,
      env: launch.env,
      cwd: launch.cwd,
      maxStdoutBytes: limits.maxBytes,
      maxStderrBytes: limits.maxStderrBytes,
    });
    const session: Session = {
      client,
      transport,
      kind: 'stdio',
      stderr: () => transport.stderr,
      fatal: () => transport.fatal,
      nonProtocolLines: () => transport.nonProtocolLines,
      protocolVersion: () => transport.protocolVersion,
      close: () => transport.close(),
    };
    try {
      await open(client, transport, limits.connectTimeoutMs);
    } catch (error) {
      const exit = transport.exitStatus;
      await transport.close();
      throw transport.fatal ?? Object.assign(error as Error, { stderr: transport.stderr, exit });
    }
    return session;
  }

  const url = new URL(launch.url!);
  const requestInit = { headers: launch.headers };
  const fetcher = cappedFetch(limits.maxBytes);
  const remote = (kind: 'http' | 'sse'): Transport =>
    kind === 'http'
      ? new StreamableHTTPClientTransport(url, { requestInit, fetch: fetcher })
      : new SSEClientTransport(url, { requestInit, fetch: fetcher });
  const sessionOf = (transport: Transport, kind: 'http' | 'sse', current: Client): Session => ({
    client: current,
    transport,
    kind,
    stderr: () => '',
    fatal: () => fetcher.fatal,
    nonProtocolLines: () => 0,
    protocolVersion: () => (transport as { protocolVersion?: string }).protocolVersion,
    close: () => current.close().catch(() => undefined),
  });

  if (launch.transport === 'sse') {
    const transport = remote('sse');
    await open(client, transport, limits.connectTimeoutMs).catch(async (error) => {
      await client.close().catch(() => undefined);
      throw error;
    });
    return sessionOf(transport, 'sse', client);
  }
  const http = remote('http');
  try {
    await open(client, http, limits.connectTimeoutMs);
    return sessionOf(http, 'http', client);
  } catch (error) {
    await client.close().catch(() => undefined);
    const status = statusOf(error);
    // 4xx other than auth: a server that only speaks the older HTTP+SSE transport.
    if (status === undefined || status < 400 || status >= 500 || status === 401 || status === 403) throw error;
    const fallback = new Client(CLIENT_INFO, { capabilities: {} });
    const sse = remote('sse');
    await open(fallback, sse, limits.connectTimeoutMs).catch(async (sseError) => {
      await fallback.close().catch(() => undefined);
      throw sseError;
    });
    return sessionOf(sse, 'sse', fallback);
  }
}
