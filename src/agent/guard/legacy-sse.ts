// MCP's legacy SSE transport (2024-11-05) through the HTTP guard. The client's GET stream is the server's, with
// its `endpoint` event pointed back at the guard and every message on it through the relay; the client's POSTs
// to that endpoint go through the same relay to the server's own endpoint. The server answers on the stream, so
// one relay serves the stream and all its POSTs, and a refused call is answered on the stream too.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Policy } from '../../shared/policy.js';
import type { GuardSession } from './guard-session.js';
import {
  eventMessage,
  forwardable,
  jsonRpcError,
  messagesOf,
  passThrough,
  rawSseEvent,
  readBody,
  readEvents,
  sseEvent,
} from './proxy-http.js';
import { type GuardSubject, GuardRelay } from './relay.js';
import type { SendUpstream } from './upstream.js';

/** The query parameter naming the stream a POST belongs to, in the endpoint the guard gives the client. */
export const LEGACY_SESSION_PARAM = 'mcp-warden-session';

interface Stream {
  serverId: string;
  relay: GuardRelay;
  /** The server's own endpoint for this stream's POSTs. */
  endpoint: string;
  /** Where the relay sends messages for the server, set by each POST while it relays. */
  forward: JSONRPCMessage[];
}

export interface LegacySseOptions {
  policy: () => Policy | undefined;
  deviceIps: () => string[];
}

export function legacySse(options: LegacySseOptions) {
  const streams = new Map<string, Stream>();

  /** GET: the server's stream, relayed; its endpoint replaced by the guard's own for this stream. */
  async function stream(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    subject: GuardSubject,
    upstreamUrl: string,
    session: GuardSession,
    send: SendUpstream,
  ): Promise<void> {
    const upstream = await send(upstreamUrl, 'GET');
    if (upstream.statusCode !== 200 || !String(upstream.headers['content-type'] ?? '').includes('text/event-stream')) {
      res.writeHead(upstream.statusCode, forwardable(upstream.headers));
      return passThrough(upstream, res);
    }
    const token = randomBytes(18).toString('base64url');
    const relay = new GuardRelay({
      subject,
      policy: options.policy,
      deviceIps: options.deviceIps,
      toClient: (message) => void res.write(sseEvent(message)),
      toServer: (message) => void streams.get(token)?.forward.push(message),
      audit: session.audit,
      onListed: session.onListed,
    });
    res.once('close', () => streams.delete(token));
    res.writeHead(200, forwardable(upstream.headers));
    await readEvents(upstream, {
      onEvent: (event) => {
        if (event.event === 'endpoint') {
          const endpoint = new URL(event.data, upstreamUrl);
          // As the SDK's client does: a server may only name an endpoint of its own origin.
          if (endpoint.origin !== new URL(upstreamUrl).origin) return void res.destroy();
          streams.set(token, { serverId: subject.serverId, relay, endpoint: endpoint.href, forward: [] });
          const own = `${(req.url ?? '').split('?')[0]}?${LEGACY_SESSION_PARAM}=${token}`;
          return void res.write(`event: endpoint\ndata: ${own}\n\n`);
        }
        const message = eventMessage(event);
        if (message) relay.fromServer(message);
        else res.write(rawSseEvent(event));
      },
      onRetry: (retry) => void res.write(`retry: ${retry}\n\n`),
      client: res,
    });
    res.end();
  }

  /** POST to a stream's endpoint: through the stream's relay to the server's endpoint; refused calls answered on the stream. */
  async function post(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    serverId: string,
    token: string,
    send: SendUpstream,
  ): Promise<void> {
    const open = streams.get(token);
    if (!open || open.serverId !== serverId) return jsonRpcError(res, 404, 'no open stream for this session');
    const body = await readBody(req);
    const { messages, batch } = messagesOf(body);
    open.forward = [];
    for (const message of messages) open.relay.fromClient(message);
    if (messages.length && !open.forward.length) {
      res.writeHead(202).end('Accepted');
      return;
    }
    // What the client sent goes on as it came, unless the relay kept some of it back.
    const sent = messages.length && open.forward.length !== messages.length ? JSON.stringify(batch ? open.forward : open.forward[0]) : body;
    const upstream = await send(open.endpoint, 'POST', sent);
    res.writeHead(upstream.statusCode, forwardable(upstream.headers));
    await passThrough(upstream, res);
  }

  return { stream, post };
}
