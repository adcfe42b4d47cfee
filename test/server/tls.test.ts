// The reference server speaking TLS, and agents that trust it only through the system's roots plus the
// organisation's CA (CaFile): the right CA enrolls, a wrong one or none is refused with words IT can act on.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/machines.js';
import { type TestPki, makeTestPki } from '../helpers/test-ca.js';

let pki: TestPki;
let folder: string;
let server: ChildProcess;
let url: string;

beforeAll(async () => {
  pki = makeTestPki();
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-tls-'));
  server = spawn(
    process.execPath,
    [CLI, 'server', '--port', '0', '--data', path.join(folder, 'data'), '--tls-cert', pki.serverCert, '--tls-key', pki.serverKey],
    {
      env: { ...process.env, MCP_WARDEN_ADMIN_TOKEN: 'admin-token', MCP_WARDEN_ENROLL_SECRET: 'enroll-secret' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start')), 15_000);
    server.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening on (https:\/\/\S+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
}, 30_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(folder, { recursive: true, force: true });
  pki.remove();
});

function enroll(caFile: string | undefined, stateName: string) {
  const { MCP_WARDEN_CA_FILE: _unset, ...inherited } = process.env;
  const env = { ...inherited, MCP_WARDEN_ENROLL_SECRET: 'enroll-secret', ...(caFile ? { MCP_WARDEN_CA_FILE: caFile } : {}) };
  return spawnSync(process.execPath, [CLI, 'enroll', '--server', url, '--state-dir', path.join(folder, stateName)], {
    encoding: 'utf8',
    env,
    timeout: 30_000,
  });
}

describe('TLS between the agent and the reference server', () => {
  it('serves HTTPS, and an agent that trusts the organisation’s CA enrolls', () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const run = enroll(pki.caCert, 'right-ca');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^enrolled with https:\/\/127\.0\.0\.1:\d+ as device /);
  });

  it('refuses a server signed by another CA, saying what to do', () => {
    const run = enroll(pki.otherCaCert, 'wrong-ca');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /cannot reach https:\/\/127\.0\.0\.1:\d+: its TLS certificate is not signed by a trusted CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\); trust the organisation’s CA with CaFile/,
    );
  });

  it('refuses it with the system’s roots alone', () => {
    const run = enroll(undefined, 'no-ca');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('its TLS certificate is not signed by a trusted CA');
  });

  it('says when the CA bundle cannot be read', () => {
    const run = enroll(path.join(folder, 'no-such-ca.pem'), 'missing-ca');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`the CA bundle ${path.join(folder, 'no-such-ca.pem')} cannot be read (ENOENT)`);
  });

  it('will not start with a key that does not belong to the certificate, or with half of the pair', () => {
    const mismatched = spawnSync(
      process.execPath,
      [CLI, 'server', '--port', '0', '--data', path.join(folder, 'data2'), '--tls-cert', pki.serverCert, '--tls-key', pki.otherKey],
      {
        encoding: 'utf8',
        env: { ...process.env, MCP_WARDEN_ADMIN_TOKEN: 'a', MCP_WARDEN_ENROLL_SECRET: 'e' },
        timeout: 15_000,
      },
    );
    expect(mismatched.status).toBe(2);
    expect(mismatched.stderr).toContain(`--tls-cert ${pki.serverCert} with --tls-key ${pki.otherKey}:`);
    const half = spawnSync(
      process.execPath,
      [CLI, 'server', '--port', '0', '--data', path.join(folder, 'data3'), '--tls-cert', pki.serverCert],
      {
        encoding: 'utf8',
        env: { ...process.env, MCP_WARDEN_ADMIN_TOKEN: 'a', MCP_WARDEN_ENROLL_SECRET: 'e' },
        timeout: 15_000,
      },
    );
    expect(half.status).toBe(2);
    expect(half.stderr).toContain('--tls-cert and --tls-key (MCP_WARDEN_TLS_CERT, MCP_WARDEN_TLS_KEY) go together');
  });
});
