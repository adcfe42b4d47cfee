// Single sign-on as an admin lives it, in Chromium: a real OpenID provider (oidc-provider, started here) and
// the endpoint on loopback. Signing in, the role from the account or the group claim, a refused domain, no
// role at all, the session cookie's attributes, CSRF on changes, idle expiry, and signing out.
import { rmSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import Provider from 'oidc-provider';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/app.js';
import { hashToken } from '../../src/server/auth.js';
import { openStorage } from '../../src/server/storage/open-storage.js';
import type { Storage } from '../../src/server/storage/storage.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/probe-home.js';
import { REPO } from '../helpers/machines.js';

/** Who the provider knows, and the groups it says they are in. */
const GROUPS: Record<string, string[]> = {
  'alice@corp.example': ['warden-approvers'],
  'olga@corp.example': [],
  'nobody@corp.example': ['marketing'],
  'mallory@other.example': ['warden-approvers'],
};

let provider: Server;
let app: FastifyInstance;
let storage: Storage;
let browser: Browser;
let base: string;
let folder: string;
let clock = Date.now();

beforeAll(async () => {
  const [providerPort, serverPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${serverPort}`;
  const issuer = `http://127.0.0.1:${providerPort}`;
  const oidc = new Provider(issuer, {
    clients: [
      {
        client_id: 'mcp-warden',
        client_secret: 'client-secret',
        redirect_uris: [`${base}/auth/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    findAccount: async (_context, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: id, email_verified: true, groups: GROUPS[id] ?? [] }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    pkce: { required: () => true },
    cookies: { keys: ['test-cookie-key'] },
  });
  provider = oidc.listen(providerPort, '127.0.0.1');

  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-sign-in-'));
  storage = await openStorage({ dialect: 'sqlite', file: path.join(folder, 'mcp-warden.sqlite') }, { eventRetentionDays: 30 });
  await storage.admins.add('olga@corp.example', 'owner', 'cli:test', new Date().toISOString(), { name: 'default', hash: hashToken('x') });
  app = await buildServer({
    storage,
    enrollSecret: 'enroll-secret',
    adminToken: 'bootstrap-token',
    adminName: 'it@corp.example',
    now: () => new Date(clock),
    consoleFolder: path.join(REPO, 'dist', 'console'),
    oidc: {
      issuer,
      clientId: 'mcp-warden',
      clientSecret: 'client-secret',
      publicUrl: base,
      allowedDomains: ['corp.example'],
      roleClaim: 'groups',
      roleMap: { 'warden-approvers': 'approver' },
      scopes: ['groups'],
    },
  });
  await app.listen({ port: serverPort, host: '127.0.0.1' });
  if (hasChromium || process.env.CI) browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await storage?.close();
  await new Promise((resolve) => provider?.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

/** Signs in through the provider's own pages, as a person would: from the start page, or a link with `next`. */
async function signIn(page: Page, email: string, next?: string) {
  if (next) await page.goto(`${base}/auth/login?next=${encodeURIComponent(next)}`);
  else {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
  }
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  // The provider asks once whether to share the email and groups with MCP Warden.
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.origin === base);
}

const inPage = (page: Page, method: string, route: string, headers: Record<string, string> = {}, body?: unknown) =>
  page.evaluate(
    async ({ method, route, headers, body }) => {
      const response = await fetch(route, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined };
    },
    { method, route, headers, body },
  );

describe.skipIf(!hasChromium && !process.env.CI)('single sign-on in Chromium', () => {
  it('signs an approver in by group, keeps the session in a locked-down cookie, checks CSRF on changes, and signs out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'alice@corp.example');
    await page.locator('.who', { hasText: 'alice@corp.example' }).waitFor();
    expect(await page.locator('.who').innerText()).toMatch(/^alice@corp\.example\s+Approver\s+Sign out$/);
    await page.screenshot({ path: path.join(folder, 'signed-in.png') });

    const [cookie] = (await context.cookies(base)).filter((item) => item.name === '__Host-mcp-warden-session');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    const me = await inPage(page, 'GET', '/v1/admin/me');
    expect(me.body).toMatchObject({ email: 'alice@corp.example', role: 'approver', via: 'session', csrfToken: expect.any(String) });

    const rule = { target: { serverKey: 'npm:fs' }, agents: ['*'], verdict: 'block', justification: 'not reviewed' };
    expect(await inPage(page, 'POST', '/v1/admin/rules', {}, rule)).toMatchObject({ status: 403, body: { error: { code: 'csrf' } } });
    const made = await inPage(page, 'POST', '/v1/admin/rules', { 'x-csrf-token': me.body!.csrfToken as string }, rule);
    expect(made).toMatchObject({ status: 201, body: { markedBy: 'alice@corp.example' } });
    // An approver's session may not change settings either.
    expect(
      await inPage(page, 'PUT', '/v1/admin/policy/settings', { 'x-csrf-token': me.body!.csrfToken as string }, { defaultVerdict: 'block' }),
    ).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in with SSO' }).waitFor();
    expect((await inPage(page, 'GET', '/v1/admin/me')).status).toBe(401);
    await context.close();
  });

  it('gives an admin with an account the account’s role, and ends an idle session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'olga@corp.example');
    await page.locator('.who', { hasText: 'olga@corp.example' }).waitFor();
    expect(await page.locator('.who').innerText()).toMatch(/^olga@corp\.example\s+Owner/);
    clock += 31 * 60_000;
    expect((await inPage(page, 'GET', '/v1/admin/me')).status).toBe(401);
    await context.close();
  });

  it('refuses an email outside the allowed domains, and a person with no role, saying why', async () => {
    for (const [email, refusal] of [
      ['mallory@other.example', 'mallory@other.example is not in a domain allowed to sign in (corp.example)'],
      ['nobody@corp.example', 'nobody@corp.example has no MCP Warden role'],
    ] as const) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await signIn(page, email);
      expect(await page.locator('body').innerText()).toContain(refusal);
      expect((await inPage(page, 'GET', '/v1/admin/me')).status).toBe(401);
      await context.close();
    }
  });

  it('follows the accounts list into live sessions, lets an owner end them, and never sends a browser to another site', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'alice@corp.example', '/\\evil.example/x');
    expect(new URL(page.url()).pathname).toBe('/');

    // An account made for her now decides her role, in the session she already has.
    const owner = { authorization: 'Bearer bootstrap-token' };
    await fetch(`${base}/v1/admin/admins`, {
      method: 'POST',
      headers: { ...owner, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'alice@corp.example', role: 'viewer' }),
    });
    expect((await inPage(page, 'GET', '/v1/admin/me')).body).toMatchObject({ role: 'viewer' });
    await fetch(`${base}/v1/admin/admins/alice@corp.example`, { method: 'DELETE', headers: owner });
    expect((await inPage(page, 'GET', '/v1/admin/me')).status).toBe(401);

    await context.close();

    // Someone whose role is their group's: an owner ends their sessions.
    const again = await browser.newContext();
    const second = await again.newPage();
    await signIn(second, 'alice@corp.example');
    expect((await inPage(second, 'GET', '/v1/admin/me')).body).toMatchObject({ role: 'approver' });
    const ended = await fetch(`${base}/v1/admin/sessions/alice@corp.example`, { method: 'DELETE', headers: owner });
    expect(await ended.json()).toEqual({ ended: 1 });
    expect((await inPage(second, 'GET', '/v1/admin/me')).status).toBe(401);
    await again.close();
  });

  it('refuses a change posted by another site’s page with the session cookie', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'olga@corp.example');
    const csrfToken = (await inPage(page, 'GET', '/v1/admin/me')).body!.csrfToken as string;
    // Even holding the token, a request that says it comes from elsewhere is refused.
    const forged = await fetch(`${base}/v1/admin/policy/settings`, {
      method: 'PUT',
      headers: {
        cookie: (await context.cookies(base)).map((item) => `${item.name}=${item.value}`).join('; '),
        origin: 'https://evil.example',
        'x-csrf-token': csrfToken,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ defaultVerdict: 'allow' }),
    });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ error: { code: 'csrf', message: expect.stringContaining('https://evil.example') } });
    await context.close();
  });
});
