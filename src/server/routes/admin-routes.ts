// The admin API: the fleet's servers, devices and agents, rules (allow / block / conditional, per server or
// capability, per agent or all), approval requests, and the event log with streamed CSV and JSON-lines export.
// Every list is a page (paging.ts), filtered and sorted by the database.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DECISION_STATUSES, DEFAULT_VERDICTS, type Policy, RuleInput, VERDICTS } from '../../shared/policy.js';
import { ACCESS_TYPES, CAPABILITY_KINDS, SEVERITIES } from '../../shared/vocabulary.js';
import { type AppContext, endpointOrigin, parse } from '../context.js';
import { csvLine } from '../csv.js';
import { HttpError } from '../errors.js';
import { decisionFilters, fleetServerView, serverCapabilities, serverDetail } from '../fleet.js';
import { PAGE_SIZE, PageQuery, everyPage, pageInMemory, pagerFor } from '../paging.js';
import { agentKey } from '../../shared/people.js';
import type { ComplianceReport, Enrollment, ServerDeviceRow, ServerImpact, WebhookView } from '../../shared/admin-api.js';
import { severityRank } from '../../shared/present.js';
import { currentPolicy } from '../policy-store.js';
import { serversByDecision } from '../decision-order.js';
import { serversByRule } from '../rule-order.js';
import { actingAdmin, authorize } from '../roles.js';
import { registerAdminAccountRoutes } from './admin-account-routes.js';
import { registerAdminRegistryRoutes } from './admin-registry-routes.js';
import { fleetBom } from '../ai-bom.js';
import { complianceReport } from '../compliance.js';
import { SERVER_VERSION } from '../version.js';
import {
  DEVICE_SORTS,
  type DeviceRecord,
  EVENT_SORTS,
  type EventFilter,
  type FleetServer,
  type Page,
  type PageRequest,
  SERVER_DEVICE_SORTS,
  SERVER_SORTS,
  type ServerFilter,
  type StoredEvent,
} from '../storage/storage.js';

/** Events are counted only up to this many: an exact count of millions would cost more than the page. */
const EVENT_COUNT_BOUND = 10_000;
const EXPORT_PAGE = 1000;

const time = z.iso.datetime({ offset: true });
const text = z.string().min(1).max(500);

const ServerFields = {
  agent: text.optional(),
  decision: z.enum(DECISION_STATUSES).optional(),
  risk: z.enum(SEVERITIES).optional(),
  accessType: z.enum(ACCESS_TYPES).optional(),
  transport: text.optional(),
  device: text.optional(),
  q: text.optional(),
};
const ServerQuery = z.strictObject({ ...PageQuery, ...ServerFields });
const ServerExportQuery = z.strictObject({ ...ServerFields, sort: PageQuery.sort });

const DeviceQuery = z.strictObject({
  ...PageQuery,
  platform: z.enum(['darwin', 'win32', 'linux']).optional(),
  human: text.optional(),
  user: text.optional(),
  agent: text.optional(),
  server: text.optional(),
  seenAfter: time.optional(),
  q: text.optional(),
});

const EventFields = {
  device: text.optional(),
  human: text.optional(),
  agentKey: text.optional(),
  agent: text.optional(),
  server: text.optional(),
  decision: text.optional(),
  type: text.optional(),
  user: text.optional(),
  capability: text.optional(),
  from: time.optional(),
  to: time.optional(),
  q: text.optional(),
};
const EventQuery = z.strictObject({ ...PageQuery, ...EventFields });
const ExportQuery = z.strictObject(EventFields);
const RequestQuery = z.strictObject({
  ...PageQuery,
  agent: text.optional(),
  server: text.optional(),
  user: text.optional(),
  device: text.optional(),
});
const RuleQuery = z.strictObject({ ...PageQuery, server: text.optional(), agent: text.optional(), verdict: z.enum(VERDICTS).optional() });
const CapabilityQuery = z.strictObject({
  ...PageQuery,
  type: z.enum(CAPABILITY_KINDS).optional(),
  decision: z.enum(DECISION_STATUSES).optional(),
  risk: z.enum(SEVERITIES).optional(),
  q: text.optional(),
});
const ServerDeviceQuery = z.strictObject({ ...PageQuery, agent: text.optional() });
const ImpactQuery = z.strictObject({ agent: text.optional() });
const ChangeQuery = z.strictObject({ ...PageQuery, server: text.optional() });
const CHANGE_SORTS = ['changedAt'] as const;
const ComplianceQuery = z.strictObject({ from: time, to: time });
const CountQuery = z.strictObject({ from: time.optional(), to: time.optional(), agent: text.optional() });

const PolicySettingsInput = z.object({
  defaultVerdict: z.enum(DEFAULT_VERDICTS),
  blockMessage: z.string().max(2000).optional(),
  moreInfoUrl: z.url().optional(),
  reviewChangedCapabilities: z.boolean().optional(),
});

const RULE_SORTS = ['updatedAt', 'serverKey'] as const;
/** Audit Data's sorts: the columns storage sorts, and the decision, who set it and when, which the policy gives. */
const SERVER_LIST_SORTS = [...SERVER_SORTS, 'decision', 'markedBy', 'decidedAt'] as const;
const CAPABILITY_SORTS = ['name', 'type', 'risk'] as const;

function eventFilter(query: z.infer<typeof ExportQuery>): EventFilter {
  return {
    deviceId: query.device,
    human: query.human,
    agentKey: query.agentKey,
    agent: query.agent,
    serverKey: query.server,
    decision: query.decision,
    type: query.type,
    user: query.user,
    capability: query.capability,
    from: query.from,
    to: query.to,
    search: query.q,
  };
}

export function registerAdminRoutes(app: FastifyInstance, context: AppContext): void {
  const storage = context.storage;
  const pager = pagerFor(() => storage.sharedSecret('cursor'));

  const exportEvents = (filter: EventFilter): AsyncGenerator<StoredEvent> =>
    everyPage((after) => storage.events(filter, { sort: 'at', descending: false, limit: EXPORT_PAGE, after, countUpTo: 0 }));

  app.register(
    async (admin) => {
      admin.addHook('onRequest', async (request: FastifyRequest) => {
        authorize(request, context.publicUrl);
      });
      registerAdminAccountRoutes(admin, context);
      registerAdminRegistryRoutes(admin, context);

      async function serverFilter(query: z.infer<typeof ServerExportQuery>, policy: Policy, now: Date): Promise<ServerFilter> {
        return {
          agent: query.agent,
          risk: query.risk,
          accessType: query.accessType,
          transport: query.transport,
          deviceId: query.device,
          search: query.q,
          ...(query.decision ? (await decisionFilters(storage, policy, now))(query.decision) : {}),
        };
      }

      /**
       * Pages of Audit Data for one query and sort: by a column, or by what the policy gives (decision-order.ts,
       * rule-order.ts). What the filter needs is read once, however many pages are then asked (the CSV export).
       */
      async function serverPages(
        query: z.infer<typeof ServerExportQuery>,
        sort: (typeof SERVER_LIST_SORTS)[number],
        policy: Policy,
        now: Date,
      ): Promise<(request: PageRequest<string>) => Promise<Page<FleetServer>>> {
        if (sort === 'decision')
          return serversByDecision(
            storage,
            policy,
            await serverFilter({ ...query, decision: undefined }, policy, now),
            query.decision,
            now,
          );
        const filter = await serverFilter(query, policy, now);
        if (sort === 'markedBy' || sort === 'decidedAt') return serversByRule(storage, policy, filter, sort, now);
        return (request) => storage.fleetServers(filter, { ...request, sort });
      }

      admin.get('/servers', async (request) => {
        const query = parse(ServerQuery, request.query, 'query');
        const pages = await pager('servers', query, SERVER_LIST_SORTS, 'name');
        const policy = await currentPolicy(storage);
        const now = context.now();
        const page = await (await serverPages(query, pages.request.sort, policy, now))(pages.request);
        return pages.body(page, (server) => fleetServerView(server, policy, now));
      });

      // Audit Data as the admin filtered and sorted it, every row, for a spreadsheet.
      admin.get('/servers.csv', async (request, reply) => {
        const query = parse(ServerExportQuery, request.query, 'query');
        const { request: order } = await pager('servers', { ...query, limit: String(PAGE_SIZE.max) }, SERVER_LIST_SORTS, 'name');
        const policy = await currentPolicy(storage);
        const now = context.now();
        const pageOf = await serverPages(query, order.sort, policy, now);
        async function* lines() {
          yield csvLine([
            'serverKey',
            'name',
            'agent',
            'lastDetected',
            'updated',
            'accessType',
            'transport',
            'risk',
            'devices',
            'remarks',
            'markedBy',
          ]);
          for await (const server of everyPage((after) => pageOf({ ...order, after }))) {
            const { decision } = fleetServerView(server, policy, now);
            yield csvLine([
              server.serverKey,
              server.name,
              server.agent,
              server.lastUpdated,
              decision.decidedAt,
              server.accessType,
              server.transport,
              server.risk,
              String(server.deviceCount),
              decision.label,
              decision.markedBy,
            ]);
          }
        }
        return reply
          .header('Content-Type', 'text/csv; charset=utf-8')
          .header('Content-Disposition', 'attachment; filename="mcp-warden-servers.csv"')
          .send(Readable.from(lines()));
      });

      // The fleet's AI bill of materials: agents, servers with package URLs and versions, capabilities with hashes, decisions.
      admin.get('/inventory.cdx.json', async (_request, reply) => {
        const document = await fleetBom({ storage, policy: await currentPolicy(storage), now: context.now(), toolVersion: SERVER_VERSION });
        return reply
          .header('Content-Type', 'application/vnd.cyclonedx+json; version=1.6')
          .header('Content-Disposition', 'attachment; filename="mcp-warden-inventory.cdx.json"')
          .send(document);
      });

      admin.get('/servers/:serverKey', async (request) => {
        const { serverKey } = request.params as { serverKey: string };
        const detail = await serverDetail(storage, await currentPolicy(storage), serverKey, context.now());
        if (!detail) throw new HttpError(404, 'not-found', `no device reports ${serverKey}`);
        return detail;
      });

      admin.get('/servers/:serverKey/capabilities', async (request) => {
        const { serverKey } = request.params as { serverKey: string };
        const query = parse(CapabilityQuery, request.query, 'query');
        const pages = await pager(`capabilities:${serverKey}`, query, CAPABILITY_SORTS, 'name');
        const all = await serverCapabilities(storage, await currentPolicy(storage), serverKey, context.now());
        if (!all) throw new HttpError(404, 'not-found', `no device reports ${serverKey}`);
        const search = query.q?.toLowerCase();
        const matching = all.filter(
          (capability) =>
            (!query.type || capability.type === query.type) &&
            (!query.decision || capability.decisions.some((decision) => decision.status === query.decision)) &&
            (!query.risk || severityRank(capability.risk) >= severityRank(query.risk)) &&
            (!search || `${capability.name}\n${capability.description ?? ''}`.toLowerCase().includes(search)),
        );
        const sortValue = {
          name: (c: (typeof all)[number]) => c.name,
          type: (c: (typeof all)[number]) => c.type,
          risk: (c: (typeof all)[number]) => severityRank(c.risk),
        };
        const page = pageInMemory(matching, pages.request, (capability) => [
          sortValue[pages.request.sort](capability),
          capability.type,
          capability.name,
        ]);
        return pages.body(page, (capability) => capability);
      });

      admin.get('/servers/:serverKey/devices', async (request) => {
        const { serverKey } = request.params as { serverKey: string };
        const query = parse(ServerDeviceQuery, request.query, 'query');
        const pages = await pager(`server-devices:${serverKey}`, query, SERVER_DEVICE_SORTS, '-firstSeen');
        const page = await storage.serverDevices(serverKey, query.agent, pages.request);
        return pages.body(page, (row): ServerDeviceRow => ({
          deviceId: row.deviceId,
          hostname: row.hostname,
          user: row.user,
          agent: row.server.client,
          name: row.server.name,
          scope: row.server.scope,
          configPath: row.server.configPath,
          transport: row.server.transport,
          ...(row.server.package ? { package: row.server.package } : {}),
          ...(row.server.url ? { url: row.server.url } : {}),
          firstSeen: row.firstSeen,
          lastSeen: row.lastSeen,
        }));
      });

      // What a block would reach, said before it is made.
      admin.get('/servers/:serverKey/impact', async (request): Promise<ServerImpact> => {
        const { serverKey } = request.params as { serverKey: string };
        const { agent } = parse(ImpactQuery, request.query, 'query');
        return { serverKey, ...(agent ? { agent } : {}), ...(await storage.serverImpact(serverKey, agent)) };
      });

      // Tools (and resources, prompts) whose definition changed since first seen, for review.
      admin.get('/changes', async (request) => {
        const query = parse(ChangeQuery, request.query, 'query');
        const pages = await pager('changes', query, CHANGE_SORTS, '-changedAt');
        return pages.body(await storage.capabilityChanges(query.server, pages.request), (change) => change);
      });

      admin.get('/rules', async (request) => {
        const query = parse(RuleQuery, request.query, 'query');
        const pages = await pager('rules', query, RULE_SORTS, '-updatedAt');
        const rules = (await storage.rules()).filter(
          (rule) =>
            (!query.server || rule.target.serverKey === query.server) &&
            (!query.agent || rule.agents.includes(query.agent) || rule.agents.includes('*')) &&
            (!query.verdict || rule.verdict === query.verdict),
        );
        const page = pageInMemory(rules, pages.request, (rule) => [
          pages.request.sort === 'serverKey' ? rule.target.serverKey : rule.updatedAt,
          rule.id,
        ]);
        return pages.body(page, (rule) => rule);
      });

      admin.post('/rules', { config: { role: 'approver' } }, async (request, reply) => {
        const input = parse(RuleInput, request.body, 'rule');
        const now = context.now().toISOString();
        const by = actingAdmin(request).email;
        const rule = { ...input, id: randomUUID(), markedBy: by, updatedAt: now };
        await storage.addRule(rule, by, now);
        return reply.status(201).send(rule);
      });

      admin.delete('/rules/:id', { config: { role: 'approver' } }, async (request, reply) => {
        const { id } = request.params as { id: string };
        if (!(await storage.deleteRule(id, actingAdmin(request).email, context.now().toISOString())))
          throw new HttpError(404, 'not-found', `no rule ${id}`);
        return reply.status(204).send();
      });

      // How a laptop joins: the exact command, with the enroll secret, for owners (who hold it anyway).
      admin.get('/enrollment', { config: { role: 'owner' } }, async (request): Promise<Enrollment> => {
        const serverUrl = endpointOrigin(request, context.publicUrl);
        return { serverUrl, command: `mcp-warden enroll --server ${serverUrl} --secret ${context.options.enrollSecret}` };
      });

      admin.get('/policy', async () => currentPolicy(storage));
      admin.put('/policy/settings', { config: { role: 'owner' } }, async (request) => {
        const settings = parse(PolicySettingsInput, request.body, 'policy settings');
        // What laptops do with the registry is set on its own (registry/settings) and kept here.
        await storage.setPolicySettings(
          ({ registryMode, upstreamBlocks }) => ({ ...settings, registryMode, upstreamBlocks }),
          actingAdmin(request).email,
          context.now().toISOString(),
        );
        return currentPolicy(storage);
      });

      admin.get('/devices', async (request) => {
        const query = parse(DeviceQuery, request.query, 'query');
        const pages = await pager('devices', query, DEVICE_SORTS, 'hostname');
        const page = await storage.devices(
          {
            platform: query.platform,
            human: query.human,
            user: query.user,
            agent: query.agent,
            serverKey: query.server,
            seenAfter: query.seenAfter,
            search: query.q,
          },
          pages.request,
        );
        return pages.body(page, (device: DeviceRecord) => device);
      });

      admin.get('/devices/:id', async (request) => {
        const { id } = request.params as { id: string };
        const device = await storage.device(id);
        if (!device) throw new HttpError(404, 'not-found', `no device ${id}`);
        return { ...device, sources: await storage.deviceSources(id) };
      });

      admin.get('/agents', async () => ({ items: await storage.agentStats() }));

      // A person as the audit sees them: the devices acting for them, and the agents on each.
      admin.get('/humans/:key', async (request) => {
        const { key } = request.params as { key: string };
        if (!key.startsWith('human|')) throw new HttpError(400, 'invalid-request', `${key}: a human key starts with human|`);
        const page = await storage.devices({ human: key }, { sort: 'hostname', descending: false, limit: PAGE_SIZE.max });
        const agents = await storage.deviceAgents(page.items.map((device) => device.id));
        const devices = page.items.map((device) => ({
          ...device,
          agents: (agents.get(device.id) ?? []).map((client) => agentKey(client, device.hostname)),
        }));
        return { human: key, devices, agents: devices.flatMap((device) => device.agents) };
      });

      admin.get('/requests', async (request) => {
        const query = parse(RequestQuery, request.query, 'query');
        const pages = await pager('requests', query, EVENT_SORTS, '-at', { countUpTo: EVENT_COUNT_BOUND });
        const page = await storage.events(
          { type: 'approval-request', agent: query.agent, serverKey: query.server, user: query.user, deviceId: query.device },
          pages.request,
        );
        return pages.body(page, (event) => event);
      });

      admin.get('/events', async (request) => {
        const query = parse(EventQuery, request.query, 'query');
        const pages = await pager('events', query, EVENT_SORTS, '-at', { countUpTo: EVENT_COUNT_BOUND });
        return pages.body(await storage.events(eventFilter(query), pages.request), (event) => event);
      });

      // Whether events reach the SIEM: what waits, what was dropped, why the receiver is failing.
      admin.get('/webhook', async (): Promise<WebhookView> =>
        context.webhookState ? { configured: true, ...(await context.webhookState()) } : { configured: false },
      );

      // Every tool call of a period in totals, by decision, per server and per person, with the exports of exactly it.
      admin.get('/compliance', async (request): Promise<ComplianceReport> => {
        const { from, to } = parse(ComplianceQuery, request.query, 'query');
        if (Date.parse(from) > Date.parse(to)) throw new HttpError(400, 'invalid-request', `query: from ${from} is after to ${to}`);
        return complianceReport(storage, new Date(from).toISOString(), new Date(to).toISOString());
      });

      admin.get('/events/counts', async (request) => ({ items: await storage.eventCounts(parse(CountQuery, request.query, 'query')) }));

      // Exports stream page by page, oldest first: memory stays flat however many events match.
      admin.get('/events.csv', async (request, reply) => {
        const filter = eventFilter(parse(ExportQuery, request.query, 'query'));
        const hostnames = new Map<string, string | undefined>();
        const header = [
          'at',
          'human',
          'agentKey',
          'device',
          'hostname',
          'user',
          'type',
          'agent',
          'serverKey',
          'server',
          'capability',
          'decision',
          'reason',
        ];
        async function* lines() {
          yield csvLine(header);
          for await (const event of exportEvents(filter)) {
            if (!hostnames.has(event.deviceId)) hostnames.set(event.deviceId, (await storage.device(event.deviceId))?.hostname);
            yield csvLine([
              event.at,
              event.human,
              event.agent,
              event.deviceId,
              hostnames.get(event.deviceId),
              event.user,
              event.type,
              event.client,
              event.serverKey,
              event.serverName,
              event.capability ? `${event.capability.kind}:${event.capability.name}` : '',
              event.decision?.status,
              event.reason ?? event.decision?.reason,
            ]);
          }
        }
        return reply
          .header('Content-Type', 'text/csv; charset=utf-8')
          .header('Content-Disposition', 'attachment; filename="mcp-warden-events.csv"')
          .send(Readable.from(lines()));
      });

      admin.get('/events.jsonl', async (request, reply) => {
        const filter = eventFilter(parse(ExportQuery, request.query, 'query'));
        async function* lines() {
          for await (const event of exportEvents(filter)) yield `${JSON.stringify(event)}\n`;
        }
        return reply.header('Content-Type', 'application/x-ndjson').send(Readable.from(lines()));
      });
    },
    { prefix: '/v1/admin' },
  );
}
