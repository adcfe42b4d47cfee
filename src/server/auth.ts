// Credentials of the reference server: device and admin account tokens (random, stored only as sha256) and
// the bootstrap admin token.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ADMIN_TOKEN_PREFIX } from '../shared/admins.js';

export function newDeviceToken(): string {
  return randomBytes(32).toString('base64url');
}

/** An admin account's API token: prefixed (admins.ts), so that a leaked one is recognisable. */
export function newAdminToken(): string {
  return `${ADMIN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** Constant-time comparison, so response times say nothing about how much of a guess was right. */
export function sameSecret(given: string, expected: string): boolean {
  const a = hash('sha256', given, 'buffer');
  const b = hash('sha256', expected, 'buffer');
  return timingSafeEqual(a, b);
}

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}
