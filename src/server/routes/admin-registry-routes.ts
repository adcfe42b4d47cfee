// The admin side of the organisation's MCP registry: preview and publish a server the fleet runs (owners and
// approvers), list and take out entries, what laptops do with the registry (owners), and what following an
// upstream registry raised.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { REGISTRY_MODES } from '../../shared/registry.js';
import type { RegistrySettingsView } from '../../shared/admin-api.js';
import { type AppContext, endpointOrigin, parse } from '../context.js';
import { HttpError } from '../errors.js';
import { PageQuery, pagerFor } from '../paging.js';
import { currentPolicy } from '../policy-store.js';
import { type EntryRequest, buildEntry, registryNamespace } from '../registry-entry.js';
import { actingAdmin } from '../roles.js';
import { RegistryBlockedError, RegistryConflictError } from '../storage/storage.js';

const text = z.string().min(1).max(500);

const PublishInput = z.strictObject({
  serverKey: z.string().min(1).max(2000),
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().trim().max(100, 'description: at most 100 characters').optional(),
  version: z.string().trim().min(1).max(255).optional(),
});
const EntryQuery = z.strictObject({ ...PageQuery, server: text.optional(), q: text.optional() });
const AlertQuery = z.strictObject(PageQuery);
const SettingsInput = z.strictObject({ mode: z.enum(REGISTRY_MODES), upstreamBlocks: z.boolean().optional() });

export function registerAdminRegistryRoutes(admin: FastifyInstance, context: AppContext): void {
  const { storage } = context;
  const pager = pagerFor(() => storage.sharedSecret('cursor'));

  /** The entry a server would be published as, from what the fleet runs now. */
  async function entryFor(input: EntryRequest, origin: string) {
    const [byAgent, devices, probe, policy] = await Promise.all([
      storage.fleetServer(input.serverKey),
      storage.serverDevices(input.serverKey, undefined, { sort: 'firstSeen', descending: true, limit: 200 }),
      storage.latestProbe(input.serverKey),
      currentPolicy(storage),
    ]);
    return buildEntry(
      input,
      { byAgent, entries: devices.items.map((row) => row.server), probe },
      { policy, namespace: registryNamespace(context.registry.namespace, origin), now: context.now() },
    );
  }

  admin.get('/registry/settings', async (request): Promise<RegistrySettingsView> => {
    const settings = await storage.policySettings();
    const origin = endpointOrigin(request, context.publicUrl);
    let namespace: string | undefined;
    try {
      namespace = registryNamespace(context.registry.namespace, origin);
    } catch {
      namespace = undefined;
    }
    return {
      mode: settings.registryMode ?? 'off',
      upstreamBlocks: settings.upstreamBlocks ?? false,
      url: origin,
      ...(namespace ? { namespace } : {}),
      ...(context.registry.upstream ? { upstream: context.registry.upstream } : {}),
      ...(context.registry.allowFrom ? { allowFrom: [...context.registry.allowFrom] } : {}),
    };
  });

  admin.put('/registry/settings', { config: { role: 'owner' } }, async (request, reply) => {
    const input = parse(SettingsInput, request.body, 'registry settings');
    await storage.setPolicySettings(
      (current) => ({
        ...current,
        registryMode: input.mode,
        ...(input.upstreamBlocks !== undefined ? { upstreamBlocks: input.upstreamBlocks } : {}),
      }),
      actingAdmin(request).email,
      context.now().toISOString(),
    );
    return reply.status(204).send();
  });

  admin.post('/registry/preview', { config: { role: 'approver' } }, async (request) => {
    const input = parse(PublishInput, request.body, 'entry');
    return entryFor(input, endpointOrigin(request, context.publicUrl));
  });

  admin.post('/registry', { config: { role: 'approver' } }, async (request, reply) => {
    const input = parse(PublishInput, request.body, 'entry');
    const by = actingAdmin(request).email;
    const { server } = await entryFor(input, endpointOrigin(request, context.publicUrl));
    const now = context.now().toISOString();
    try {
      await storage.registry.publish(
        { name: server.name, version: server.version, serverKey: input.serverKey, server, publishedAt: now, publishedBy: by },
        now,
      );
    } catch (error) {
      if (error instanceof RegistryConflictError) throw new HttpError(409, 'conflict', error.message);
      if (error instanceof RegistryBlockedError) throw new HttpError(409, 'blocked', `${error.message}; approve it before publishing`);
      throw error;
    }
    return reply.status(201).send(server);
  });

  admin.get('/registry', async (request) => {
    const query = parse(EntryQuery, request.query, 'query');
    const pages = await pager('registry-admin', query, ['name'], 'name');
    const page = await storage.registry.entries({ serverKey: query.server, search: query.q }, pages.request);
    return pages.body(page, (entry) => entry);
  });

  admin.delete('/registry/:name', { config: { role: 'approver' } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    if (!(await storage.registry.unpublish(name, actingAdmin(request).email, context.now().toISOString())))
      throw new HttpError(404, 'not-found', `no registry entry ${name}`);
    return reply.status(204).send();
  });

  admin.get('/registry/alerts', async (request) => {
    const query = parse(AlertQuery, request.query, 'query');
    const pages = await pager('registry-alerts', query, ['at'], '-at');
    return pages.body(await storage.registry.alerts(pages.request), (alert) => alert);
  });
}
