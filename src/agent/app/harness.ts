// The built window in any browser (`npm run harness`, cli/harness-command.ts), with the real agent core behind the same interface the preload exposes (HTTP for invoke,
// server-sent events for invalidations). Binds 127.0.0.1 only, and answers only the person who has the URL it
// prints: a per-run token (kept in a same-site cookie), the loopback Host (DNS rebinding) and Origin (CSRF).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppService } from './app-service.js';
import { BridgeError, dispatch } from './dispatch.js';

const RENDERER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../out/renderer');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** `window.warden` for a browser: the bridge contract over fetch and EventSource. */
const BRIDGE_SCRIPT = `(() => {
  const invoke = async (channel, ...args) => {
    const response = await fetch('/api/invoke/' + encodeURIComponent(channel), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || 'request failed');
    return body.result;
  };
  const listeners = new Set();
  const events = new EventSource('/api/events');
  events.addEventListener('snapshot:invalidated', (event) => { const { reason } = JSON.parse(event.data); listeners.forEach((listener) => listener(reason)); });
  window.warden = {
    getSnapshot: () => invoke('snapshot:get'),
    scanNow: () => invoke('scan:now'),
    requestApproval: (input) => invoke('approval:request', input),
    openLink: (url) => invoke('link:open', { url }),
    onInvalidated: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
  };
})();`;

export interface Harness {
  /** The address to open: it carries this run's token. */
  url: string;
  token: string;
  service: AppService;
  close(): Promise<void>;
}

/** Why a request from a web page must not reach the harness: another Host (DNS rebinding), another Origin (CSRF). */
function siteRefusal(request: http.IncomingMessage, port: number): string | undefined {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  // A page on another site that rebinds its name to 127.0.0.1 still sends its own name as Host.
  if (!hosts.includes(String(request.headers.host ?? ''))) return 'unexpected Host header: open the address the harness printed';
  const origin = request.headers.origin;
  if (origin !== undefined && !hosts.some((host) => origin === `http://${host}`)) return 'requests from other sites are refused';
  return undefined;
}

/** The run's token, as a bearer header (scripts) or the cookie the printed URL set (the browser). */
function carriesToken(request: http.IncomingMessage, port: number, token: string): boolean {
  const given = bearerOf(request.headers.authorization) ?? cookieOf(request.headers.cookie, cookieName(port));
  return given !== undefined && sameToken(given, token);
}

const cookieName = (port: number) => `mcp-warden-harness-${port}`;

function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHarness(service: AppService, port = 0, log: (line: string) => void = () => undefined): Promise<Harness> {
  if (!existsSync(path.join(RENDERER, 'index.html'))) throw new Error(`no built window in ${RENDERER}: run \`npm run build\` first`);
  const token = randomBytes(24).toString('base64url');
  const streams = new Set<http.ServerResponse>();
  service.onInvalidated((reason) => {
    for (const stream of streams) stream.write(`event: snapshot:invalidated\ndata: ${JSON.stringify({ reason })}\n\n`);
  });

  let listening = port;
  const handle = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const refused = siteRefusal(request, listening);
    if (refused) return void response.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(`${refused}\n`);
    // The printed URL carries the token once: it moves into a cookie only this origin sends, and leaves the address bar.
    const offered = url.searchParams.get('token');
    if (offered !== null && sameToken(offered, token)) {
      url.searchParams.delete('token');
      return void response
        .writeHead(303, {
          location: `${url.pathname}${url.search}`,
          'set-cookie': `${cookieName(listening)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        })
        .end();
    }
    if (!carriesToken(request, listening, token))
      return void response
        .writeHead(401, { 'content-type': 'text/plain; charset=utf-8' })
        .end('this harness answers only the address it printed (with its token)\n');
    try {
      if (request.method === 'POST' && url.pathname.startsWith('/api/invoke/')) {
        const chunks: Buffer[] = [];
        for await (const chunk of request) chunks.push(chunk as Buffer);
        const args: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '[]');
        const result = await dispatch(service, decodeURIComponent(url.pathname.slice('/api/invoke/'.length)), args, async (link) =>
          log(`open ${link}`),
        );
        return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result }));
      }
      if (url.pathname === '/api/events') {
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        response.write(': connected\n\n');
        streams.add(response);
        request.on('close', () => streams.delete(response));
        return;
      }
      if (url.pathname === '/harness-bridge.js')
        return void response.writeHead(200, { 'content-type': 'text/javascript' }).end(BRIDGE_SCRIPT);
      if (url.pathname === '/' || url.pathname === '/index.html') {
        // The bridge script runs before the window's module script, as the preload does in Electron.
        const html = readFileSync(path.join(RENDERER, 'index.html'), 'utf8').replace(
          '<script type="module"',
          '<script src="/harness-bridge.js"></script>\n    <script type="module"',
        );
        return void response.writeHead(200, { 'content-type': TYPES['.html']! }).end(html);
      }
      const file = path.resolve(RENDERER, `.${url.pathname}`);
      if (!file.startsWith(RENDERER + path.sep) || !existsSync(file)) return void response.writeHead(404).end('not found');
      response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(response);
    } catch (error) {
      const status = error instanceof BridgeError || error instanceof SyntaxError ? 400 : 500;
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
    }
  };
  // Whatever escapes the handler's own answers ends that response, not the harness.
  const server = http.createServer((request, response) => void handle(request, response).catch(() => response.destroy()));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  listening = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${listening}/?token=${token}`,
    token,
    service,
    close: async () => {
      for (const stream of streams) stream.end();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
