// An office rollout: 10,000 laptops behind one NAT address enroll at the same moment with the right secret,
// against the real `mcp-warden server` in its own process. Each simulated laptop retries as the agent does:
// after a 429 it waits Retry-After (plus the agent's spread), after a failed connection it backs off with
// jitter. The figure is how long until every laptop holds a device token (target: within 10 minutes).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { backoffDelay, retryAfterDelay, retryAfterMs } from '../dist/agent/sync/backoff.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'dist/agent/cli.js');
const LAPTOPS = Number(process.env.BENCH_LAPTOPS ?? 10_000);
/** A laptop that has not enrolled by then counts as failed: the rollout target. */
const DEADLINE_MS = 10 * 60_000;

async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runEnrollBench() {
  const data = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-enroll-bench-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'server', '--port', String(port), '--data', data, '--admin-token', 'bench', '--enroll-secret', 'bench'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => child.stdout.on('data', (chunk) => chunk.toString().includes('listening') && resolve()));
  // Every laptop has a connection of its own, all from 127.0.0.1: one address, as behind the office NAT.
  const dispatcher = new Agent({ connections: LAPTOPS, pipelining: 0, connectTimeout: 30_000 });
  const counts = { rateLimited: 0, connectionRetries: 0, failed: 0 };
  const waits = [];
  try {
    const start = performance.now();
    const laptop = async (index) => {
      const body = JSON.stringify({
        secret: 'bench',
        device: { hostname: `office-${index}`, platform: 'darwin', osVersion: '24', user: `user${index}`, agentVersion: '0.1.0' },
      });
      for (let attempt = 0; performance.now() - start < DEADLINE_MS; attempt++) {
        let response;
        try {
          response = await request(`http://127.0.0.1:${port}/v1/enroll`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            dispatcher,
          });
        } catch {
          counts.connectionRetries++;
          await sleep(backoffDelay(attempt, 1000, 60_000));
          continue;
        }
        await response.body.text();
        if (response.statusCode === 201) return performance.now() - start;
        if (response.statusCode !== 429) break;
        counts.rateLimited++;
        const wait = retryAfterDelay(retryAfterMs(response.headers['retry-after']) ?? 1000);
        waits.push(wait);
        await sleep(wait);
      }
      counts.failed++;
      return undefined;
    };
    const done = (await Promise.all(Array.from({ length: LAPTOPS }, (_, index) => laptop(index))))
      .filter((ms) => ms !== undefined)
      .sort((a, b) => a - b);
    const at = (share) => (done.length ? `${(done[Math.min(done.length - 1, Math.floor(done.length * share))] / 1000).toFixed(1)} s` : '—');
    return {
      title: `Office rollout: ${LAPTOPS.toLocaleString('en')} laptops behind one address enroll at once (target: all within 10 minutes)`,
      rows: [
        [
          'enrolled',
          `${done.length.toLocaleString('en')} of ${LAPTOPS.toLocaleString('en')}${counts.failed ? ` (${counts.failed} failed)` : ''}`,
        ],
        ['half enrolled after', at(0.5)],
        ['all enrolled after', done.length ? `${(done.at(-1) / 1000).toFixed(1)} s` : '—'],
        [
          'answered 429 + Retry-After (times)',
          `${counts.rateLimited.toLocaleString('en')}${waits.length ? `, waits up to ${(Math.max(...waits) / 1000).toFixed(0)} s` : ''}`,
        ],
        ['connection retries', counts.connectionRetries.toLocaleString('en')],
      ],
    };
  } finally {
    await dispatcher.close();
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(data, { recursive: true, force: true });
  }
}
