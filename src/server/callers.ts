// Who is calling, decided once per request from its credentials, and the rate each kind may call at. A
// device's budget is spent only by requests that carry its valid token, so nobody can throttle a device by
// forging requests with its id; requests without valid credentials are counted per address instead, and
// guesses at a secret more strictly still. Enrollments with the right secret share one fleet-wide budget, so
// 10,000 laptops behind one office address can enroll at once (429 + Retry-After spreads them out).
import type { FastifyRequest } from 'fastify';
import { bearerToken, hashToken, sameSecret } from './auth.js';
import type { DeviceRecord, Storage } from './storage/storage.js';

export type Caller =
  | { kind: 'device'; device: DeviceRecord }
  | { kind: 'admin' }
  /** An enrollment with the right secret. */
  | { kind: 'enrolling' }
  /** A wrong enroll secret or admin token. */
  | { kind: 'guessing' }
  /** No credentials, or a token that is not valid for the device named in the path. */
  | { kind: 'anonymous' };

/** Requests per minute, by kind of caller. */
export type RateLimits = Record<Caller['kind'], number>;

export const DEFAULT_RATE_LIMITS: RateLimits = { device: 600, admin: 1200, enrolling: 6000, guessing: 30, anonymous: 1200 };

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

/** The budget a caller spends: its own for a device, the fleet's for enrollments, its address's otherwise. */
export function rateKey(caller: Caller, ip: string): string {
  switch (caller.kind) {
    case 'device':
      return `device:${caller.device.id}`;
    case 'admin':
      return 'admin';
    case 'enrolling':
      return 'enrollments';
    case 'guessing':
      return `guessing:${ip}`;
    case 'anonymous':
      return `address:${ip}`;
  }
}

/** The caller of an agent or admin request, from its headers (enrollment is judged by its body: enrollCaller). */
export function identifyCaller(request: FastifyRequest, storage: Storage, adminToken: string): Caller {
  const token = bearerToken(request.headers.authorization);
  if (request.url.startsWith('/v1/admin/')) {
    if (!token) return { kind: 'anonymous' };
    return sameSecret(token, adminToken) ? { kind: 'admin' } : { kind: 'guessing' };
  }
  const { id } = (request.params ?? {}) as { id?: string };
  if (!token || id === undefined) return { kind: 'anonymous' };
  const device = storage.deviceByTokenHash(hashToken(token));
  return device && device.id === id ? { kind: 'device', device } : { kind: 'anonymous' };
}

export function enrollCaller(body: unknown, enrollSecret: string): Caller {
  const secret = (body as { secret?: unknown } | null)?.secret;
  return typeof secret === 'string' && sameSecret(secret, enrollSecret) ? { kind: 'enrolling' } : { kind: 'guessing' };
}
