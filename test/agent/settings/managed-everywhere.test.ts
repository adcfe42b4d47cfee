// IT's managed settings apply to every entry point, not only the desktop app: the headless agent that
// docs/deploy-mdm.md installs as a service enrolls with a managed ServerUrl and EnrollSecret alone, `status`
// says where each setting came from, and a value that does not fit is reported, not dropped in silence.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/agent/cli/main.js';
import type { CommandIO } from '../../../src/agent/cli/io.js';
import { LINUX_MANAGED_FILE, type ManagedSources } from '../../../src/agent/settings/managed-store.js';
import { buildServer } from '../../../src/server/app.js';
import { memoryStorage } from '../../../src/server/storage/open-storage.js';
import type { Storage } from '../../../src/server/storage/storage.js';
import { allDevices, serverNamesOf } from '../../helpers/storage-reads.js';

let folder: string;
let storage: Storage;
let central: FastifyInstance;
let url: string;

beforeEach(async () => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-managed-'));
  mkdirSync(path.join(folder, 'home', '.cursor'), { recursive: true });
  writeFileSync(
    path.join(folder, 'home', '.cursor', 'mcp.json'),
    JSON.stringify({ mcpServers: { docs: { url: 'https://mcp.example.com/docs' } } }),
  );
  storage = await memoryStorage();
  central = await buildServer({ storage, enrollSecret: 'managed-enroll-secret', adminToken: 'admin', adminName: 'it@example.com' });
  url = await central.listen({ port: 0, host: '127.0.0.1' });
});

afterEach(async () => {
  await central.close();
  rmSync(folder, { recursive: true, force: true });
});

/** The command as a service would run it, with /etc/mcp-warden/managed.json holding `managed`. */
async function run(argv: string[], managed: Record<string, unknown>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sources: ManagedSources = {
    readFile: async (file) => (file === LINUX_MANAGED_FILE ? JSON.stringify(managed) : undefined),
    run: async () => undefined,
    user: 'carol',
  };
  const io: CommandIO = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    columns: Infinity,
    isTTY: false,
    untilStopped: async () => undefined,
    managed: sources,
  };
  const code = await main(
    [...argv, '--state-dir', path.join(folder, 'state'), '--home', path.join(folder, 'home'), '--platform', 'linux'],
    io,
  );
  return { code, stdout, stderr };
}

describe.skipIf(process.platform !== 'linux')('managed settings in the headless agent and the commands', () => {
  it('enrolls and reports with nothing but a managed ServerUrl and EnrollSecret', async () => {
    const agent = await run(['agent', '--once'], { ServerUrl: url, EnrollSecret: 'managed-enroll-secret' });
    expect(agent.stdout).not.toContain('not enrolled and no enroll secret');
    expect(agent.code, agent.stdout).toBe(0);
    const [device] = await allDevices(storage);
    expect(device).toBeDefined();
    expect(await serverNamesOf(storage, device!.id)).toEqual(['docs']);
  });

  it('files the device, its reports and its events under the person IT names in UserEmail', async () => {
    const managed = { ServerUrl: url, EnrollSecret: 'managed-enroll-secret', UserEmail: 'Carol@Corp.example' };
    expect((await run(['agent', '--once'], managed)).code).toBe(0);
    const request = await run(['request-approval', 'docs', '--reason', 'for the release notes'], managed);
    expect(request.code, request.stdout + request.stderr).toBe(0);
    const [device] = await allDevices(storage);
    expect(device).toMatchObject({ userEmail: 'carol@corp.example', human: 'human|carol@corp.example' });
    const events = await storage.events({ human: 'human|carol@corp.example' }, { sort: 'at', descending: false, limit: 50 });
    expect(events.items.map((event) => [event.type, event.userEmail, event.agent])).toEqual([
      ['approval-request', 'carol@corp.example', expect.stringMatching(/^agent\|cursor@/)],
    ]);
    // An MDM that did not fill its variable in sends the variable itself: said, not sent.
    const unfilled = await run(['agent', '--once'], { ...managed, UserEmail: '$EMAIL' });
    expect(unfilled.stdout).toContain(`settings: managed UserEmail (${LINUX_MANAGED_FILE}): UserEmail "$EMAIL" is not a valid user email`);
  });

  it('wins over a flag, says so once, and shows in `status --json` where each setting came from', async () => {
    const agent = await run(['agent', '--once', '--server', 'http://127.0.0.1:9/elsewhere'], {
      ServerUrl: url,
      EnrollSecret: 'managed-enroll-secret',
    });
    expect(agent.code, agent.stdout).toBe(0);
    expect(agent.stdout.match(/--server is overridden by the organisation's managed ServerUrl/g)).toHaveLength(1);

    const status = await run(['status', '--json'], { ServerUrl: url, EnrollSecret: 'managed-enroll-secret', ProbeMode: 'remote-only' });
    const settings = JSON.parse(status.stdout).settings as { key: string; value: unknown; origin: string; locked: boolean }[];
    const setting = (key: string) => settings.find((item) => item.key === key);
    expect(setting('serverUrl')).toMatchObject({ value: url, origin: `managed ServerUrl (${LINUX_MANAGED_FILE})`, locked: true });
    expect(setting('enrollSecret')).toMatchObject({ value: 'set', locked: true });
    expect(setting('probe')).toMatchObject({ value: 'remote-only', locked: true });
    expect(setting('mode')).toMatchObject({ value: 'monitor', origin: 'default', locked: false });
    expect(status.stdout).not.toContain('managed-enroll-secret');
  });

  it('reports an unfit managed value loudly, in the agent’s log and in `status`', async () => {
    const managed = { ServerUrl: url, EnrollSecret: 'managed-enroll-secret', Mode: 'lockdown', ReportIntervalSeconds: 'hourly' };
    const agent = await run(['agent', '--once'], managed);
    expect(agent.stdout).toContain(`settings: managed Mode (${LINUX_MANAGED_FILE}): Mode "lockdown" is not a valid mode`);
    expect(agent.stdout).toContain(
      `settings: managed ReportIntervalSeconds (${LINUX_MANAGED_FILE}): ReportIntervalSeconds "hourly" is not a valid report interval (seconds)`,
    );
    const status = await run(['status'], managed);
    expect(status.stdout).toContain('Settings that could not be applied');
    expect(status.stdout).toContain(`  ! managed Mode (${LINUX_MANAGED_FILE}): Mode "lockdown" is not a valid mode`);
    const json = JSON.parse((await run(['status', '--json'], managed)).stdout);
    expect(json.settingsProblems.map((problem: { name: string }) => problem.name)).toEqual(['Mode', 'ReportIntervalSeconds']);
  });

  it('applies IT’s ProbeProjects and ProbeMode to `scan --probe`, over its flags', async () => {
    const scan = await run(['scan', '--probe', '--probe-replay', '--json', '--probe-mode', 'all'], { ProbeMode: 'off' });
    expect(Object.values(JSON.parse(scan.stdout).probes as Record<string, { reason: string }>).map((probe) => probe.reason)).toEqual([
      'probing is off (setting probe: off)',
    ]);
    expect(scan.stderr).toContain("settings: --probe-mode is overridden by the organisation's managed ProbeMode");
  });

  it('calls a flag that does not fit a usage mistake, not a setting to pass over', async () => {
    const status = await run(['status', '--server', 'warden.example.com'], {});
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('mcp-warden status: --server "warden.example.com" is not a valid central endpoint');
  });

  it('scans IT’s ScanRoots with its OrgDomains in every command that scans, as the agent does', async () => {
    const project = path.join(folder, 'src', 'billing');
    mkdirSync(path.join(project, '.cursor'), { recursive: true });
    writeFileSync(
      path.join(project, '.cursor', 'mcp.json'),
      JSON.stringify({ mcpServers: { ledger: { url: 'https://mcp.corp.example.com/ledger' } } }),
    );
    const managed = {
      ServerUrl: url,
      EnrollSecret: 'managed-enroll-secret',
      ScanRoots: [path.join(folder, 'src')],
      OrgDomains: 'corp.example.com',
    };
    const seen = (servers: { name: string; scope: string; accessType?: string }[]) =>
      servers.map((server) => `${server.scope} ${server.name}${server.accessType ? ` ${server.accessType}` : ''}`).sort();

    const scan = await run(['scan', '--json'], managed);
    expect(seen(JSON.parse(scan.stdout).servers)).toEqual(['project ledger private', 'user docs third-party']);
    const status = await run(['status', '--json'], managed);
    expect(seen(JSON.parse(status.stdout).servers)).toEqual(['project ledger', 'user docs']);
    expect((await run(['inspect', 'ledger', '--probe-mode', 'off', '--json'], managed)).code).toBe(0);
    expect((await run(['agent', '--once'], managed)).code).toBe(0);
    const [device] = await allDevices(storage);
    expect(await serverNamesOf(storage, device!.id)).toEqual(['docs', 'ledger']);
  });

  it('lists in `status --json` the flags a managed value overrides', async () => {
    const status = await run(['status', '--json', '--server', 'https://mine.example.net'], { ServerUrl: url });
    expect(JSON.parse(status.stdout).settingsOverridden).toEqual(["--server is overridden by the organisation's managed ServerUrl"]);
  });

  it('goes on past a settings.json that is not JSON, saying so; a file named with --settings is the caller’s mistake', async () => {
    mkdirSync(path.join(folder, 'state'), { recursive: true });
    const broken = path.join(folder, 'state', 'settings.json');
    writeFileSync(broken, '{ "probe": "off", ');
    const agent = await run(['agent', '--once'], { ServerUrl: url, EnrollSecret: 'managed-enroll-secret' });
    expect(agent.code, agent.stdout + agent.stderr).toBe(0);
    expect(agent.stdout).toContain(`settings: settings file ${broken}: is not valid JSON`);
    expect(await allDevices(storage)).toHaveLength(1);
    const status = JSON.parse((await run(['status', '--json'], {})).stdout);
    expect(status.settingsProblems).toEqual([
      expect.objectContaining({
        layer: 'file',
        where: `settings file ${broken}`,
        message: expect.stringMatching(/^is not valid JSON: .* \(every setting in it is ignored\)$/),
      }),
    ]);

    const named = await run(['status', '--settings', broken], {});
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(new RegExp(`--settings ${broken.replaceAll('/', '\\/')}: is not valid JSON`));
    const missing = await run(['status', '--settings', path.join(folder, 'nope.json')], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--settings ${path.join(folder, 'nope.json')}: no such file`);
  });
});
