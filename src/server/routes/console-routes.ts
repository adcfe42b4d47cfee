// The admin console (src/console, built by `npm run build` into dist/console) served from this endpoint, so
// it shares the API's origin: its hashed assets under /assets/, and its page for every other path that is
// not the API's, where the console's own router takes over. Strict CSP: nothing inline, nothing from elsewhere.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { HttpError } from '../errors.js';

/** The console's content security policy: scripts, styles and requests only from this endpoint. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the API and sign-in: never answered with the console's page. */
const NOT_THE_CONSOLE = /^\/(v1|v0\.1|auth|assets)(\/|$)/;

/** Where a build put the console: beside the compiled server (dist/console), when it was built. */
export function builtConsoleFolder(): string | undefined {
  const folder = fileURLToPath(new URL('../../console/', import.meta.url));
  return existsSync(path.join(folder, 'index.html')) && existsSync(path.join(folder, 'assets')) ? folder : undefined;
}

function secureHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

export async function registerConsoleRoutes(app: FastifyInstance, folder: string | undefined): Promise<void> {
  if (!folder) {
    app.get('/', async (_request, reply) =>
      secureHeaders(reply)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MCP Warden</title></head><body>' +
            '<h1>MCP Warden</h1><p>The admin console is not built in this copy: run <code>npm run build</code>. ' +
            'The admin API is at <code>/v1/admin/</code>.</p></body></html>',
        ),
    );
    return;
  }
  // Asset names carry a hash of their content: cached for good, and a new build is new names.
  await app.register(fastifyStatic, {
    root: path.join(folder, 'assets'),
    prefix: '/assets/',
    immutable: true,
    maxAge: '365d',
    index: false,
    setHeaders: (response) => {
      response.header('x-content-type-options', 'nosniff');
    },
  });
  const consolePage = async (_request: unknown, reply: FastifyReply) =>
    secureHeaders(reply).header('cache-control', 'no-cache').sendFile('index.html', folder);
  app.get('/', consolePage);
  app.get('/*', async (request, reply) => {
    const pathname = request.url.split('?')[0]!;
    // An API path nobody serves is a 404, not the console (whose router says when a page does not exist).
    if (NOT_THE_CONSOLE.test(pathname)) throw new HttpError(404, 'not-found', 'no such endpoint');
    return consolePage(request, reply);
  });
}
