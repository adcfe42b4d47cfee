// Streaming events to the SIEM: a receiver on loopback gets every event the endpoint stores, signed, in order,
// once; while it is down the events wait (ingest answers as fast as ever) and arrive when it is back; past the
// backlog's bound the oldest are dropped, counted and said.
import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/app.js';
import { EventsWebhook, signature } from '../../src/server/events-webhook.js';
import { memoryStorage } from '../../src/server/storage/open-storage.js';
import { runServer } from '../../src/server/server-command.js';
import type { StoredEvent } from '../../src/server/storage/storage.js';

const SECRET = 'siem-shared-secret';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A SIEM's intake on loopback: checks each batch's signature, keeps the events; can go down and come back on its port. */
class Receiver {
  events: StoredEvent[] = [];
  refused = 0;
  private server: Server | undefined;
  port = 0;

  async up(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = String(request.headers['x-mcp-warden-signature'] ?? '');
        const seconds = Number(/^t=(\d+),/.exec(header)?.[1]);
        if (header !== signature(SECRET, seconds, body)) {
          this.refused++;
          response.writeHead(401).end();
          return;
        }
        this.events.push(...(JSON.parse(body) as { events: StoredEvent[] }).events);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  get url() {
    return `http://127.0.0.1:${this.port}/intake`;
  }
}

async function setUp(maxBacklog = 1000) {
  const receiver = new Receiver();
  await receiver.up();
  cleanups.push(() => receiver.down());
  const storage = await memoryStorage({ webhook: true });
  const said: string[] = [];
  const webhook = new EventsWebhook(storage, {
    url: receiver.url,
    secret: SECRET,
    maxBacklog,
    pollMs: 20,
    maxBackoffMs: 100,
    warn: (line) => said.push(line),
  });
  const app: FastifyInstance = await buildServer({
    storage,
    enrollSecret: 'enroll',
    adminToken: 'admin-token',
    adminName: 'admin@example.com',
    webhook,
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => app.close());
  webhook.start();
  cleanups.push(() => webhook.stop());
  const enrolled = (await (
    await fetch(`${base}/v1/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        secret: 'enroll',
        device: {
          hostname: 'laptop-7',
          platform: 'linux',
          osVersion: '6',
          user: 'alice',
          agentVersion: '0.1.0',
          userEmail: 'alice@corp.example',
        },
      }),
    })
  ).json()) as { deviceId: string; token: string };
  // An event sent again is the same event (same id, same time), as an agent's spool resends it.
  const times = new Map<string, string>();
  const send = async (names: string[], ids = names.map(() => randomUUID())) => {
    for (const id of ids) if (!times.has(id)) times.set(id, new Date().toISOString());
    const response = await fetch(`${base}/v1/devices/${enrolled.deviceId}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${enrolled.token}` },
      body: JSON.stringify({
        events: names.map((tool, index) => ({
          id: ids[index],
          type: 'tool-call',
          at: times.get(ids[index]!),
          client: 'cursor',
          serverKey: 'npm:@modelcontextprotocol/server-github',
          capability: { kind: 'tool', name: tool },
          decision: { status: 'approved', reason: 'approved for all agents' },
        })),
      }),
    });
    expect(response.status).toBe(200);
    return ids;
  };
  const state = async () =>
    (await (await fetch(`${base}/v1/admin/webhook`, { headers: { authorization: 'Bearer admin-token' } })).json()) as Record<
      string,
      unknown
    >;
  return { receiver, send, state, said };
}

const tools = (events: StoredEvent[]) => events.map((event) => event.capability?.name);

describe('the events webhook', () => {
  it('sends every stored event, signed, with who it was for, once', async () => {
    const { receiver, send, state } = await setUp();
    const ids = await send(['create_issue', 'list_issues']);
    await send(['create_issue'], [ids[0]!]); // a repeated event is stored once, and sent once
    await expect.poll(() => tools(receiver.events)).toEqual(['create_issue', 'list_issues']);
    expect(receiver.events[0]).toMatchObject({
      id: ids[0],
      human: 'human|alice@corp.example',
      agent: 'agent|cursor@laptop-7',
      deviceId: expect.any(String),
    });
    expect(receiver.refused).toBe(0);
    expect(await state()).toMatchObject({ configured: true, waiting: 0, dropped: 0, lastDeliveredAt: expect.any(String) });
  });

  it('keeps events while the receiver is down, and delivers them in order when it is back', async () => {
    const { receiver, send, state, said } = await setUp();
    await send(['one']);
    await expect.poll(() => receiver.events.length).toBe(1);
    await receiver.down();
    await send(['two', 'three']);
    await send(['four']);
    await expect.poll(async () => (await state()).failing).toMatch(/ECONNREFUSED|fetch failed/);
    expect((await state()).waiting).toBe(3);
    expect(said.join('\n')).toMatch(/events webhook http:\/\/127\.0\.0\.1:\d+\/intake not reached/);

    await receiver.up();
    await expect.poll(() => tools(receiver.events), { timeout: 5000 }).toEqual(['one', 'two', 'three', 'four']);
    expect(await state()).toMatchObject({ waiting: 0, dropped: 0 });
    expect((await state()).failing).toBeUndefined();
    expect(said.join('\n')).toMatch(/delivering again after \d+ failed attempt/);
  });

  it('drops the oldest beyond its backlog while the receiver is down, and says how many', async () => {
    const { receiver, send, state, said } = await setUp(3);
    await receiver.down();
    await send(['a', 'b', 'c', 'd', 'e']);
    await expect.poll(async () => (await state()).dropped).toBe(2);
    expect(said.join('\n')).toContain('the backlog is full (3 events): the 2 oldest were dropped without being sent');
    await receiver.up();
    await expect.poll(() => tools(receiver.events), { timeout: 5000 }).toEqual(['c', 'd', 'e']);
  });

  it('is refused without the secret that signs it, and with a URL that is not http(s)', async () => {
    const io = { stdout: () => {}, stderr: () => {}, untilStopped: async () => {} };
    await expect(runServer(['--events-webhook', 'https://siem.corp.example/intake'], io as never)).rejects.toThrow(
      '--events-webhook needs --events-webhook-secret',
    );
    await expect(runServer(['--events-webhook', 'ftp://siem', '--events-webhook-secret', 's'], io as never)).rejects.toThrow(
      '--events-webhook ftp://siem: expected an http(s):// URL',
    );
  });
});
