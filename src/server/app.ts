// The reference central endpoint as a Fastify application: the agent API under /v1, the admin API under
// /v1/admin, the organisation's MCP registry under /v0.1, the admin console at `/`. Limits on every request: body size (after gzip), a rate per caller (callers.ts), parameterised storage.
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import { type AdminAuth, DEFAULT_RATE_LIMITS, type RateLimits, identifyCaller, rateBuckets } from './callers.js';
import { type OidcOptions, OidcSignIn } from './sign-in/oidc.js';
import { DEFAULT_SESSION_LIMITS, type SessionLimits } from './sign-in/sessions.js';
import type { OneTimeSignIn } from './sign-in/one-time-link.js';
import { registerSignInRoutes } from './routes/sign-in-routes.js';
import { builtConsoleFolder, registerConsoleRoutes } from './routes/console-routes.js';
import type { AppContext, RegistryOptions } from './context.js';
import { registerRegistryRoutes } from './routes/registry-routes.js';
import type { EventsWebhook } from './events-webhook.js';
import { registerAdminRoutes } from './routes/admin-routes.js';
import { registerAgentRoutes } from './routes/agent-routes.js';
import { DeviceTokens } from './device-tokens.js';
import { HttpError, errorBody } from './errors.js';
import { SharedRateCounter, sharedRateStore } from './rate-store.js';
import { isStorageUnavailable } from './storage/unavailable.js';
import { type Storage, StorageNeedsOperatorError } from './storage/storage.js';

export interface ServerOptions {
  storage: Storage;
  enrollSecret: string;
  adminToken: string;
  /** Who the admin token speaks for, recorded as `markedBy`. */
  adminName: string;
  /** Largest request body, after decompression. */
  bodyLimit?: number;
  /** Requests per minute, by budget (callers.ts). */
  rateLimits?: Partial<RateLimits>;
  now?: () => Date;
  logger?: boolean;
  /** Serve HTTPS with this certificate (PEM, leaf first, then intermediates) and key. */
  tls?: { cert: Buffer; key: Buffer };
  /** Where admins reach the endpoint (sign-in callbacks, the origin changes must come from). */
  publicUrl?: string;
  /** Single sign-on for admins' browsers. */
  oidc?: OidcOptions;
  sessionLimits?: SessionLimits;
  /** Signs the owner in once from the link the first start prints. */
  signInLink?: OneTimeSignIn;
  /** The built admin console to serve at `/` (default: dist/console beside the compiled server, if built). */
  consoleFolder?: string | undefined;
  /** The organisation's MCP registry: its namespace, who may read it, the upstream it follows. */
  registry?: RegistryOptions;
  /** The SIEM webhook streaming events, for its state in the admin API. */
  webhook?: Pick<EventsWebhook, 'state'> | undefined;
}

/** Seconds a client is told to wait while the database cannot be reached. */
const RETRY_AFTER_UNAVAILABLE_S = 5;

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? 16 * 1024 * 1024;
  // forceCloseConnections: stopping the server does not wait on idle keep-alive connections.
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    trustProxy: false,
    forceCloseConnections: true,
    // A registry name is up to 200 characters, URL-encoded in the path with its version.
    routerOptions: { maxParamLength: 600 },
    ...(options.tls ? { https: options.tls } : {}),
  });
  // One process (SQLite) counts in memory; processes sharing a database also add their counts to it.
  await app.register(cookie);
  const sharedRates = options.storage.dialect === 'postgres' ? new SharedRateCounter(options.storage) : undefined;
  if (sharedRates) app.addHook('onClose', () => sharedRates.stop());
  await app.register(rateLimit, { global: false, ...(sharedRates ? { store: sharedRateStore(sharedRates) } : {}) });
  const limits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
  const check = app.createRateLimit({
    timeWindow: 60_000,
    keyGenerator: (request) => request.rateBucket.key,
    max: (request) => request.rateBucket.max,
  });
  const auth: AdminAuth = {
    bootstrap: { token: options.adminToken, name: options.adminName },
    sessions: options.sessionLimits ?? DEFAULT_SESSION_LIMITS,
  };
  const context: AppContext = {
    storage: options.storage,
    deviceTokens: new DeviceTokens(options.storage),
    options: { enrollSecret: options.enrollSecret, adminToken: options.adminToken, adminName: options.adminName },
    auth,
    publicUrl: options.publicUrl ?? options.oidc?.publicUrl,
    signIn: options.oidc ? new OidcSignIn(options.oidc) : undefined,
    signInLink: options.signInLink,
    registry: options.registry ?? {},
    webhookState: options.webhook ? () => options.webhook!.state() : undefined,
    now: options.now ?? (() => new Date()),
    limit: async (request, reply, caller) => {
      request.caller = caller;
      for (const bucket of rateBuckets(caller, request.ip, limits)) {
        request.rateBucket = bucket;
        const result = await check(request);
        if (result.isAllowed || !result.isExceeded) continue;
        reply.header('retry-after', String(Math.max(1, result.ttlInSeconds)));
        throw new HttpError(429, 'rate-limited', `too many requests; retry in ${Math.max(1, result.ttlInSeconds)} s`);
      }
    },
  };
  app.decorateRequest('caller', null as never);
  app.decorateRequest('rateBucket', null as never);
  // Judged from headers before the body is read; an enrollment only once its body says which secret it holds.
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url === '/v1/enroll') return;
    // The public registry reads no credential: whatever a client sends, it spends its address's registry budget
    // (its own, so a building of VS Codes browsing it never locks the console or enrollments out).
    const publicRead = request.url.startsWith('/v0.1/');
    await context.limit(
      request,
      reply,
      publicRead ? { kind: 'registry-reader' } : await identifyCaller(request, context.storage, context.deviceTokens, auth, context.now()),
    );
  });

  // Agents gzip their reports; the body limit then applies to what the stream inflates to.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const limit = request.routeOptions.bodyLimit ?? bodyLimit;
    const encoding = String(request.headers['content-encoding'] ?? '').toLowerCase();
    if (encoding === '' || encoding === 'identity') return payload;
    if (encoding !== 'gzip') throw new HttpError(415, 'unsupported-encoding', `content-encoding ${encoding} is not supported; use gzip`);
    delete request.headers['content-length'];
    // Collect the (compressed, hence small) body, then inflate it in one call, capped at the body limit.
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of payload) {
      received += (chunk as Buffer).length;
      if (received > limit) throw new HttpError(413, 'too-large', `request body over ${limit} bytes`);
      chunks.push(chunk as Buffer);
    }
    let inflated: Buffer;
    try {
      inflated = gunzipSync(Buffer.concat(chunks), { maxOutputLength: limit });
    } catch (error) {
      const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      throw tooLarge
        ? new HttpError(413, 'too-large', `request body over ${limit} bytes`)
        : new HttpError(400, 'invalid-request', 'the body is not valid gzip');
    }
    return Readable.from([inflated]);
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof HttpError) return reply.status(error.statusCode).send(errorBody(error.code, error.message));
    // The database is away (restarting, failing over): agents keep their spool and come back after Retry-After.
    if (isStorageUnavailable(error)) {
      app.log.warn(error);
      return reply
        .status(503)
        .header('retry-after', String(RETRY_AFTER_UNAVAILABLE_S))
        .send(errorBody('unavailable', 'the database cannot be reached; nothing was stored, retry later'));
    }
    // Reports are still accepted; what this read needs waits for an operator, whom the message tells what to do.
    if (error instanceof StorageNeedsOperatorError) {
      app.log.error(error);
      return reply.status(503).send(errorBody('needs-operator', error.message));
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const known: Record<number, string> = { 400: 'invalid-request', 413: 'too-large', 415: 'unsupported-media-type', 429: 'rate-limited' };
    const code =
      (error as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? 'invalid-json'
        : (known[status] ?? 'internal-error');
    if (status >= 500) app.log.error(error);
    const message =
      status >= 500
        ? 'internal error'
        : code === 'too-large'
          ? `request body over ${request.routeOptions.bodyLimit ?? bodyLimit} bytes`
          : code === 'invalid-json'
            ? 'the body is not valid JSON'
            : (error as Error).message;
    return reply.status(status).send(errorBody(code, message));
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send(errorBody('not-found', 'no such endpoint')));

  // Sign-out is a form: its fields arrive URL-encoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  await registerConsoleRoutes(app, 'consoleFolder' in options ? options.consoleFolder : builtConsoleFolder());
  registerSignInRoutes(app, context);
  registerAgentRoutes(app, context);
  await registerRegistryRoutes(app, context);
  registerAdminRoutes(app, context);
  return app;
}
