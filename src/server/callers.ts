// Who is calling, decided once per request from its credentials, and the rate each kind may call at. A
// device's budget is spent only by requests that carry its valid token, so nobody can throttle a device by
// forging requests with its id; requests without valid credentials are counted per address instead, and
// guesses at a secret more strictly still. Enrollments with the right secret spend a budget of their address
// and one of the fleet, both sized so that 10,000 laptops behind one office address can enroll at once
// (429 + Retry-After spreads them out), while one holder of the secret cannot take the whole fleet's.
import type { FastifyRequest } from 'fastify';
import { bearerToken, hashToken, sameSecret } from './auth.js';
import { ADMIN_TOKEN_PREFIX, type AdminRole } from '../shared/admins.js';
import { type SessionLimits, sessionAdmin } from './sign-in/sessions.js';
import type { IdentifiedDevice, DeviceTokens } from './device-tokens.js';
import type { AdminSession, Storage } from './storage/storage.js';

/** An admin as a request acts for them: an account's token, a signed-in session, or the bootstrap token (an owner). */
export interface ActingAdmin {
  email: string;
  role: AdminRole;
  /** `token`: an account's API token; `session`: signed in with single sign-on; `bootstrap`: --admin-token. */
  via: 'token' | 'session' | 'bootstrap';
  /** The session, for its CSRF token. */
  session?: AdminSession;
  /** The account token used, when `via` is `token`. */
  tokenId?: string;
}

export type Caller =
  | { kind: 'device'; device: IdentifiedDevice }
  | { kind: 'admin'; admin: ActingAdmin }
  /** An enrollment with the right secret. */
  | { kind: 'enrolling' }
  /** A wrong enroll secret or admin token. */
  | { kind: 'guessing' }
  /** No credentials, or a token that is not valid for the device named in the path. */
  | { kind: 'anonymous' }
  /** A client reading the public MCP registry (whatever credentials it sends are not ours). */
  | { kind: 'registry-reader' };

/** Requests per minute, by budget. */
export interface RateLimits {
  device: number;
  admin: number;
  /** Right-secret enrollments of the whole fleet. */
  enrolling: number;
  /** Right-secret enrollments from one address (an office NAT). */
  enrollingPerAddress: number;
  guessing: number;
  anonymous: number;
  /** Reads of the public registry from one address: every VS Code behind an office NAT shares it. */
  registryReads: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  device: 600,
  admin: 1200,
  enrolling: 10_000,
  enrollingPerAddress: 5000,
  guessing: 30,
  anonymous: 1200,
  registryReads: 12_000,
};

/** A budget a request spends: its key and how many requests a minute it holds. */
export interface RateBucket {
  key: string;
  max: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
    /** The budget being checked (the rate limiter reads its key and size from here). */
    rateBucket: RateBucket;
  }
}

/** The budgets a caller spends: its own for a device, its address's and the fleet's for enrollments, its address's otherwise. */
export function rateBuckets(caller: Caller, ip: string, limits: RateLimits): RateBucket[] {
  switch (caller.kind) {
    case 'device':
      return [{ key: `device:${caller.device.id}`, max: limits.device }];
    case 'admin':
      return [{ key: `admin:${caller.admin.email}`, max: limits.admin }];
    case 'enrolling':
      return [
        { key: `enrolling:${ip}`, max: limits.enrollingPerAddress },
        { key: 'enrollments', max: limits.enrolling },
      ];
    case 'guessing':
      return [{ key: `guessing:${ip}`, max: limits.guessing }];
    case 'anonymous':
      return [{ key: `address:${ip}`, max: limits.anonymous }];
    case 'registry-reader':
      return [{ key: `registry:${ip}`, max: limits.registryReads }];
  }
}

/** A token's last use is written at most this often: not a write on every admin request. */
const TOKEN_USE_PRECISION_MS = 60_000;

/** How admins prove who they are: the bootstrap token (--admin-token) and whom it speaks for; sessions' ends. */
export interface AdminAuth {
  bootstrap: { token: string; name: string };
  sessions: SessionLimits;
}

/** An admin token: the bootstrap one, or an account's (looked up by its hash; its use recorded). */
async function adminCaller(token: string, storage: Storage, bootstrap: AdminAuth['bootstrap'], now: Date): Promise<Caller> {
  if (sameSecret(token, bootstrap.token)) return { kind: 'admin', admin: { email: bootstrap.name, role: 'owner', via: 'bootstrap' } };
  if (!token.startsWith(ADMIN_TOKEN_PREFIX)) return { kind: 'guessing' };
  const found = await storage.admins.byTokenHash(hashToken(token));
  if (!found) return { kind: 'guessing' };
  const lastUsed = found.token.lastUsedAt ? Date.parse(found.token.lastUsedAt) : 0;
  if (now.getTime() - lastUsed >= TOKEN_USE_PRECISION_MS) await storage.admins.touchToken(found.token.id, now.toISOString());
  return { kind: 'admin', admin: { email: found.admin.email, role: found.admin.role, via: 'token', tokenId: found.token.id } };
}

/** The caller of an agent or admin request, from its headers (enrollment is judged by its body: enrollCaller). */
export async function identifyCaller(
  request: FastifyRequest,
  storage: Storage,
  devices: DeviceTokens,
  auth: AdminAuth,
  now: Date,
): Promise<Caller> {
  const token = bearerToken(request.headers.authorization);
  const route = request.routeOptions.url ?? request.url;
  // The admin API, sign-in and the page that says who is signed in.
  if (route === '/' || route.startsWith('/v1/admin/') || route.startsWith('/auth/')) {
    if (token) return adminCaller(token, storage, auth.bootstrap, now);
    const signedIn = await sessionAdmin(request, storage, auth.sessions, now, auth.bootstrap.token);
    if (!signedIn) return { kind: 'anonymous' };
    return { kind: 'admin', admin: { email: signedIn.email, role: signedIn.role, via: 'session', session: signedIn.session } };
  }
  const { id } = (request.params ?? {}) as { id?: string };
  if (!token || id === undefined) return { kind: 'anonymous' };
  const device = await devices.identify(hashToken(token));
  return device && device.id === id ? { kind: 'device', device } : { kind: 'anonymous' };
}

export function enrollCaller(body: unknown, enrollSecret: string): Caller {
  const secret = (body as { secret?: unknown } | null)?.secret;
  return typeof secret === 'string' && sameSecret(secret, enrollSecret) ? { kind: 'enrolling' } : { kind: 'guessing' };
}
