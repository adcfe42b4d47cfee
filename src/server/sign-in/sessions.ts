// Browser sessions of admins who signed in with single sign-on or with an admin token. The cookie is 256 random bits, HttpOnly,
// Secure, SameSite=Lax and host-only (`__Host-`); the database keeps only its sha256, with the session's
// role, CSRF token and ends (idle and absolute). A role that came from an admin account is read from the
// account on every request, so removing the account or changing its role takes effect at once; a session
// made from a token ends when that token is revoked (or, for the bootstrap token, changed).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminRole } from '../../shared/admins.js';
import { hashToken } from '../auth.js';
import { HttpError } from '../errors.js';
import type { AdminSession, Storage } from '../storage/storage.js';
import type {} from '@fastify/cookie';
import type { PendingSignIn } from './oidc.js';

export const SESSION_COOKIE = '__Host-mcp-warden-session';
export const SIGN_IN_COOKIE = '__Host-mcp-warden-sign-in';

export interface SessionLimits {
  /** Ends after this long without a request. */
  idleMs: number;
  /** Ends this long after sign-in, however active. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

/** Last use is written at most this often (and at least twice per idle limit). */
const TOUCH_PRECISION_MS = 60_000;
/** A sign-in must come back from the provider within this. */
const SIGN_IN_MAX_AGE_S = 600;

const cookieOptions = { httpOnly: true, secure: true, sameSite: 'lax', path: '/' } as const;

export interface SessionAdmin {
  email: string;
  role: AdminRole;
  session: AdminSession;
  idHash: string;
}

/** The role someone signing in gets: their account's, else what their claim maps to, else none (refused). */
export async function roleFor(storage: Storage, email: string, claimRole: AdminRole | undefined) {
  const account = await storage.admins.byEmail(email);
  if (account) return { role: account.role, roleSource: 'account' as const };
  if (claimRole) return { role: claimRole, roleSource: 'claim' as const };
  return undefined;
}

export async function startSession(
  reply: FastifyReply,
  storage: Storage,
  who: Pick<AdminSession, 'email' | 'role' | 'roleSource' | 'credential'>,
  limits: SessionLimits,
  now: Date,
): Promise<void> {
  const id = randomBytes(32).toString('base64url');
  await storage.admins.startSession(hashToken(id), {
    ...who,
    csrfToken: randomBytes(32).toString('base64url'),
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + limits.absoluteMs).toISOString(),
  });
  reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions, maxAge: Math.round(limits.absoluteMs / 1000) });
}

/** What a session made from a token records, so that it ends when that token does. */
export const tokenCredential = (tokenId: string) => `token:${tokenId}`;
export const bootstrapCredential = (bootstrapToken: string) => `bootstrap:${hashToken(bootstrapToken)}`;

/** A session of the bootstrap token (--admin-token): the owner it speaks for, until the token changes. */
export const bootstrapSession = (bootstrap: {
  token: string;
  name: string;
}): Pick<AdminSession, 'email' | 'role' | 'roleSource' | 'credential'> => ({
  email: bootstrap.name,
  role: 'owner',
  roleSource: 'bootstrap',
  credential: bootstrapCredential(bootstrap.token),
});

/** The admin a request's session cookie signs in, if it is live; an ended one is removed. */
export async function sessionAdmin(
  request: FastifyRequest,
  storage: Storage,
  limits: SessionLimits,
  now: Date,
  bootstrapToken: string,
): Promise<SessionAdmin | undefined> {
  const id = request.cookies[SESSION_COOKIE];
  if (!id) return undefined;
  const idHash = hashToken(id);
  const session = await storage.admins.session(idHash);
  if (!session) return undefined;
  const idle = now.getTime() - Date.parse(session.lastSeenAt) > limits.idleMs;
  if (idle || now.toISOString() >= session.expiresAt) {
    await storage.admins.endSession(idHash);
    return undefined;
  }
  // An account, once there is one, decides the role: made later, or removed (which ends an account's session).
  const account = await storage.admins.byEmail(session.email);
  // The account is gone, or the token the session was made from was revoked, or --admin-token changed.
  const credential = session.credential;
  const tokenLive =
    !credential?.startsWith('token:') || account?.tokens.some((token) => tokenCredential(token.id) === credential && !token.revokedAt);
  const bootstrapLive = !credential?.startsWith('bootstrap:') || credential === bootstrapCredential(bootstrapToken);
  if ((!account && session.roleSource === 'account') || !tokenLive || !bootstrapLive) {
    await storage.admins.endSession(idHash);
    return undefined;
  }
  const role = account?.role ?? session.role;
  if (now.getTime() - Date.parse(session.lastSeenAt) >= Math.min(TOUCH_PRECISION_MS, limits.idleMs / 2))
    await storage.admins.touchSession(idHash, now.toISOString());
  return { email: session.email, role, session, idHash };
}

export async function endSession(request: FastifyRequest, reply: FastifyReply, storage: Storage): Promise<void> {
  const id = request.cookies[SESSION_COOKIE];
  if (id) await storage.admins.endSession(hashToken(id));
  reply.clearCookie(SESSION_COOKIE, cookieOptions);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A change made with a session cookie must carry the session's CSRF token (the `X-CSRF-Token` header; the
 * `csrf` field of the sign-out form, whose body is read by then) and, when the browser says where it comes
 * from, come from this endpoint's origin.
 */
export function checkCsrf(request: FastifyRequest, session: AdminSession, publicUrl: string): void {
  if (!UNSAFE.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin && origin !== new URL(publicUrl).origin)
    throw new HttpError(403, 'csrf', `a change from ${origin} is refused: only pages of ${new URL(publicUrl).origin} may make changes`);
  const header = request.headers['x-csrf-token'];
  const given = typeof header === 'string' ? header : (request.body as { csrf?: unknown } | undefined)?.csrf;
  const expected = Buffer.from(session.csrfToken);
  const actual = Buffer.from(typeof given === 'string' ? given : '');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new HttpError(403, 'csrf', 'this change needs the X-CSRF-Token header of your session (its csrfToken, from GET /v1/admin/me)');
}

/** The pending sign-in, kept in a short-lived cookie signed with a secret every server process shares. */
export function keepPendingSignIn(reply: FastifyReply, pending: PendingSignIn, secret: Buffer, now: Date): void {
  const body = Buffer.from(JSON.stringify({ ...pending, issuedAt: now.getTime() })).toString('base64url');
  const signature = createHmac('sha256', secret).update(body).digest('base64url');
  reply.setCookie(SIGN_IN_COOKIE, `${body}.${signature}`, { ...cookieOptions, maxAge: SIGN_IN_MAX_AGE_S });
}

/** The pending sign-in of this browser, if its signature holds and it is not older than its cookie may live. */
export function takePendingSignIn(request: FastifyRequest, reply: FastifyReply, secret: Buffer, now: Date): PendingSignIn | undefined {
  reply.clearCookie(SIGN_IN_COOKIE, cookieOptions);
  const [body, signature] = (request.cookies[SIGN_IN_COOKIE] ?? '').split('.');
  if (!body || !signature) return undefined;
  const expected = Buffer.from(createHmac('sha256', secret).update(body).digest('base64url'));
  const actual = Buffer.from(signature);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  const { issuedAt, ...pending } = JSON.parse(Buffer.from(body, 'base64url').toString()) as PendingSignIn & { issuedAt: number };
  return now.getTime() - issuedAt <= SIGN_IN_MAX_AGE_S * 1000 ? pending : undefined;
}
