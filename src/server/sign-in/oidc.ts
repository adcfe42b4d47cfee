// Single sign-on with OpenID Connect, through openid-client: the authorization code flow with PKCE, state
// and nonce, then the ID token's verified email decides who signs in. The provider's metadata is fetched
// once, when the first admin signs in (a provider that is down then is said, and tried again next time).
import * as client from 'openid-client';
import { ADMIN_ROLES, type AdminRole } from '../../shared/admins.js';

export interface OidcOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where admins reach this endpoint (its callback is `<publicUrl>/auth/callback`). */
  publicUrl: string;
  /** Email domains that may sign in; empty: any the provider vouches for. */
  allowedDomains: readonly string[];
  /** An ID token claim (`groups`, `roles`, …) whose values map to roles for admins without an account. */
  roleClaim?: string | undefined;
  /** Scopes to ask for besides `openid email profile` (some providers give groups only for a scope of theirs). */
  scopes?: readonly string[] | undefined;
  roleMap: Readonly<Record<string, AdminRole>>;
}

/** What a sign-in needs to remember between leaving for the provider and coming back. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  /** Where to go once signed in: a path on this endpoint. */
  next: string;
}

export interface SignedIn {
  email: string;
  /** The best role the claim maps to, if any. */
  claimRole?: AdminRole | undefined;
}

export class SignInRefused extends Error {}

/** Loopback providers (tests, a trial) may speak plain HTTP; any other must be HTTPS. */
const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

export class OidcSignIn {
  private configuration: Promise<client.Configuration> | undefined;
  readonly callbackUrl: string;

  constructor(private readonly options: OidcOptions) {
    this.callbackUrl = new URL('/auth/callback', options.publicUrl).toString();
  }

  private async config(): Promise<client.Configuration> {
    this.configuration ??= (async () => {
      const issuer = new URL(this.options.issuer);
      const insecure = issuer.protocol === 'http:' && isLoopback(issuer);
      return client.discovery(issuer, this.options.clientId, this.options.clientSecret, undefined, {
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
    })();
    try {
      return await this.configuration;
    } catch (error) {
      this.configuration = undefined;
      throw new Error(`the identity provider ${this.options.issuer} cannot be reached: ${(error as Error).message}`);
    }
  }

  /** The provider's sign-in page to send the browser to, and what to keep until it comes back. */
  async start(next: string): Promise<{ url: string; pending: PendingSignIn }> {
    const config = await this.config();
    const pending: PendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      next,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.callbackUrl,
      scope: ['openid', 'email', 'profile', ...(this.options.scopes ?? [])].join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.toString(), pending };
  }

  /** Checks the provider's answer (the callback URL as the browser reached it) and says who signed in. */
  async finish(callback: URL, pending: PendingSignIn): Promise<SignedIn> {
    const config = await this.config();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    let claims: Record<string, unknown> = tokens.claims() ?? {};
    // Providers may give the email and groups only from their userinfo endpoint (the spec allows either).
    const missing = claims.email === undefined || (this.options.roleClaim !== undefined && claims[this.options.roleClaim] === undefined);
    if (missing && typeof claims.sub === 'string')
      claims = { ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
    const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
    if (!email) throw new SignInRefused('the identity provider gave no email address for this account');
    // Only an address the provider vouches for: one a user could type in themselves would be anyone's.
    if (claims.email_verified !== true && claims.email_verified !== 'true')
      throw new SignInRefused(`the identity provider has not verified ${email} (its email_verified claim)`);
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (this.options.allowedDomains.length && !this.options.allowedDomains.includes(domain))
      throw new SignInRefused(`${email} is not in a domain allowed to sign in (${this.options.allowedDomains.join(', ')})`);
    return { email, claimRole: this.claimRole(claims) };
  }

  private claimRole(claims: Record<string, unknown>): AdminRole | undefined {
    if (!this.options.roleClaim) return undefined;
    const value = claims[this.options.roleClaim];
    const values = (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
    const roles = values.map((item) => this.options.roleMap[item]).filter((role): role is AdminRole => role !== undefined);
    return roles.sort((a, b) => ADMIN_ROLES.indexOf(b) - ADMIN_ROLES.indexOf(a))[0];
  }
}
