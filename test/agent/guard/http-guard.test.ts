// The guard for remote servers: the SDK's client speaks streamable HTTP, and legacy SSE, to server-everything
// through the loopback proxy. Blocked and expired tools vanish and are refused with the reason, allowed calls pass
// unchanged, every call is audited, and only servers enforcement wrapped are served.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardUrl, parseGuardUrl } from '../../../src/agent/platform/guard-invocation.js';
import { type HttpGuard, startHttpGuard } from '../../../src/agent/guard/http-guard.js';
import { ClientGone, readBody } from '../../../src/agent/guard/proxy-http.js';
import type { Policy, Rule } from '../../../src/shared/policy.js';
import { scan } from '../../../src/agent/discovery/scan.js';
import { CLI, copyMachine, machineFlags } from '../../helpers/machines.js';
import { startEverythingHttp } from '../../helpers/probe-home.js';

const KEY = 'url:http://127.0.0.1/mcp';
let stateDir: string;
let everything: Awaited<ReturnType<typeof startEverythingHttp>>;
let proxy: HttpGuard;
let guarded: Client;
let direct: Client;

const rule = (verdict: Rule['verdict'], tool: string, extra: Partial<Rule> = {}): Rule => ({
  id: `r-${tool}`,
  target: { serverKey: KEY, capability: { kind: 'tool', name: tool } },
  agents: ['cursor'],
  verdict,
  justification: `decided for ${tool}`,
  markedBy: 'security@example.com',
  updatedAt: '2026-11-20T09:00:00Z',
  ...extra,
});
const policy: Policy = {
  version: 'v1',
  defaultVerdict: 'allow',
  rules: [rule('block', 'get-env'), rule('conditional', 'echo', { conditions: { expiresAt: '2026-01-01T00:00:00Z' } })],
};

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-http-guard-'));
  everything = await startEverythingHttp('streamableHttp');
  const subject = { serverId: 'srv-remote', serverKey: KEY, serverName: 'remote-everything', clients: ['cursor'], url: everything.url };
  proxy = await startHttpGuard({
    stateDir,
    port: 0,
    route: async (serverId) => (serverId === 'srv-remote' ? { subject, upstream: everything.url } : undefined),
    policy: () => policy,
    deviceIps: () => ['127.0.0.1'],
    warn: () => {},
  });
  guarded = new Client({ name: 'cursor', version: '1' });
  await guarded.connect(new StreamableHTTPClientTransport(new URL(guardUrl(proxy.base, 'srv-remote', everything.url))));
  direct = new Client({ name: 'direct', version: '1' });
  await direct.connect(new StreamableHTTPClientTransport(new URL(everything.url)));
}, 30_000);

afterAll(async () => {
  await guarded?.close();
  await direct?.close();
  await proxy?.close();
  await everything?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

const toolNames = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();

describe('the HTTP guard', () => {
  it('carries the original URL in the loopback one, so the server keeps its identity', () => {
    const url = guardUrl(proxy.base, 'srv-remote', 'https://mcp.example.com/mcp?team=a');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp-warden\/srv-remote\//);
    expect(parseGuardUrl(url)).toEqual({ serverId: 'srv-remote', upstream: 'https://mcp.example.com/mcp?team=a' });
    expect(parseGuardUrl('http://127.0.0.1:3000/mcp')).toBeUndefined();
  });

  it('hides blocked and expired tools, refuses calls to them with the reason, and passes the rest unchanged', async () => {
    const all = await toolNames(direct);
    expect(all).toContain('get-env');
    expect(await toolNames(guarded)).toEqual(all.filter((name) => name !== 'get-env' && name !== 'echo'));
    await expect(guarded.callTool({ name: 'get-env', arguments: {} })).rejects.toThrow(
      'Blocked by your organisation: tool get-env blocked for cursor by security@example.com: decided for get-env',
    );
    await expect(guarded.callTool({ name: 'echo', arguments: { message: 'hi' } })).rejects.toThrow(/expired on 2026-01-01T00:00:00Z/);
    const args = { name: 'get-sum', arguments: { a: 2, b: 40 } };
    expect(await guarded.callTool(args)).toEqual(await direct.callTool(args));
  });

  it('audits every call, refused or passed', async () => {
    const folder = path.join(stateDir, 'audit');
    const deadline = Date.now() + 5000;
    while (readdirSync(folder).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const entries = readdirSync(folder)
      .flatMap((name) => readFileSync(path.join(folder, name), 'utf8').trim().split('\n'))
      .map((line) => JSON.parse(line));
    expect(entries.map((entry) => `${entry.capability.name} ${entry.decision} ${entry.outcome}`)).toEqual([
      'get-env deny denied',
      'echo deny denied',
      'get-sum allow ok',
    ]);
    expect(entries[2]).toMatchObject({ agent: 'cursor', serverKey: KEY, serverName: 'remote-everything' });
  });

  it('answers a body over its cap with 413, saying so, and keeps serving', async () => {
    const response = await fetch(guardUrl(proxy.base, 'srv-remote', everything.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: 'x'.repeat(17 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { message: 'MCP Warden: request body over 16777216 bytes' } });
    expect(await toolNames(guarded)).toContain('get-sum');
  });

  it('serves only the servers enforcement wrapped', async () => {
    const response = await fetch(guardUrl(proxy.base, 'someone-else', 'https://evil.example/mcp'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(response.status).toBe(404);
    expect((await response.json()).error.message).toBe('MCP Warden: this is not a server MCP Warden guards');
  });

  it('refuses web pages: a foreign Origin, or a Host that is not this machine (DNS rebinding)', async () => {
    const url = guardUrl(proxy.base, 'srv-remote', everything.url);
    const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const fromPage = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: ping,
    });
    expect(fromPage.status).toBe(403);
    const { request } = await import('undici');
    const rebound = await request(url, {
      method: 'POST',
      headers: { host: 'evil.example:47318', 'content-type': 'application/json' },
      body: ping,
    });
    expect(rebound.statusCode).toBe(403);
    expect(await rebound.body.json()).toMatchObject({ error: { message: 'MCP Warden: requests from web pages are refused' } });
  });
});

describe('the HTTP guard for a legacy SSE server', () => {
  let sse: Awaited<ReturnType<typeof startEverythingHttp>>;
  let sseProxy: HttpGuard;
  let sseState: string;
  const clients: Client[] = [];
  const connect = async (url: string) => {
    const client = new Client({ name: 'cline', version: '1' });
    await client.connect(new SSEClientTransport(new URL(url)));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    sseState = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-sse-guard-'));
    sse = await startEverythingHttp('sse');
    const subject = { serverId: 'srv-sse', serverKey: KEY, serverName: 'sse-everything', clients: ['cursor'], url: sse.url };
    sseProxy = await startHttpGuard({
      stateDir: sseState,
      port: 0,
      route: async (serverId) => (serverId === 'srv-sse' ? { subject, upstream: sse.url, transport: 'sse' } : undefined),
      policy: () => policy,
      deviceIps: () => ['127.0.0.1'],
      warn: () => {},
    });
  }, 30_000);

  afterAll(async () => {
    for (const client of clients) await client.close();
    await sseProxy?.close();
    await sse?.stop();
    rmSync(sseState, { recursive: true, force: true });
  });

  it('relays the stream with its endpoint pointed at the guard, hiding and refusing blocked tools, passing the rest', async () => {
    const client = await connect(guardUrl(sseProxy.base, 'srv-sse', sse.url));
    const plain = await connect(sse.url);
    const all = await toolNames(plain);
    expect(all).toContain('get-env');
    expect(await toolNames(client)).toEqual(all.filter((name) => name !== 'get-env' && name !== 'echo'));
    await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toThrow(
      'Blocked by your organisation: tool get-env blocked for cursor',
    );
    const args = { name: 'get-sum', arguments: { a: 2, b: 40 } };
    expect(await client.callTool(args)).toEqual(await plain.callTool(args));
    await sseProxy.close(); // flushes the audit log
    const folder = path.join(sseState, 'audit');
    const entries = readdirSync(folder)
      .flatMap((name) => readFileSync(path.join(folder, name), 'utf8').trim().split('\n'))
      .map((line) => JSON.parse(line));
    expect(entries.map((entry) => `${entry.capability.name} ${entry.decision}`)).toEqual(['get-env deny', 'get-sum allow']);
  });

  it('takes POSTs only for a stream it opened, and says how a legacy server is spoken to', async () => {
    const other = await startHttpGuard({
      stateDir: sseState,
      port: 0,
      route: async () => ({
        subject: { serverId: 'srv-sse', serverKey: KEY, serverName: 'x', clients: ['cursor'] },
        upstream: sse.url,
        transport: 'sse',
      }),
      policy: () => policy,
      deviceIps: () => [],
      warn: () => {},
    });
    try {
      const url = guardUrl(other.base, 'srv-sse', sse.url);
      const ping = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' };
      const forged = await fetch(`${url}?mcp-warden-session=made-up`, ping);
      expect(forged.status).toBe(404);
      expect((await forged.json()).error.message).toBe('MCP Warden: no open stream for this session');
      // A client trying streamable HTTP first gets a 4xx, and falls back to SSE as the SDK's clients do.
      expect((await fetch(url, ping)).status).toBe(405);
    } finally {
      await other.close();
    }
  });
});

describe('the agent in enforce mode', () => {
  it('points remote servers (streamable HTTP, legacy SSE) at its guard, which enforces the policy, and restore puts the URLs back', async () => {
    const machine = copyMachine('linux');
    const agentState = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-agent-http-'));
    const legacy = await startEverythingHttp('sse');
    const file = path.join(machine.world.home, '.cursor/mcp.json');
    const config = `{\n  // a remote server\n  "mcpServers": { "remote-everything": { "url": "${everything.url}" },\n    "legacy": { "type": "sse", "url": "${legacy.url}" } }\n}\n`;
    writeFileSync(file, config);
    const servers = (await scan({ world: machine.world, clients: ['cursor'] })).result.servers;
    const blockGetEnv = (serverKey: string) => ({
      ...rule('block', 'get-env'),
      id: serverKey,
      target: { serverKey, capability: { kind: 'tool' as const, name: 'get-env' } },
    });
    const blocked: Policy = { version: 'p1', defaultVerdict: 'allow', rules: servers.map((server) => blockGetEnv(server.serverKey)) };
    writeFileSync(
      path.join(agentState, 'policy.json'),
      JSON.stringify({ policy: blocked, fetchedAt: new Date().toISOString(), checkedAt: new Date().toISOString() }),
    );

    const env = { ...process.env, MCP_WARDEN_MODE: 'enforce', MCP_WARDEN_GUARD_PORT: '0', MCP_WARDEN_PROBE: 'off' };
    const agent = spawn(process.execPath, [CLI, 'agent', '--state-dir', agentState, ...machineFlags('linux', machine.root)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    agent.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const until = async (pattern: RegExp) => {
      const started = Date.now();
      while (!pattern.test(output)) {
        if (Date.now() - started > 15_000) throw new Error(`no ${pattern} in:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const client = new Client({ name: 'cursor', version: '1' });
    const legacyClient = new Client({ name: 'cursor', version: '1' });
    try {
      await until(/enforce: wrapped \d+ server\(s\) with the guard/);
      const wrappedText = readFileSync(file, 'utf8');
      expect(wrappedText).toContain('// a remote server');
      const url = /"url": "([^"]+)"/.exec(wrappedText)![1]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp-warden\//);

      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      expect(await toolNames(client)).not.toContain('get-env');
      expect(await toolNames(client)).toContain('get-sum');
      await expect(client.callTool({ name: 'get-env', arguments: {} })).rejects.toThrow(
        /Blocked by your organisation: tool get-env blocked for cursor/,
      );
      await client.close();
      const legacyUrl = /"type": "sse", "url": "([^"]+)"/.exec(wrappedText)![1]!;
      await legacyClient.connect(new SSEClientTransport(new URL(legacyUrl)));
      expect(await toolNames(legacyClient)).toEqual(expect.arrayContaining(['get-sum']));
      await expect(legacyClient.callTool({ name: 'get-env', arguments: {} })).rejects.toThrow(/Blocked by your organisation/);
      await legacyClient.close();

      agent.kill('SIGINT');
      expect(await new Promise((resolve) => agent.once('exit', resolve))).toBe(0);
      const restore = spawn(process.execPath, [CLI, 'restore', '--state-dir', agentState], { stdio: 'ignore' });
      expect(await new Promise((resolve) => restore.once('exit', resolve))).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(config);
    } finally {
      await client.close().catch(() => undefined);
      await legacyClient.close().catch(() => undefined);
      if (agent.exitCode === null) agent.kill('SIGKILL');
      await legacy.stop();
      machine.remove();
      rmSync(agentState, { recursive: true, force: true });
    }
  });
});

describe('the HTTP guard between a fast server and a slow client', () => {
  // A server that answers a call with a flood of progress events first (64 KB each), waiting whenever its
  // socket is full, as a well-behaved server does; and one that writes events over several data lines.
  const EVENTS = 1024;
  const filler = 'x'.repeat(64 * 1024);
  let upstream: http.Server;
  let upstreamUrl: string;
  let written = 0;
  /** Answers the server stopped writing because the other end went away. */
  let abandoned = 0;
  let requests = 0;
  let guard: HttpGuard;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-http-guard-flood-'));
    upstream = http.createServer((req, res) => {
      requests++;
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      const answer = async () => {
        const call = JSON.parse(body) as { id: number; method: string };
        res.once('close', () => res.writableFinished || abandoned++);
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        if (call.method === 'tools/list') {
          const tools = {
            jsonrpc: '2.0',
            id: call.id,
            result: {
              tools: [
                { name: 'get-env', inputSchema: { type: 'object' } },
                { name: 'flood', inputSchema: { type: 'object' } },
              ],
            },
          };
          res.write('event: note\ndata: first line\ndata: second line\n\n');
          res.end(`event: message\ndata: ${JSON.stringify(tools, null, 2).split('\n').join('\ndata: ')}\n\n`);
          return;
        }
        for (let index = 0; index < EVENTS; index++) {
          const event = `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: index, message: filler } })}\n\n`;
          written += event.length;
          if (!res.write(event)) await once(res, 'drain');
        }
        res.end(
          `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: call.id, result: { content: [{ type: 'text', text: 'done' }] } })}\n\n`,
        );
      };
      req.on('end', () => void answer());
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/mcp`;
    const subject = { serverId: 'srv-flood', serverKey: KEY, serverName: 'flood', clients: ['cursor'], url: upstreamUrl };
    guard = await startHttpGuard({
      stateDir: folder,
      port: 0,
      route: async () => ({ subject, upstream: upstreamUrl }),
      policy: () => policy,
      deviceIps: () => ['127.0.0.1'],
      warn: () => {},
    });
  });

  afterAll(async () => {
    await guard?.close();
    await new Promise((resolve) => upstream?.close(resolve));
    rmSync(folder, { recursive: true, force: true });
  });

  /** A POST through the guard, its answer left unread for a while; then read whole. */
  function post(message: object, pauseMs: number): Promise<{ writtenWhilePaused: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(guardUrl(guard.base, 'srv-flood', upstreamUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        res.pause();
        setTimeout(() => {
          const writtenWhilePaused = written;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ writtenWhilePaused, text: Buffer.concat(chunks).toString('utf8') }));
          res.resume();
        }, pauseMs);
      });
      req.end(JSON.stringify(message));
    });
  }

  it('holds the server back while the client does not read, and then delivers every event', async () => {
    const { writtenWhilePaused, text } = await post(
      { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'flood', arguments: {} } },
      1500,
    );
    // 64 MB were waiting to be sent; what left the server is what the sockets between hold, not all of it.
    expect(writtenWhilePaused).toBeLessThan((EVENTS * filler.length) / 2);
    expect(text.match(/"method":"notifications\/progress"/g)).toHaveLength(EVENTS);
    expect(text.trimEnd().endsWith(`data: {"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"done"}]}}`)).toBe(true);
  }, 60_000);

  it('keeps events written over several data lines whole, in a list it filters', async () => {
    const { text } = await post({ jsonrpc: '2.0', id: 8, method: 'tools/list' }, 0);
    expect(text).toContain('event: note\ndata: first line\ndata: second line\n\n');
    const listed = JSON.parse(/event: message\ndata: (.*)\n\n/.exec(text)![1]!) as { result: { tools: { name: string }[] } };
    expect(listed.result.tools.map((tool) => tool.name)).toEqual(['flood']);
  });

  it('ends the request to the server when the client hangs up in the middle of an answer, and keeps serving', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.request(guardUrl(guard.base, 'srv-flood', upstreamUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      });
      req.on('error', () => undefined);
      req.on('response', (res) => res.once('data', () => (req.destroy(), resolve())));
      req.once('error', reject);
      req.end(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'flood', arguments: {} } }));
    });
    await expect.poll(() => abandoned, { timeout: 10_000 }).toBe(1);
    const { text } = await post({ jsonrpc: '2.0', id: 10, method: 'tools/list' }, 0);
    expect(text).toContain('"id":10');
  });

  it('sends nothing on for a client that hung up before its call reached the server', async () => {
    const subject = { serverId: 'srv-slow', serverKey: KEY, serverName: 'flood', clients: ['cursor'], url: upstreamUrl };
    let routed!: () => void;
    const looked = new Promise<void>((resolve) => (routed = resolve));
    // The ledger is slow to read: the client is gone by the time the guard knows where to send the call.
    const slow = await startHttpGuard({
      stateDir: folder,
      port: 0,
      route: async () => {
        routed();
        await new Promise((resolve) => setTimeout(resolve, 300));
        return { subject, upstream: upstreamUrl };
      },
      policy: () => policy,
      deviceIps: () => ['127.0.0.1'],
      warn: () => {},
    });
    try {
      const before = requests;
      const req = http.request(guardUrl(slow.base, 'srv-slow', upstreamUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      });
      req.on('error', () => undefined);
      req.end(JSON.stringify({ jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'flood', arguments: {} } }));
      await looked;
      req.destroy();
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(requests).toBe(before);
    } finally {
      await slow.close();
    }
  });
});

describe('reading a request to the guard', () => {
  it('gives up on the body of a client that hung up before it was read, instead of waiting for ever', async () => {
    const reads: Promise<unknown>[] = [];
    const server = http.createServer((req) => {
      // The guard reads the body after its routing; by then this client is gone.
      reads.push(new Promise((resolve) => setTimeout(resolve, 300)).then(() => readBody(req)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const req = http.request(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'POST' });
      req.on('error', () => undefined);
      req.end('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
      await expect.poll(() => reads.length).toBe(1);
      req.destroy();
      await expect(reads[0]).rejects.toBeInstanceOf(ClientGone);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
