// What every route of the reference server is given: the storage, the server's secrets and names, the clock,
// the rate limiter, and the zod parsing of request parts. Apart from app.ts, so the routes need not import it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AdminAuth, Caller } from './callers.js';
import type { DeviceTokens } from './device-tokens.js';
import type { OidcSignIn } from './sign-in/oidc.js';
import type { OneTimeSignIn } from './sign-in/one-time-link.js';
import { HttpError } from './errors.js';
import type { Storage } from './storage/storage.js';
import type { WebhookState } from './events-webhook.js';

/** The organisation's MCP registry (server-command flags). */
export interface RegistryOptions {
  /** The reverse-DNS namespace entries are published under (default: the endpoint's host name reversed). */
  namespace?: string | undefined;
  /** Only addresses in these ranges may read the public registry (default: anyone). */
  allowFrom?: readonly string[] | undefined;
  /** The upstream registry followed, when one is. */
  upstream?: string | undefined;
}

export interface AppContext {
  storage: Storage;
  /** Which device each token belongs to (device-tokens.ts). */
  deviceTokens: DeviceTokens;
  options: { enrollSecret: string; adminToken: string; adminName: string };
  auth: AdminAuth;
  /** Where admins reach the endpoint, when configured (else the request's own origin counts). */
  publicUrl: string | undefined;
  /** Single sign-on, when configured. */
  signIn: OidcSignIn | undefined;
  /** The first start's one-time sign-in link, when it printed one. */
  signInLink: OneTimeSignIn | undefined;
  registry: RegistryOptions;
  /** The SIEM webhook's state, when the server streams events to one. */
  webhookState: (() => Promise<WebhookState>) | undefined;
  now: () => Date;
  /** Counts a request against its caller's budget, answering 429 with Retry-After once it is spent. */
  limit: (request: FastifyRequest, reply: FastifyReply, caller: Caller) => Promise<void>;
}

/** Parses a request part with a zod schema, answering 400 with what was wrong. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
  throw new HttpError(400, 'invalid-request', `${what}: ${issue.message}${where}`);
}

/** Where this endpoint is reached: --public-url, else the origin the request came to. */
export const endpointOrigin = (request: FastifyRequest, publicUrl: string | undefined): string =>
  publicUrl ?? `${request.protocol}://${request.host}`;
