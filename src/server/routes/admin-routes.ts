// The admin API: the fleet's servers and devices, rules (allow / block / conditional, per server or capability,
// per agent or all), approval requests, and the event log with CSV and JSON-lines export.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DEFAULT_VERDICTS, RuleInput } from '../../shared/policy.js';
import { type AppContext, parse } from '../context.js';
import { toCsv } from '../csv.js';
import { HttpError } from '../errors.js';
import { fleetServers, serverDetail } from '../fleet.js';
import { currentPolicy } from '../policy-store.js';
import type { EventFilter } from '../storage/storage.js';

const EventQuery = z.object({
  device: z.string().optional(),
  agent: z.string().optional(),
  server: z.string().optional(),
  decision: z.string().optional(),
  type: z.string().optional(),
  user: z.string().optional(),
  capability: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  limit: z.coerce.number().int().positive().max(100_000).optional(),
});

const PolicySettingsInput = z.object({
  defaultVerdict: z.enum(DEFAULT_VERDICTS),
  blockMessage: z.string().max(2000).optional(),
  moreInfoUrl: z.url().optional(),
});

function toFilter(query: z.infer<typeof EventQuery>): EventFilter {
  const filter: EventFilter = {};
  if (query.device) filter.deviceId = query.device;
  if (query.agent) filter.agent = query.agent;
  if (query.server) filter.serverKey = query.server;
  if (query.decision) filter.decision = query.decision;
  if (query.type) filter.type = query.type;
  if (query.user) filter.user = query.user;
  if (query.capability) filter.capability = query.capability;
  if (query.from) filter.from = query.from;
  if (query.to) filter.to = query.to;
  if (query.limit) filter.limit = query.limit;
  return filter;
}

export function registerAdminRoutes(app: FastifyInstance, context: AppContext): void {
  app.register(
    async (admin) => {
      admin.addHook('onRequest', async (request: FastifyRequest) => {
        if (request.caller.kind !== 'admin') throw new HttpError(401, 'unauthorized', 'admin token required');
      });

      admin.get('/servers', async () => fleetServers(context.storage, currentPolicy(context.storage), context.now()));

      admin.get('/servers/:serverKey', async (request) => {
        const { serverKey } = request.params as { serverKey: string };
        const detail = serverDetail(context.storage, currentPolicy(context.storage), serverKey, context.now());
        if (!detail) throw new HttpError(404, 'not-found', `no device reports ${serverKey}`);
        return detail;
      });

      admin.get('/rules', async () => context.storage.rules());

      admin.post('/rules', async (request, reply) => {
        const input = parse(RuleInput, request.body, 'rule');
        const rule = { ...input, id: randomUUID(), markedBy: context.options.adminName, updatedAt: context.now().toISOString() };
        context.storage.addRule(rule);
        return reply.status(201).send(rule);
      });

      admin.delete('/rules/:id', async (request, reply) => {
        const { id } = request.params as { id: string };
        if (!context.storage.deleteRule(id)) throw new HttpError(404, 'not-found', `no rule ${id}`);
        return reply.status(204).send();
      });

      admin.get('/policy', async () => currentPolicy(context.storage));
      admin.put('/policy/settings', async (request) => {
        context.storage.setPolicySettings(parse(PolicySettingsInput, request.body, 'policy settings'));
        return currentPolicy(context.storage);
      });

      admin.get('/devices', async () =>
        context.storage
          .devices()
          .map((device) => ({ ...device, serverCount: context.storage.deviceServers({ deviceId: device.id }).length })),
      );

      admin.get('/requests', async () => context.storage.events({ type: 'approval-request', limit: 10_000 }));

      admin.get('/events', async (request) => context.storage.events(toFilter(parse(EventQuery, request.query, 'query'))));

      admin.get('/events.csv', async (request, reply) => {
        const events = context.storage.events(toFilter(parse(EventQuery, request.query, 'query')));
        const devices = new Map(context.storage.devices().map((device) => [device.id, device]));
        const header = ['at', 'device', 'hostname', 'user', 'type', 'agent', 'serverKey', 'server', 'capability', 'decision', 'reason'];
        const rows = events.map((event) => [
          event.at,
          event.deviceId,
          devices.get(event.deviceId)?.hostname,
          event.user ?? devices.get(event.deviceId)?.user,
          event.type,
          event.client,
          event.serverKey,
          event.serverName,
          event.capability ? `${event.capability.kind}:${event.capability.name}` : '',
          event.decision?.status,
          event.reason ?? event.decision?.reason,
        ]);
        return reply
          .header('Content-Type', 'text/csv; charset=utf-8')
          .header('Content-Disposition', 'attachment; filename="mcp-warden-events.csv"')
          .send(toCsv(header, rows));
      });

      admin.get('/events.jsonl', async (request, reply) => {
        const events = context.storage.events(toFilter(parse(EventQuery, request.query, 'query')));
        return reply
          .header('Content-Type', 'application/x-ndjson')
          .send(events.map((event) => JSON.stringify(event)).join('\n') + (events.length ? '\n' : ''));
      });
    },
    { prefix: '/v1/admin' },
  );
}
