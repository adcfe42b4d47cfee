// The agent API: enroll, report inventory, fetch policy (ETag), send events. Devices authenticate with the
// bearer token they got at enrollment (callers.ts); a wrong or unknown token is 401, which makes the agent
// enroll again.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EnrollRequest, EventBatch, FULL_REPORT_REQUIRED, InventoryReport } from '../../shared/protocol.js';
import { type AppContext, parse } from '../context.js';
import { hashToken, newDeviceToken } from '../auth.js';
import { enrollCaller } from '../callers.js';
import { HttpError } from '../errors.js';
import { currentPolicy } from '../policy-store.js';
import type { IdentifiedDevice } from '../device-tokens.js';
import { type DeviceRecord, UnknownDeviceError } from '../storage/storage.js';

/** An enrollment is a secret and a few device facts. */
const ENROLL_BODY_LIMIT = 64 * 1024;

const enrollAgain = () => new HttpError(401, 'unauthorized', 'unknown device or token; enroll again');

function deviceOf(request: FastifyRequest): IdentifiedDevice {
  if (request.caller.kind !== 'device') throw enrollAgain();
  return request.caller.device;
}

/** The token named a device the database no longer holds (restored from an older backup): the agent enrolls again. */
function deviceGone(context: AppContext, device: IdentifiedDevice): HttpError {
  context.deviceTokens.forget(device.tokenHash);
  return enrollAgain();
}

async function authenticateDevice(request: FastifyRequest, context: AppContext): Promise<DeviceRecord> {
  const identified = deviceOf(request);
  const device = await identified.record();
  if (!device) throw deviceGone(context, identified);
  // "Last seen" to the half minute is enough, and spares a write on every request.
  const now = context.now();
  if (now.getTime() - Date.parse(device.lastSeen) > 30_000 || request.ip !== device.lastIp)
    await context.storage.touchDevice(device.id, now.toISOString(), request.ip);
  return device;
}

export function registerAgentRoutes(app: FastifyInstance, context: AppContext): void {
  // Judged by its secret, so only once the body is read: a small one, before anything is inflated or parsed.
  app.post(
    '/v1/enroll',
    {
      bodyLimit: ENROLL_BODY_LIMIT,
      preHandler: (request, reply) => context.limit(request, reply, enrollCaller(request.body, context.options.enrollSecret)),
    },
    async (request, reply) => {
      const body = parse(EnrollRequest, request.body, 'enrollment');
      if (request.caller.kind !== 'enrolling') throw new HttpError(403, 'bad-enroll-secret', 'the enroll secret is not valid');
      const token = newDeviceToken();
      const tokenHash = hashToken(token);
      const device = await context.storage.createDevice(body.device, tokenHash, context.now().toISOString(), request.ip);
      context.deviceTokens.remember(tokenHash, device.id);
      return reply.status(201).send({ deviceId: device.id, token });
    },
  );

  app.post('/v1/devices/:id/inventory', async (request, reply) => {
    // The report's own transaction records when and from where the device was seen: no second write, and
    // no read of the device either (its id is all a report needs).
    const device = deviceOf(request);
    const report = parse(InventoryReport, request.body, 'inventory report');
    const outcome = await context.storage.ingest(device.id, report, context.now().toISOString(), request.ip).catch((error: unknown) => {
      throw error instanceof UnknownDeviceError ? deviceGone(context, device) : error;
    });
    if (outcome.kind === 'full-report-required') {
      return reply.status(409).send({
        error: {
          code: FULL_REPORT_REQUIRED,
          message: `this server holds revision ${outcome.holding}, not ${report.kind === 'delta' ? report.baseRevision : '?'}; send a full report`,
        },
      });
    }
    return { acceptedRevision: outcome.acceptedRevision };
  });

  app.get('/v1/devices/:id/policy', async (request, reply) => {
    await authenticateDevice(request, context);
    const policy = await currentPolicy(context.storage);
    const etag = `"${policy.version}"`;
    reply.header('ETag', etag).header('Cache-Control', 'no-cache');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return policy;
  });

  app.post('/v1/devices/:id/events', async (request) => {
    const device = await authenticateDevice(request, context);
    const batch = parse(EventBatch, request.body, 'event batch');
    return context.storage.addEvents(device, batch.events, context.now().toISOString());
  });
}
