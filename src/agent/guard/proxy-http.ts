// What the HTTP guard's two transports share: which headers cross the proxy, bodies read with a cap, errors
// in JSON-RPC's shape, and server-sent events read whole and written back.
import type http from 'node:http';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type EventSourceMessage, createParser } from 'eventsource-parser';

const MAX_BODY_BYTES = 16 * 1024 * 1024;
// A notification stream may stay quiet, and a tool call may run for long: the client decides when to give up.
export const NO_TIMEOUTS = { headersTimeout: 0, bodyTimeout: 0 } as const;

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

/** Copies an upstream body to the client as it comes, at the pace the client reads it (back-pressure). */
export async function passThrough(body: Readable, res: http.ServerResponse): Promise<void> {
  await pipeline(body, res);
}

/** A request body whole, refused past the cap. Read from its events: cheaper per request than async iteration. */
export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
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
  /** The bytes as they came, before they are parsed: a relay with nothing to change passes them on first. */
  onChunk?: (chunk: Buffer) => void;
  /** Says when the reader of what the events become is full: the stream then waits until it has drained. */
  pace: () => Promise<unknown> | undefined;
}

/** Reads a stream of server-sent events to its end, each event whole, characters split across chunks decoded whole. */
export function readEvents(body: Readable, reading: EventReading): Promise<void> {
  const parser = createParser({ onEvent: reading.onEvent, ...(reading.onRetry ? { onRetry: reading.onRetry } : {}) });
  // Node's own decoder: a TextDecoder sets up an ICU converter for every request.
  const decoder = new StringDecoder('utf8');
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      body.destroy();
      reject(error as Error);
    };
    const feed = (text: string) => {
      try {
        parser.feed(text);
      } catch (error) {
        fail(error);
      }
    };
    // Bytes passed on are parsed just after: a socket write goes out when the turn's ticks run (Node corks it
    // till then), and parsing in the same turn would hold it back. Microtasks keep the chunks in order.
    const later = reading.onChunk ? queueMicrotask : (work: () => void) => work();
    body.on('data', (chunk: Buffer) => {
      reading.onChunk?.(chunk);
      later(() => feed(decoder.write(chunk)));
      const full = reading.pace();
      if (full) {
        body.pause();
        full.then(() => body.resume(), fail);
      }
    });
    body.once('end', () =>
      later(() => {
        feed(decoder.end());
        resolve();
      }),
    );
    body.once('error', reject);
  });
}

/** When the client reads slower than the server writes: the moment it has drained (or went away). */
export function drained(res: http.ServerResponse, signal: AbortSignal): Promise<unknown> | undefined {
  return res.writableNeedDrain ? once(res, 'drain', { signal }) : undefined;
}
