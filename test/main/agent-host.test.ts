// The agent host's protocol, in plain Node: start, answer bridge calls, push invalidations, and send a new
// enrollment back to main (which seals it in the keychain).
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { serveAgent } from '../../src/main/agent-host.js';
import type { HostMessage, HostRequest } from '../../src/main/agent-host.js';
import { DEFAULT_SETTINGS } from '../../src/agent/settings/agent-settings.js';
import { buildServer } from '../../src/server/app.js';
import { memoryStorage } from '../../src/server/storage/open-storage.js';
import { EVERYTHING, NODE, type ProbeHome, probeHome } from '../helpers/probe-home.js';

let home: ProbeHome | undefined;
let central: FastifyInstance | undefined;
let host: { stop(): Promise<void> } | undefined;
afterEach(async () => {
  await host?.stop();
  await central?.close();
  home?.remove();
});

function fakePort() {
  const port = Object.assign(new EventEmitter(), {
    sent: [] as HostMessage[],
    postMessage: (message: HostMessage) => void port.sent.push(message),
  });
  const send = (data: HostRequest) => port.emit('message', { data });
  const next = (test: (message: HostMessage) => boolean) =>
    new Promise<HostMessage>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const found = port.sent.find(test);
        if (found) return (clearInterval(poll), resolve(found));
        if (Date.now() - started > 20_000) {
          clearInterval(poll);
          reject(new Error(`no such message in ${JSON.stringify(port.sent.map((item) => item.type))}`));
        }
      }, 20);
    });
  return { port, send, next };
}

describe('the agent host', () => {
  it('starts the agent core, answers the window’s calls, and hands a new enrollment to main', async () => {
    home = probeHome({ everything: { command: NODE, args: [EVERYTHING] } });
    central = await buildServer({
      storage: await memoryStorage(),
      enrollSecret: 'secret',
      adminToken: 'admin',
      adminName: 'admin@example.com',
    });
    const url = await central.listen({ port: 0, host: '127.0.0.1' });
    const { port, send, next } = fakePort();
    host = serveAgent(port as never);
    send({
      type: 'start',
      stateDir: home.stateDir,
      settings: { ...DEFAULT_SETTINGS, serverUrl: url, enrollSecret: 'secret' },
      managedKeys: ['serverUrl'],
      world: home.world,
    });
    const enrolled = await next((message) => message.type === 'enrollment');
    expect(enrolled).toMatchObject({
      type: 'enrollment',
      enrollment: { serverUrl: url, deviceId: expect.any(String), token: expect.any(String) },
    });
    await next((message) => message.type === 'invalidated');

    send({ type: 'invoke', id: 7, channel: 'snapshot:get', args: [] });
    const answer = (await next((message) => message.type === 'result' && message.id === 7)) as {
      result: {
        servers: { name: string; probe?: { status: string } }[];
        sync: { enrolled: boolean };
        settings: { key: string; managed: boolean }[];
      };
    };
    expect(answer.result.servers.map((server) => `${server.name} ${server.probe?.status}`)).toEqual(['everything ok']);
    expect(answer.result.sync.enrolled).toBe(true);
    expect(answer.result.settings.find((setting) => setting.key === 'serverUrl')?.managed).toBe(true);

    send({ type: 'invoke', id: 8, channel: 'approval:request', args: [{ serverId: 'nope', reason: '' }] });
    expect(await next((message) => message.type === 'result' && message.id === 8)).toMatchObject({
      error: expect.stringMatching(/invalid arguments for approval:request/),
    });
  });

  it('logs a failing cycle and keeps answering, with no unhandled rejection', async () => {
    home = probeHome({});
    // A state "folder" that is a file: every cycle fails to spool its report.
    writeFileSync(path.join(home.home, 'state-file'), 'not a folder');
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { port, send, next } = fakePort();
      host = serveAgent(port as never);
      send({
        type: 'start',
        stateDir: path.join(home.home, 'state-file'),
        settings: { ...DEFAULT_SETTINGS, probe: 'off' },
        managedKeys: [],
        world: home.world,
      });
      expect(await next((message) => message.type === 'log' && message.line.startsWith('cycle failed (started):'))).toMatchObject({
        line: expect.stringContaining('ENOTDIR'),
      });
      send({ type: 'invoke', id: 3, channel: 'snapshot:get', args: [] });
      expect(await next((message) => message.type === 'result' && message.id === 3)).toMatchObject({
        error: expect.stringContaining('ENOTDIR'),
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
