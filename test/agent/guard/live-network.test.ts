// IP conditions follow the laptop: a rule "allow from 10.0.0.0/8" stops allowing calls once the laptop leaves
// the office, while the guard keeps running (a client keeps its server for days).
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { liveDeviceIps } from '../../../src/agent/platform/device-addresses.js';
import type { Policy } from '../../../src/shared/policy.js';
import { CLI } from '../../helpers/machines.js';
import { EVERYTHING, NODE, SERVERS } from '../../helpers/probe-home.js';

const KEY = 'npm:@modelcontextprotocol/server-everything';

/** os.networkInterfaces() as it looks on a laptop with one Wi-Fi address (and loopback, which never counts). */
const network = (address: string) => ({
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  wlan0: [{ address, netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: `${address}/24` }],
});

let folder: string | undefined;
afterEach(() => {
  vi.restoreAllMocks();
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

describe('device addresses under a running guard', () => {
  it('refuses an IP-conditioned tool with the reason once the laptop leaves the allowed network', async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-live-ips-'));
    const stateDir = path.join(folder, 'state');
    const interfaces = path.join(folder, 'interfaces.json');
    const moveTo = (address: string) => {
      writeFileSync(`${interfaces}.tmp`, JSON.stringify(network(address)));
      renameSync(`${interfaces}.tmp`, interfaces);
    };
    moveTo('10.20.30.40');
    const policy: Policy = {
      version: 'v-office',
      defaultVerdict: 'allow',
      rules: [
        {
          id: 'office-echo',
          target: { serverKey: KEY, capability: { kind: 'tool', name: 'echo' } },
          agents: ['cursor'],
          verdict: 'conditional',
          conditions: { ipRanges: ['10.0.0.0/8'] },
          justification: 'office network only',
          markedBy: 'security@example.com',
          updatedAt: '2026-11-20T09:00:00Z',
        },
      ],
    };
    const now = new Date().toISOString();
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(path.join(stateDir, 'policy.json'), JSON.stringify({ policy, fetchedAt: now, checkedAt: now }));

    const client = new Client({ name: 'cursor', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: NODE,
        args: [
          '--import',
          path.join(SERVERS, 'fake-interfaces.mjs'),
          CLI,
          'guard',
          '--server',
          'srv',
          '--server-key',
          KEY,
          '--client',
          'cursor',
          '--state-dir',
          stateDir,
          '--',
          NODE,
          EVERYTHING,
        ],
        env: { ...(process.env as Record<string, string>), WARDEN_TEST_INTERFACES: interfaces },
        stderr: 'ignore',
      }),
    );
    try {
      const echo = () => client.callTool({ name: 'echo', arguments: { message: 'hi' } });
      expect(await echo()).toMatchObject({ content: [{ type: 'text', text: 'Echo: hi' }] });

      moveTo('192.168.1.77');
      let refusal: unknown;
      for (const deadline = Date.now() + 10_000; refusal === undefined && Date.now() < deadline;) {
        refusal = await echo().then(
          () => new Promise((resolve) => setTimeout(() => resolve(undefined), 250)),
          (error: unknown) => error,
        );
      }
      expect(String(refusal)).toContain(
        'Blocked by your organisation: not allowed from 192.168.1.77 (allowed from 10.0.0.0/8), by security@example.com: office network only',
      );

      moveTo('10.9.9.9');
      let allowed = false;
      for (const deadline = Date.now() + 10_000; !allowed && Date.now() < deadline;) {
        allowed = await echo().then(
          () => true,
          () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 250)),
        );
      }
      expect(allowed).toBe(true);
    } finally {
      await client.close();
    }
  }, 40_000);
});

describe('liveDeviceIps', () => {
  it('reads the interfaces again once its answer is a few seconds old, and not on every call', () => {
    let clock = 1_000_000;
    const read = vi.spyOn(os, 'networkInterfaces').mockReturnValue(network('10.0.0.5') as ReturnType<typeof os.networkInterfaces>);
    const ips = liveDeviceIps(2000, () => clock);
    expect(ips()).toEqual(['10.0.0.5']);
    read.mockReturnValue(network('172.16.4.4') as ReturnType<typeof os.networkInterfaces>);
    clock += 500;
    expect(ips()).toEqual(['10.0.0.5']);
    clock += 1500;
    expect(ips()).toEqual(['172.16.4.4']);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('answers no address, never a stale one, when the interface list cannot be read', () => {
    vi.spyOn(os, 'networkInterfaces').mockImplementation(() => {
      throw new Error('uv_interface_addresses returned Unknown system error 1');
    });
    expect(liveDeviceIps()()).toEqual([]);
  });
});
