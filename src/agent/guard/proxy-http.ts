// What the HTTP guard's two transports share: which headers cross the proxy, bodies read with a cap, errors
// in JSON-RPC's shape, and server-sent events read whole and written back.
import type http from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type EventSourceMessage, createParser } from 'eventsource-parser';
import type { UpstreamAnswer } from './upstream.js';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

// Hop-by-hop and framing headers are the proxy's own business on each side.
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'accept-encoding',
  'upgrade',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'content-encoding',
]);

export function forwardable(
  headers: http.IncomingHttpHeaders | Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !NOT_FORWARDED.has(name.toLowerCase())) out[name] = value;
  return out;
}

export function jsonRpcError(res: http.ServerResponse, status: number, message: string): void {
  // Once a response has started, its stream just ends: an error body would corrupt it.
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: `MCP Warden: ${message}` } }));
}

/** A request body over the guard's cap: answered 413, never taken for another failure. */
export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}

/** The client went away: there is no one left to answer. */
export class ClientGone extends Error {
  override name = 'ClientGone';
}

/** Copies an upstream body to the client as it comes, at the pace the client reads it (back-pressure). */
export function passThrough(answer: UpstreamAnswer, res: http.ServerResponse): Promise<void> {
  const write = turnWriter(res);
  return new Promise((resolve, reject) => {
    answer.read({
      onData: (chunk) => {
        write(chunk);
        if (res.writableNeedDrain) pauseUntilDrained(answer, res);
      },
      onEnd: () => resolve(void res.end()),
      onError: reject,
    });
  });
}

/** A request body whole, refused past the cap. Read from its events: cheaper per request than async iteration. */
export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // A client that hung up before its body was read: the request will never end, and must not wait for it.
    const gone = () => req.readableEnded || reject(new ClientGone('the client hung up before its request was read'));
    if (req.destroyed) return gone();
    req.once('close', gone);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data').resume();
        reject(new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The JSON-RPC messages of a body: one, or a batch; none when it is not JSON. */
export function messagesOf(body: Buffer | string): { messages: JSONRPCMessage[]; batch: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const messages = (Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' ? [parsed] : []) as JSONRPCMessage[];
  return { messages, batch: Array.isArray(parsed) };
}

export const sseEvent = (message: JSONRPCMessage, id?: string) =>
  `${id ? `id: ${id}\n` : ''}event: message\ndata: ${JSON.stringify(message)}\n\n`;
/** An event as the server sent it: its id and type, and its data line by line (data may span lines). */
export const rawSseEvent = (event: EventSourceMessage) =>
  `${event.id ? `id: ${event.id}\n` : ''}${event.event ? `event: ${event.event}\n` : ''}data: ${event.data.replaceAll('\n', '\ndata: ')}\n\n`;

/** The JSON-RPC message an event carries, when it is a `message` event holding JSON. */
export function eventMessage(event: EventSourceMessage): JSONRPCMessage | undefined {
  if (event.event !== undefined && event.event !== 'message') return undefined;
  try {
    return JSON.parse(event.data) as JSONRPCMessage;
  } catch {
    return undefined;
  }
}

export interface EventReading {
  onEvent: (event: EventSourceMessage) => void;
  onRetry?: (retry: number) => void;
  /** The bytes as they came and their end, before they are parsed: a relay with nothing to change passes them on first. */
  passOn?: { chunk: (chunk: Buffer) => void; end: () => void };
  /** Where what the events become goes: while it is full, the server's socket waits (back-pressure). */
  client: http.ServerResponse;
}

/** Reads a stream of server-sent events to its end, each event whole, characters split across chunks decoded whole. */
export function readEvents(answer: UpstreamAnswer, reading: EventReading): Promise<void> {
  const parser = createParser({ onEvent: reading.onEvent, ...(reading.onRetry ? { onRetry: reading.onRetry } : {}) });
  // Node's own decoder: a TextDecoder sets up an ICU converter for every request.
  const decoder = new StringDecoder('utf8');
  return new Promise((resolve, reject) => {
    let failed = false;
    const feed = (text: string) => {
      if (failed) return;
      try {
        parser.feed(text);
      } catch (error) {
        failed = true;
        answer.abort();
        reject(error as Error);
      }
    };
    // Bytes passed on first leave at the end of the turn (turnWriter); they are parsed once they have left, in
    // order, so that reading them for the audit never holds them back.
    const { passOn } = reading;
    const later = passOn ? (work: () => void) => void setImmediate(work) : (work: () => void) => work();
    answer.read({
      onData: (chunk) => {
        passOn?.chunk(chunk);
        later(() => feed(decoder.write(chunk)));
        if (reading.client.writableNeedDrain) pauseUntilDrained(answer, reading.client);
      },
      onEnd: () => {
        passOn?.end();
        later(() => {
          feed(decoder.end());
          resolve();
        });
      },
      onError: reject,
    });
  });
}

/** The client reads slower than the server writes: the server's socket waits until the client's has drained. */
function pauseUntilDrained(answer: UpstreamAnswer, res: http.ServerResponse): void {
  answer.pause();
  res.once('drain', () => answer.resume());
}

/**
 * Writes to the client held until the end of the loop's turn, so that what arrives together leaves together: most
 * often the last event and the stream's end, which otherwise take two packets and wake the client twice.
 */
export function turnWriter(res: http.ServerResponse): (chunk: Buffer | string) => void {
  let held = false;
  const release = () => {
    held = false;
    // end() has already sent everything (it uncorks fully); the socket may be serving the next request by now.
    if (!res.writableEnded) res.uncork();
  };
  return (chunk) => {
    if (!held) {
      held = true;
      res.cork();
      setImmediate(release);
    }
    res.write(chunk);
  };
}
