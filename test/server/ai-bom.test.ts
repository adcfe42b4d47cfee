// The fleet's AI bill of materials: a CycloneDX 1.6 document that validates against CycloneDX's own schema,
// with every agent, every server (package URL and versions, a remote one as a service), each capability's
// definition hash, the decisions, which agent loads what, and no secret a laptop sent.
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/shared/inventory.js';
import { buildServer } from '../../src/server/app.js';
import { memoryStorage } from '../../src/server/storage/open-storage.js';
import { fullReport, serverEntry } from '../helpers/server-entries.js';

const CANARY = 'ghp_BOMcanary0123456789abcdefghijklmnopqr';
const ADMIN = { authorization: 'Bearer admin-token' };
let app: FastifyInstance | undefined;
afterEach(async () => app?.close());

const hash = (seed: string) => seed.repeat(64).slice(0, 64);
const probe: ProbeResult = {
  status: 'ok',
  durationMs: 3,
  probedAt: new Date().toISOString(),
  tools: [{ kind: 'tool', name: 'create_issue', hash: hash('a'), description: 'Opens an issue', risks: [] }],
  resources: [],
  resourceTemplates: [],
  prompts: [{ kind: 'prompt', name: 'triage', hash: hash('b'), risks: [] }],
  risks: [],
};

interface CycloneDx {
  bomFormat: string;
  specVersion: string;
  components: {
    'bom-ref': string;
    name: string;
    version?: string;
    purl?: string;
    properties?: { name: string; value: string }[];
    components?: { name: string; hashes?: { alg: string; content: string }[] }[];
  }[];
  services?: { 'bom-ref': string; name: string; externalReferences?: { url: string }[]; properties?: { name: string; value: string }[] }[];
  dependencies: { ref: string; dependsOn?: string[] }[];
}

describe('the AI bill of materials', () => {
  it('describes the fleet in CycloneDX 1.6, valid against its schema, with no secret in it', async () => {
    const storage = await memoryStorage();
    app = await buildServer({ storage, enrollSecret: 'enroll', adminToken: 'admin-token', adminName: 'sec@corp.example' });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN) =>
      fetch(`${base}${path}`, {
        method,
        headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const enrolled = (await (
      await call('POST', '/v1/enroll', {
        secret: 'enroll',
        device: { hostname: 'laptop-3', platform: 'darwin', osVersion: '25', user: 'alice', agentVersion: '0.1.0' },
      })
    ).json()) as { deviceId: string; token: string };
    const github = serverEntry('github', {
      serverKey: 'npm:@modelcontextprotocol/server-github',
      args: ['-y', '@modelcontextprotocol/server-github@2025.4.8', `--token=${CANARY}`],
      package: { registry: 'npm', name: '@modelcontextprotocol/server-github', version: '2025.4.8', pinned: true },
      envKeys: ['GITHUB_PERSONAL_ACCESS_TOKEN'],
    });
    const fetchServer = serverEntry('fetch', {
      id: 'fetch-claude',
      client: 'claude-desktop',
      serverKey: 'pypi:mcp-server-fetch',
      package: { registry: 'pypi', name: 'mcp-server-fetch', version: '0.6.2', pinned: true },
    });
    const image = serverEntry('grafana', {
      serverKey: 'oci:docker.io/mcp/grafana',
      package: { registry: 'oci', name: 'docker.io/mcp/grafana', version: '1.2.0', pinned: true },
    });
    const linear = serverEntry('linear', {
      serverKey: 'url:https://mcp.linear.app/mcp',
      transport: 'http',
      command: undefined,
      args: [],
      url: `https://mcp.linear.app/mcp?api_key=${CANARY}`,
    });
    const local = serverEntry('notes', { serverKey: 'cmd:~/bin/notes-mcp', command: '~/bin/notes-mcp', args: [] });
    const servers = [github, fetchServer, image, linear, local];
    const sent = await call(
      'POST',
      `/v1/devices/${enrolled.deviceId}/inventory`,
      { ...fullReport(1, servers), inventory: { sources: [], servers, probes: { [github.id]: probe } } },
      { authorization: `Bearer ${enrolled.token}` },
    );
    expect(sent.status).toBe(200);
    await call('POST', '/v1/admin/rules', {
      target: { serverKey: github.serverKey },
      agents: ['*'],
      verdict: 'allow',
      justification: 'reviewed',
    });

    const response = await call('GET', '/v1/admin/inventory.cdx.json');
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.cyclonedx\+json; version="?1\.6"?/);
    const text = await response.text();
    expect(await new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(text)).toBeNull();
    expect(text).not.toContain(CANARY);

    const bom = JSON.parse(text) as CycloneDx;
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6' });
    const component = (ref: string) => bom.components.find((item) => item['bom-ref'] === ref)!;
    const propertiesOf = (item: { properties?: { name: string; value: string }[] }) =>
      Object.fromEntries((item.properties ?? []).map((entry) => [entry.name, entry.value]));

    expect(component('server:npm:@modelcontextprotocol/server-github')).toMatchObject({
      version: '2025.4.8',
      purl: 'pkg:npm/%40modelcontextprotocol/server-github@2025.4.8',
      components: expect.arrayContaining([
        expect.objectContaining({ name: 'create_issue', hashes: [{ alg: 'SHA-256', content: hash('a') }] }),
        expect.objectContaining({ name: 'triage', hashes: [{ alg: 'SHA-256', content: hash('b') }] }),
      ]),
    });
    expect(propertiesOf(component('server:npm:@modelcontextprotocol/server-github'))).toMatchObject({
      'mcpwarden:decision:cursor': 'approved',
      'mcpwarden:devices': '1',
    });
    expect(component('server:pypi:mcp-server-fetch').purl).toBe('pkg:pypi/mcp-server-fetch@0.6.2');
    expect(component('server:oci:docker.io/mcp/grafana').purl).toBe('pkg:oci/grafana?repository_url=docker.io%2Fmcp%2Fgrafana&tag=1.2.0');
    expect(component('server:cmd:~/bin/notes-mcp')).toMatchObject({ name: 'notes', description: 'a local command' });
    expect(propertiesOf(component('server:cmd:~/bin/notes-mcp'))['mcpwarden:decision:cursor']).toBe('pending');

    const service = bom.services!.find((item) => item['bom-ref'] === 'server:url:https://mcp.linear.app/mcp')!;
    expect(service.externalReferences).toEqual([expect.objectContaining({ url: 'https://mcp.linear.app/mcp' })]);

    expect(component('agent:cursor').name).toBe('Cursor');
    const loads = (agent: string) => bom.dependencies.find((item) => item.ref === `agent:${agent}`)?.dependsOn ?? [];
    expect(loads('cursor')).toEqual(
      expect.arrayContaining(['server:npm:@modelcontextprotocol/server-github', 'server:url:https://mcp.linear.app/mcp']),
    );
    expect(loads('claude-desktop')).toEqual(['server:pypi:mcp-server-fetch']);
  });
});
