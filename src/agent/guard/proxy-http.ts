// What the HTTP guard's two transports share: which headers cross the proxy, bodies read with a cap, errors
// in JSON-RPC's shape, and server-sent events read whole and written back.
import type http from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The JSON-RPC messages of a request body: one, or a batch; none when it is not JSON. */
export function messagesOf(body: Buffer): { messages: JSONRPCMessage[]; batch: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const messages = (Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' ? [parsed] : []) as JSONRPCMessage[];
  return { messages, batch: Array.isArray(parsed) };
}

export const sseEvent = (message: JSONRPCMessage, id?: string) =>
  `${id ? `id: ${id}\n` : ''}event: message\ndata: ${JSON.stringify(message)}\n\n`;
export const rawSseEvent = (event: EventSourceMessage) =>
  `${event.id ? `id: ${event.id}\n` : ''}${event.event ? `event: ${event.event}\n` : ''}data: ${event.data}\n\n`;

/** The JSON-RPC message an event carries, when it is a `message` event holding JSON. */
export function eventMessage(event: EventSourceMessage): JSONRPCMessage | undefined {
  if (event.event !== undefined && event.event !== 'message') return undefined;
  try {
    return JSON.parse(event.data) as JSONRPCMessage;
  } catch {
    return undefined;
  }
}

/** Reads a stream of server-sent events to its end, each event whole, characters split across chunks decoded whole. */
export async function readEvents(
  body: AsyncIterable<unknown>,
  onEvent: (event: EventSourceMessage) => void,
  onRetry: (retry: number) => void,
): Promise<void> {
  const parser = createParser({ onEvent, onRetry });
  const decoder = new TextDecoder();
  for await (const chunk of body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
  parser.feed(decoder.decode());
}
