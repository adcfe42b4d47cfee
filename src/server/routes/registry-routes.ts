// The organisation's MCP registry, read side, exactly as the official API v0.1 has it (VS Code's and GitHub
// Copilot's gallery read it): the list with cursor, limit, search, updated_since and version; every version of
// a name; one version, or `latest`. Public (the clients send no credentials), CORS for any origin, and
// optionally only from the organisation's network. Errors are the registry's `{ "error": "…" }`.
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OFFICIAL_META, type ServerList, type ServerResponse } from '../../shared/registry.js';
import { ipInRanges } from '../../shared/policy.js';
import type { AppContext } from '../context.js';
import { parse } from '../context.js';
import { HttpError } from '../errors.js';
import { pagerFor } from '../paging.js';
import type { RegistryEntry } from '../storage/storage.js';

/** The official registry's page sizes. */
const LIMIT = { default: 30, max: 100 } as const;

const ListQuery = z.object({
  cursor: z.string().max(4096).optional(),
  limit: z.string().regex(/^\d+$/, 'limit must be a whole number').optional(),
  // An empty search (a client's cleared search box) searches for nothing in particular.
  search: z
    .string()
    .max(200)
    .optional()
    .transform((text) => text || undefined),
  updated_since: z.iso.datetime({ offset: true, message: 'updated_since must be an RFC 3339 time (2026-01-31T00:00:00Z)' }).optional(),
  version: z.string().min(1).max(255).optional(),
});

/** An entry as the registry answers it: the server.json, and the registry's own facts beside it. */
export function registryResponse(entry: RegistryEntry): ServerResponse {
  return {
    server: entry.server,
    _meta: {
      [OFFICIAL_META]: { status: entry.status, publishedAt: entry.publishedAt, updatedAt: entry.updatedAt, isLatest: entry.isLatest },
      ...(entry.statusReason ? { 'dev.mcpwarden/status': { reason: entry.statusReason } } : {}),
    },
  };
}

const notFound = () => new HttpError(404, 'not-found', 'Server not found');

export async function registerRegistryRoutes(app: FastifyInstance, context: AppContext): Promise<void> {
  const { storage } = context;
  const pager = pagerFor(() => storage.sharedSecret('cursor'));
  await app.register(
    async (registry) => {
      // As GitHub documents for registries its clients read: any origin, GET and OPTIONS, these headers.
      await registry.register(cors, {
        origin: '*',
        methods: ['GET', 'OPTIONS'],
        allowedHeaders: ['Authorization', 'Content-Type'],
        strictPreflight: false,
      });
      registry.addHook('onRequest', async (request) => {
        const allowed = context.registry.allowFrom;
        if (allowed && !ipInRanges(request.ip, allowed))
          throw new HttpError(403, 'forbidden', "the organisation's MCP registry is read only from its own network");
      });
      registry.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: 'Not found' }));
      registry.setErrorHandler((error, _request, reply) => {
        if (error instanceof HttpError) return reply.status(error.statusCode).send({ error: error.message });
        throw error;
      });

      registry.get('/servers', async (request): Promise<ServerList> => {
        const query = parse(ListQuery, request.query, 'query');
        const limit = Math.min(Math.max(Number(query.limit ?? LIMIT.default), 1), LIMIT.max);
        const filters = { search: query.search, updated_since: query.updated_since, version: query.version };
        const pages = await pager('registry', { ...filters, limit: String(limit), cursor: query.cursor }, ['name'], 'name');
        // Stored times are UTC: a time with another offset is compared as the instant it names.
        const updatedSince = query.updated_since ? new Date(query.updated_since).toISOString() : undefined;
        const page = await storage.registry.entries({ search: query.search, updatedSince, version: query.version }, pages.request);
        const body = pages.body(page, registryResponse);
        return { servers: body.items, metadata: { ...(body.nextCursor ? { nextCursor: body.nextCursor } : {}), count: body.items.length } };
      });

      registry.get('/servers/:serverName/versions', async (request): Promise<ServerList> => {
        const { serverName } = request.params as { serverName: string };
        const versions = await storage.registry.versions(serverName);
        if (versions.length === 0) throw notFound();
        return { servers: versions.map(registryResponse), metadata: { count: versions.length } };
      });

      registry.get('/servers/:serverName/versions/:version', async (request): Promise<ServerResponse> => {
        const { serverName, version } = request.params as { serverName: string; version: string };
        const versions = await storage.registry.versions(serverName);
        const found = version === 'latest' ? versions.find((entry) => entry.isLatest) : versions.find((entry) => entry.version === version);
        if (!found) throw notFound();
        return registryResponse(found);
      });
    },
    { prefix: '/v0.1' },
  );
}
