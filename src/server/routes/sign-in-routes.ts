// Admins' browsers sign in with single sign-on: /auth/login sends them to the identity provider, which sends
// them back to /auth/callback; a session cookie then stands for them on the admin API (and the console).
// /auth/logout ends it. An admin token can be turned into a session too (/auth/token), for first setup.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AppContext, endpointOrigin } from '../context.js';
import { HttpError } from '../errors.js';
import { SignInRefused } from '../sign-in/oidc.js';
import {
  bootstrapSession,
  checkCsrf,
  endSession,
  keepPendingSignIn,
  roleFor,
  startSession,
  takePendingSignIn,
  tokenCredential,
} from '../sign-in/sessions.js';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);

/** A page of its own: no scripts, nothing from elsewhere, forms and requests only to this endpoint. */
function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
    )
    .header('cache-control', 'no-store')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · MCP Warden</title>` +
        `<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d1d1f}` +
        `h1{font-size:1.4rem}button,a.button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid #888;background:#fff;color:inherit;text-decoration:none;cursor:pointer}</style>` +
        `</head><body><h1>${escape(title)}</h1>${body}</body></html>`,
    );
}

/**
 * Only a path on this endpoint: never another site (an open redirect). Browsers read `\` as `/` and drop
 * tabs and newlines, so anything but a plain path that resolves to this origin is refused.
 */
function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(next)) return '/';
  const base = new URL('http://endpoint.invalid');
  const resolved = new URL(next, base);
  return resolved.origin === base.origin ? `${resolved.pathname}${resolved.search}` : '/';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A Secure cookie sticks only over HTTPS, or on loopback, where browsers count plain HTTP as secure. */
function secureEnough(request: FastifyRequest, publicUrl: string | undefined): boolean {
  if (request.protocol === 'https' || publicUrl?.startsWith('https://')) return true;
  return LOOPBACK.has(request.hostname);
}

const insecure = () =>
  new HttpError(
    400,
    'insecure-transport',
    'browsers keep the session cookie only over HTTPS: open the console at https:// (--tls-cert, or a TLS proxy with --public-url), or on this machine at http://127.0.0.1',
  );

export function registerSignInRoutes(app: FastifyInstance, context: AppContext): void {
  const secret = () => context.storage.sharedSecret('sign-in');

  // What the console's sign-in page offers.
  app.get('/auth/methods', async () => ({ sso: Boolean(context.signIn) }));

  // Signing in with an admin token (the bootstrap one for first setup, or an account's): the token goes in the
  // Authorization header, is judged like any admin request's, and turns into a session, so the browser never
  // keeps the token itself.
  app.post('/auth/token', async (request, reply) => {
    const caller = request.caller;
    if (caller.kind !== 'admin' || caller.admin.via === 'session')
      throw new HttpError(401, 'unauthorized', 'that is not an admin token of this endpoint');
    if (!secureEnough(request, context.publicUrl)) throw insecure();
    const { email, role, via, tokenId } = caller.admin;
    // The session lives as long as the token it was made from: revoking the token ends it.
    const who =
      via === 'bootstrap'
        ? bootstrapSession(context.auth.bootstrap)
        : { email, role, roleSource: 'account' as const, credential: tokenCredential(tokenId!) };
    await startSession(reply, context.storage, who, context.auth.sessions, context.now());
    return reply.status(204).send();
  });

  // The first start's printed link. Opening it only asks (a link previewer that fetches it spends nothing);
  // the button posts the code, which signs the owner in once.
  const linkGone = (reply: FastifyReply) =>
    page(
      reply,
      410,
      'This sign-in link no longer works',
      '<p>It was used already, or is older than 15 minutes. Sign in with the owner token instead: it is in <code>secrets.json</code> in the server&#39;s data folder.</p><p><a class="button" href="/">Sign in</a></p>',
    );
  app.get('/auth/once', async (request, reply) => {
    const { code } = request.query as { code?: unknown };
    if (!context.signInLink?.pending(context.now()) || typeof code !== 'string') return linkGone(reply);
    return page(
      reply,
      200,
      'Sign in to MCP Warden',
      `<form method="post" action="/auth/once"><input type="hidden" name="code" value="${escape(code)}"><p>This link signs you in as the endpoint's owner, once.</p><button type="submit">Sign in as owner</button></form>`,
    );
  });
  app.post('/auth/once', async (request, reply) => {
    const { code } = (request.body ?? {}) as { code?: unknown };
    // Checked before the code is spent: a cookie the browser would not keep must not use up the link.
    if (!secureEnough(request, context.publicUrl)) throw insecure();
    if (!context.signInLink || typeof code !== 'string' || !context.signInLink.take(code, context.now())) return linkGone(reply);
    await startSession(reply, context.storage, bootstrapSession(context.auth.bootstrap), context.auth.sessions, context.now());
    return reply.redirect('/', 303);
  });

  app.get('/auth/login', async (request, reply) => {
    if (!context.signIn) throw new HttpError(404, 'not-found', 'single sign-on is not set up on this endpoint (--oidc-issuer)');
    let started;
    try {
      started = await context.signIn.start(safeNext((request.query as { next?: unknown }).next));
    } catch (error) {
      return page(reply, 502, 'Sign-in is unavailable', `<p>${escape((error as Error).message)}. Try again in a moment.</p>`);
    }
    keepPendingSignIn(reply, started.pending, await secret(), context.now());
    return reply.redirect(started.url, 302);
  });

  app.get('/auth/callback', async (request, reply) => {
    if (!context.signIn) throw new HttpError(404, 'not-found', 'single sign-on is not set up on this endpoint (--oidc-issuer)');
    const again = '<p><a class="button" href="/auth/login">Sign in again</a></p>';
    const pending = takePendingSignIn(request, reply, await secret(), context.now());
    if (!pending)
      return page(reply, 400, 'Sign-in expired', `<p>This sign-in took too long, or was started in another browser.</p>${again}`);
    let signedIn;
    try {
      signedIn = await context.signIn.finish(new URL(request.url, context.signIn.callbackUrl), pending);
    } catch (error) {
      if (error instanceof SignInRefused) return page(reply, 403, 'Not signed in', `<p>${escape(error.message)}.</p>${again}`);
      const reason = `the identity provider's answer could not be checked: ${(error as Error).message}`;
      return page(reply, 502, 'Not signed in', `<p>${escape(reason)}.</p>${again}`);
    }
    const role = await roleFor(context.storage, signedIn.email, signedIn.claimRole);
    if (!role)
      return page(
        reply,
        403,
        'No access yet',
        `<p>${escape(signedIn.email)} has no MCP Warden role. Ask an owner to add you (<code>mcp-warden server admin add --email ${escape(signedIn.email)} --role viewer</code>), or to map your group to a role.</p>`,
      );
    await startSession(reply, context.storage, { email: signedIn.email, ...role }, context.auth.sessions, context.now());
    return reply.redirect(pending.next, 302);
  });

  app.post('/auth/logout', async (request, reply) => {
    const caller = request.caller;
    if (caller.kind === 'admin' && caller.admin.session) {
      checkCsrf(request, caller.admin.session, endpointOrigin(request, context.publicUrl));
      await endSession(request, reply, context.storage);
    }
    return reply.redirect('/', 303);
  });
}
