// The admin API's people: who is calling (`/me`), the admin accounts and their tokens (owners change them;
// a token is shown once, when it is made), and the history of every admin change, paged and filtered by
// admin, server, agent, capability, action and time.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN_ACTIONS, AdminAccountInput } from '../../shared/admins.js';
import { hashToken, newAdminToken } from '../auth.js';
import { type AppContext, parse } from '../context.js';
import { HttpError } from '../errors.js';
import { PageQuery, pagerFor } from '../paging.js';
import { actingAdmin } from '../roles.js';
import { ADMIN_ACTION_SORTS, AdminExistsError } from '../storage/storage.js';

const text = z.string().min(1).max(500);
const time = z.iso.datetime({ offset: true });
const TokenInput = z.strictObject({ name: z.string().trim().min(1).max(100).default('default') });
const HistoryQuery = z.strictObject({
  ...PageQuery,
  admin: text.optional(),
  server: text.optional(),
  agent: text.optional(),
  capability: text.optional(),
  action: z.enum(ADMIN_ACTIONS).optional(),
  from: time.optional(),
  to: time.optional(),
});

export function registerAdminAccountRoutes(admin: FastifyInstance, context: AppContext): void {
  const accounts = context.storage.admins;
  const pager = pagerFor(() => context.storage.sharedSecret('cursor'));
  const now = () => context.now().toISOString();

  admin.get('/me', async (request) => {
    const { email, role, via, session } = actingAdmin(request);
    const account = via === 'bootstrap' ? undefined : await accounts.byEmail(email);
    return {
      email,
      role,
      via,
      ...(account ? { tokens: account.tokens } : {}),
      // A signed-in page sends this back on every change (X-CSRF-Token).
      ...(session ? { csrfToken: session.csrfToken, sessionEndsAt: session.expiresAt } : {}),
    };
  });

  admin.get('/admins', async () => ({ items: await accounts.list() }));

  admin.post('/admins', { config: { role: 'owner' } }, async (request, reply) => {
    const input = parse(AdminAccountInput, request.body, 'admin');
    const by = actingAdmin(request).email;
    try {
      const token = newAdminToken();
      const account = await accounts.add(input.email, input.role, by, now(), { name: 'default', hash: hashToken(token) });
      // The only time the token is shown: only its hash is kept.
      return reply.status(201).send({ admin: account, token });
    } catch (error) {
      if (error instanceof AdminExistsError) throw new HttpError(409, 'conflict', error.message);
      throw error;
    }
  });

  admin.delete('/admins/:email', { config: { role: 'owner' } }, async (request, reply) => {
    const email = (request.params as { email: string }).email.toLowerCase();
    const acting = actingAdmin(request);
    if (acting.email === email) throw new HttpError(409, 'conflict', 'an admin cannot remove their own account; ask another owner');
    if (!(await accounts.remove(email, acting.email, now()))) throw new HttpError(404, 'not-found', `no admin ${email}`);
    return reply.status(204).send();
  });

  // Each admin makes their own tokens, with a token: a token made for someone else would let its maker act
  // as them, and one made from a browser session would outlive the session (and the provider's say).
  admin.post('/admins/:email/tokens', { config: { role: 'viewer' } }, async (request, reply) => {
    const email = (request.params as { email: string }).email.toLowerCase();
    const acting = actingAdmin(request);
    if (acting.email !== email)
      throw new HttpError(
        403,
        'forbidden',
        `an admin makes their own tokens; ${email} can, or \`mcp-warden server admin token\` on the endpoint`,
      );
    if (acting.via === 'session')
      throw new HttpError(
        403,
        'forbidden',
        'API tokens are made with an API token or `mcp-warden server admin token`, not from a signed-in browser',
      );
    const { name } = parse(TokenInput, request.body ?? {}, 'token');
    if (!(await accounts.byEmail(email))) throw new HttpError(404, 'not-found', `no admin ${email}`);
    const token = newAdminToken();
    const issued = await accounts.issueToken(email, name, hashToken(token), acting.email, now());
    return reply.status(201).send({ ...issued, token });
  });

  // Someone whose role comes from the provider's groups has no account to remove: their sessions end here.
  admin.delete('/sessions/:email', { config: { role: 'owner' } }, async (request) => {
    const email = (request.params as { email: string }).email.toLowerCase();
    return { ended: await accounts.endSessionsOf(email) };
  });

  admin.get('/history', async (request) => {
    const query = parse(HistoryQuery, request.query, 'query');
    const pages = await pager('history', query, ADMIN_ACTION_SORTS, '-at');
    const page = await accounts.history(
      {
        admin: query.admin,
        serverKey: query.server,
        agent: query.agent,
        capability: query.capability,
        action: query.action,
        from: query.from,
        to: query.to,
      },
      pages.request,
    );
    return pages.body(page, (action) => action);
  });
}
