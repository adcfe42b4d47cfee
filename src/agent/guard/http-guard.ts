// The guard for remote servers: a loopback HTTP proxy the wrapped entry points at
// (`http://127.0.0.1:<port>/mcp-warden/<server id>/<original URL>`), forwarding MCP's streamable HTTP (here) and
// legacy SSE (legacy-sse.ts) to the original URL with the same relay as the stdio guard: blocked capabilities
// leave list results, calls to them are answered here with the reason, every call is audited. Only servers
// enforcement wrapped are served.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Policy } from '../../shared/policy.js';
import { LOOPBACK_HOSTNAME, guardPathServerId } from '../platform/guard-invocation.js';
import { type GuardSession, openGuardSession } from './guard-session.js';
import { LEGACY_SESSION_PARAM, legacySse } from './legacy-sse.js';
import {
  BodyTooLarge,
  ClientGone,
  eventMessage,
  forwardable,
  jsonRpcError,
  messagesOf,
  passThrough,
  rawSseEvent,
  readBody,
  readEvents,
  sseEvent,
  turnWriter,
} from './proxy-http.js';
import { type GuardSubject, GuardRelay } from './relay.js';
import { type SendUpstream, answerText, sendUpstream } from './upstream.js';

export interface HttpRoute {
  subject: GuardSubject;
  /** The original URL, as enforcement recorded it. */
  upstream: string;
  /** The server's transport: streamable HTTP (the default) or legacy SSE. */
  transport?: 'http' | 'sse';
}

export interface HttpGuardOptions {
  stateDir: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The route of a wrapped server, by its id; undefined for anything enforcement did not wrap. */
  route: (serverId: string) => Promise<HttpRoute | undefined>;
  policy: () => Policy | undefined;
  deviceIps: () => string[];
  deviceId?: string | undefined;
  warn: (line: string) => void;
}

export interface HttpGuard {
  /** `http://127.0.0.1:<port>`: the base of every wrapped URL. */
  base: string;
  close(): Promise<void>;
}

const LOOPBACK_HOST = new RegExp(String.raw`^${LOOPBACK_HOSTNAME}(?::\d+)?$`, 'i');
const LOOPBACK_ORIGIN = new RegExp(String.raw`^[a-z][a-z0-9+.-]*://${LOOPBACK_HOSTNAME}(?::\d+)?$`, 'i');
const loopbackHost = (host: string | undefined) => host !== undefined && LOOPBACK_HOST.test(host);
/** No Origin (a program, not a page), or a page served from this machine. */
const acceptableOrigin = (origin: string | undefined) =>
  origin === undefined || origin === 'null' || LOOPBACK_ORIGIN.test(origin) || !/^https?:/i.test(origin);

export async function startHttpGuard(options: HttpGuardOptions): Promise<HttpGuard> {
  const sessions = new Map<string, Promise<GuardSession>>();
  const legacy = legacySse({ policy: options.policy, deviceIps: options.deviceIps });
  const sessionFor = (subject: GuardSubject) => {
    let session = sessions.get(subject.serverId);
    if (!session) sessions.set(subject.serverId, (session = openGuardSession(options.stateDir, subject, options.deviceId, options.warn)));
    return session;
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Web pages must not reach the guard: a browser's cross-site request carries its Origin, and a DNS-rebound
    // name its own Host (the MCP spec asks local servers to check both).
    if (!loopbackHost(req.headers.host) || !acceptableOrigin(req.headers.origin))
      return jsonRpcError(res, 403, 'requests from web pages are refused');
    const serverId = guardPathServerId(req.url ?? '');
    const route = serverId === undefined ? undefined : await options.route(serverId);
    if (!route) return jsonRpcError(res, 404, 'this is not a server MCP Warden guards');
    const session = await sessionFor(route.subject);
    const headers = { ...forwardable(req.headers), 'accept-encoding': 'identity' };
    const send: SendUpstream = (url, method, body) => {
      const exchange = sendUpstream(url, { method, headers, body });
      // The client hanging up ends the upstream request too (a long GET stream, a slow call), and one that has
      // hung up already sends nothing on; an answer sent whole ends nothing.
      if (!res.socket || res.socket.destroyed) exchange.abort();
      else res.once('close', () => res.writableFinished || exchange.abort());
      return exchange.answer;
    };
    if (route.transport === 'sse') {
      const token = new URL(req.url ?? '', 'http://guard').searchParams.get(LEGACY_SESSION_PARAM);
      if (req.method === 'GET') return legacy.stream(req, res, route.subject, route.upstream, session, send);
      if (req.method === 'POST' && token) return legacy.post(req, res, route.subject.serverId, token, send);
      return jsonRpcError(res, 405, 'a legacy SSE server takes a GET stream and POSTs to its endpoint');
    }

    if (req.method !== 'POST') {
      // The GET stream (server notifications and requests) and DELETE pass as they are: nothing to decide there.
      const upstream = await send(route.upstream, req.method ?? 'GET');
      res.writeHead(upstream.statusCode, forwardable(upstream.headers));
      return passThrough(upstream, res);
    }

    const body = await readBody(req);
    const { messages, batch } = messagesOf(body);
    // Answers made here (refused calls), and what goes on to the server.
    const local: JSONRPCMessage[] = [];
    const forward: JSONRPCMessage[] = [];
    let toClient = (message: JSONRPCMessage) => void local.push(message);
    const relay = new GuardRelay({
      subject: route.subject,
      policy: options.policy,
      deviceIps: options.deviceIps,
      toClient: (message) => toClient(message),
      toServer: (message) => void forward.push(message),
      audit: session.audit,
      onListed: session.onListed,
    });
    for (const message of messages) relay.fromClient(message);

    if (messages.length && !forward.length) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(batch ? local : local[0]));
      return;
    }
    // What the client sent goes on as it came, unless the relay kept some of it back.
    const unchanged = forward.length === messages.length;
    const sent = messages.length && !unchanged ? JSON.stringify(batch ? forward : forward[0]) : body;
    const upstream = await send(route.upstream, 'POST', sent);
    const type = String(upstream.headers['content-type'] ?? '');
    const responseHeaders = forwardable(upstream.headers);

    // The relay changes what the server sends only in answers to list requests (blocked capabilities taken out).
    // Anything else goes to the client as the server wrote it, and is read for the audit once it has left.
    const asWritten = !relay.rewritesAnswers;
    if (type.includes('text/event-stream')) {
      res.writeHead(upstream.statusCode, responseHeaders);
      const write = turnWriter(res);
      for (const message of local) write(sseEvent(message));
      if (asWritten) {
        toClient = () => undefined;
        await readEvents(upstream, {
          passOn: { chunk: write, end: () => res.end() },
          onEvent: (event) => {
            const message = eventMessage(event);
            if (message) relay.fromServer(message);
          },
          client: res,
        });
        return;
      }
      toClient = (message) => void write(sseEvent(message));
      await readEvents(upstream, {
        onEvent: (event) => {
          const message = eventMessage(event);
          if (!message) return write(rawSseEvent(event));
          // A message the relay passes as it is goes out as the server wrote it; one it changed, under the same id.
          toClient = (out) => void write(out === message ? rawSseEvent(event) : sseEvent(out, event.id));
          relay.fromServer(message);
        },
        onRetry: (retry) => write(`retry: ${retry}\n\n`),
        client: res,
      });
      res.end();
      return;
    }

    const text = await answerText(upstream);
    if (asWritten && !local.length) {
      res.writeHead(upstream.statusCode, responseHeaders);
      res.end(text);
      toClient = () => undefined;
      if (type.includes('application/json')) for (const message of messagesOf(text).messages) relay.fromServer(message);
      return;
    }
    if (type.includes('application/json')) {
      const answer = messagesOf(text);
      if (answer.messages.length) {
        const out: JSONRPCMessage[] = [...local];
        toClient = (message) => void out.push(message);
        for (const message of answer.messages) relay.fromServer(message);
        res.writeHead(upstream.statusCode, { ...responseHeaders, 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.batch || out.length > 1 ? out : out[0]));
        return;
      }
    }
    if (local.length && (upstream.statusCode === 202 || text === '')) {
      // Only notifications went on; the refused calls still need their answers.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(batch ? local : local[0]));
      return;
    }
    res.writeHead(upstream.statusCode, responseHeaders);
    res.end(text);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof ClientGone) return;
      // The rest of an oversized body is never read: the connection cannot carry another request.
      if (error instanceof BodyTooLarge && !res.headersSent) res.setHeader('connection', 'close');
      const message = error instanceof BodyTooLarge ? error.message : `the server cannot be reached (${(error as Error).message})`;
      jsonRpcError(res, error instanceof BodyTooLarge ? 413 : 502, message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions.values()].map(async (session) => (await session).flush()));
    },
  };
}
