// Servers that misbehave: each is timed out or capped, killed with everything it started, and reported with a
// specific reason, while the probes beside it go on.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../src/shared/inventory.js';
import { probeAll } from '../../../src/agent/probe/probe-all.js';
import type { ProbeLimits } from '../../../src/agent/probe/probe-server.js';
import { expectNoPlantedSecret } from '../../helpers/machines.js';
import { EVERYTHING, NODE, type ProbeHome, alive, probeHome, script } from '../../helpers/probe-home.js';

const FAST: Partial<ProbeLimits> = { connectTimeoutMs: 1500, requestTimeoutMs: 1500, maxProbeMs: 6000 };

let home: ProbeHome | undefined;
afterEach(() => home?.remove());

async function probe(servers: Record<string, unknown>, limits: Partial<ProbeLimits> = FAST): Promise<Record<string, ProbeResult>> {
  home = probeHome(servers);
  const outcome = await home.scan();
  const probes = await probeAll(outcome, { mode: 'all', env: process.env, home: home.home, limits });
  return Object.fromEntries(outcome.result.servers.map((server) => [server.name, probes[server.id]!]));
}

describe('hostile servers', () => {
  it('skips a banner line written with the answer to initialize, and says so', async () => {
    const probes = await probe({ banner: script('banner.mjs') });
    expect(probes.banner).toMatchObject({ status: 'ok', tools: [{ name: 'greet' }] });
    expect(probes.banner!.risks).toContainEqual({
      id: 'non-protocol-output',
      severity: 'info',
      evidence: 'wrote 1 line to stdout that is not an MCP message (skipped, as clients skip them)',
    });
  });

  it('times out a silent server, and the others still answer', async () => {
    const probes = await probe({ silent: script('silent.mjs'), everything: { command: NODE, args: [EVERYTHING] } });
    expect(probes.silent).toMatchObject({ status: 'timeout', reason: 'no answer to initialize within 1.5 s' });
    expect(probes.everything).toMatchObject({ status: 'ok' });
  });

  it('reports a crash with its exit code and what it said, without the secret it printed', async () => {
    const probes = await probe({ crash: script('crash.mjs') });
    expect(probes.crash!.status).toBe('error');
    expect(probes.crash!.reason).toBe('the server exited with code 3 before answering initialize; stderr: Error: database unreachable');
    expect(expectNoPlantedSecret(JSON.stringify(probes))).toEqual([]);
  });

  it('times out a server that answers initialize but never finishes listing', async () => {
    const probes = await probe({ slow: script('slow-list.mjs') });
    expect(probes.slow).toMatchObject({ status: 'timeout', reason: 'no answer to listing within 1.5 s' });
  });

  it('stops any probe at its overall ceiling, whatever the per-request timeouts', async () => {
    const probes = await probe({ slow: script('slow-list.mjs') }, { connectTimeoutMs: 5000, requestTimeoutMs: 5000, maxProbeMs: 1000 });
    expect(probes.slow).toMatchObject({ status: 'timeout', reason: 'the probe did not finish within 1 s' });
  });

  it('follows 20 pages of 10,000 tools and keeps the first 1,000, saying the list was cut', async () => {
    const probes = await probe({ many: script('many-tools.mjs') }, { ...FAST, connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
    expect(probes.many!.status).toBe('ok');
    expect(probes.many!.tools).toHaveLength(1000);
    expect(probes.many!.truncated).toEqual(['tools']);
    expect(probes.many!.risks).toContainEqual({
      id: 'oversized-server',
      severity: 'medium',
      evidence: 'more tools than the cap; the list was cut',
    });
  });

  it('cuts a 5 MB description, keeping its length and flagging it', async () => {
    const probes = await probe({ huge: script('huge-description.mjs') }, { ...FAST, connectTimeoutMs: 5000, requestTimeoutMs: 5000 });
    const huge = probes.huge!.tools.find((tool) => tool.name === 'huge')!;
    expect(huge.description).toHaveLength(16_384);
    expect(huge.descriptionLength).toBe(5 * 1024 * 1024);
    expect(huge.risks).toContainEqual({
      id: 'oversized-description',
      severity: 'medium',
      evidence: 'the description is 5,242,880 characters long',
    });
    expect(probes.huge!.tools.find((tool) => tool.name === 'small')!.risks).toEqual([]);
  });

  it('refuses a server that sends more than the byte cap', async () => {
    const probes = await probe({ huge: script('huge-description.mjs') }, { ...FAST, maxBytes: 1024 * 1024 });
    expect(probes.huge!.status).toBe('error');
    expect(probes.huge!.reason).toBe('listing failed: the server sent more than 1 MiB');
  });

  it('kills the whole process tree: no grandchild survives a hung server or a finished probe', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-pids-'));
    const hungPid = path.join(folder, 'hung.pid');
    const servedPid = path.join(folder, 'served.pid');
    const probes = await probe({ hung: script('forker.mjs', hungPid), served: script('forker.mjs', servedPid, 'serve') });
    expect(probes.hung!.status).toBe('timeout');
    expect(probes.served!.status).toBe('ok');
    for (const file of [hungPid, servedPid]) {
      const pid = Number(readFileSync(file, 'utf8'));
      expect(alive(pid), `grandchild ${pid} from ${path.basename(file)}`).toBe(false);
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it('keeps only the end of a flood of stderr', async () => {
    const probes = await probe({ noisy: script('stderr-flood.mjs') });
    expect(probes.noisy!.status).toBe('timeout');
    expect(JSON.stringify(probes.noisy).length).toBeLessThan(2000);
  });

  it('survives a flood of garbage on stdout', async () => {
    const probes = await probe({ garbage: script('stdout-flood.mjs') }, { ...FAST, maxBytes: 4 * 1024 * 1024 });
    expect(probes.garbage).toMatchObject({ status: 'error', reason: 'initialize failed: the server sent more than 4 MiB' });
  });

  it('says which command was not found', async () => {
    const probes = await probe({ missing: { command: 'mcp-warden-no-such-command', args: [] } });
    expect(probes.missing).toMatchObject({ status: 'error', reason: 'command not found' });
  });
});

describe('poisoned tools', () => {
  it('sees hidden instructions, secret files, hidden text and shell access', async () => {
    const probes = await probe({ poisoned: script('poisoned.mjs') });
    const risks = Object.fromEntries(
      probes.poisoned!.tools.map((tool) => [tool.name, tool.risks.map((risk) => `${risk.severity} ${risk.id}: ${risk.evidence}`)]),
    );
    expect(risks.add).toEqual([
      'critical tool-poisoning: the description carries an <IMPORTANT>-style hidden instruction block',
      'critical tool-poisoning: the description tells the model to keep something from the user',
      'high tool-poisoning: the description asks the model to do something else before using the tool',
      'high tool-poisoning: the description refers to secret files (~/.ssh, .env, credentials)',
    ]);
    expect(risks.weather).toEqual([
      'critical tool-poisoning: the description tells the model to ignore previous instructions',
      'critical hidden-unicode: 28 Unicode tag characters (invisible text) in the description',
    ]);
    expect(risks.notes).toEqual([
      'high tool-poisoning: the description refers to other MCP clients’ configuration files',
      'medium tool-poisoning: the description asks to send data somewhere',
      'high hidden-unicode: 1 zero-width characters in the description',
    ]);
    expect(risks.run_command).toEqual([
      'critical privileged-access: shell or code execution: name "run_command", its description, input "command"',
    ]);
    expect(risks.echo).toEqual([]);
  });
});
