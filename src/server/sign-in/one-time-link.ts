// The link `mcp-warden server` prints on its first start: it signs the owner in once, within minutes, and
// then means nothing. Only its hash is held, in this process (the first start is one process).
import { randomBytes } from 'node:crypto';
import { hashToken, sameSecret } from '../auth.js';

/** How long a printed link stays good. */
export const ONE_TIME_LINK_MS = 15 * 60_000;

export class OneTimeSignIn {
  private issued: { hash: string; expiresAt: number } | undefined;

  /** A new code (the one before it no longer works). */
  issue(now: Date): string {
    const code = randomBytes(24).toString('base64url');
    this.issued = { hash: hashToken(code), expiresAt: now.getTime() + ONE_TIME_LINK_MS };
    return code;
  }

  /** Whether a code was issued and is neither used nor too old. */
  pending(now: Date): boolean {
    return this.issued !== undefined && now.getTime() <= this.issued.expiresAt;
  }

  /** True once for the code issued, while it is good; never again. */
  take(code: string, now: Date): boolean {
    const issued = this.issued;
    if (!issued || now.getTime() > issued.expiresAt || !sameSecret(hashToken(code), issued.hash)) return false;
    this.issued = undefined;
    return true;
  }
}
