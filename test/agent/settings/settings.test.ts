// One settings stack for every entry point: defaults < settings.json < the app's own store < environment <
// flags < MDM-managed. IT's stores are read on fixture inputs laid out as MDM writes them; what does not fit
// is reported with its name, where and why, never dropped in silence.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ManagedSources, type ManagedValues, parseRegQuery, readManagedValues } from '../../../src/agent/settings/managed-store.js';
import { type SettingsInput, describeSettings, resolveSettings, settingsWarnings } from '../../../src/agent/settings/resolve.js';
import { effectiveSettings } from '../../../src/main/settings.js';
import { FIXTURES } from '../../helpers/machines.js';

const fixture = (name: string) => readFileSync(path.join(FIXTURES, 'managed', name), 'utf8');

function sources(files: Record<string, string>, commands: Record<string, string> = {}): ManagedSources {
  return {
    readFile: async (file) => files[file],
    run: async (command, args) => commands[[command, ...args].join(' ')],
    user: 'alice',
  };
}

describe('macOS configuration profiles', () => {
  it('reads the managed preferences plist, typed, and checks every value against the catalogue', async () => {
    const managed = await readManagedValues(
      'darwin',
      sources({ '/Library/Managed Preferences/dev.mcpwarden.agent.plist': fixture('dev.mcpwarden.agent.plist') }),
    );
    expect(managed.origin).toBe('/Library/Managed Preferences/dev.mcpwarden.agent.plist');
    const resolved = resolveSettings({ managed });
    expect(resolved.settings).toMatchObject({
      serverUrl: 'https://warden.corp.example.com',
      enrollSecret: 'mdm-enroll-secret',
      probe: 'remote-only',
      scanRoots: ['/Users/Shared/src'],
      reportIntervalSec: 600,
      orgDomains: ['corp.example.com'],
    });
    expect(resolved.desktop.hideQuit).toBe(true);
    expect([...resolved.locked].sort()).toEqual([
      'enrollSecret',
      'hideQuit',
      'orgDomains',
      'probe',
      'reportIntervalSec',
      'scanRoots',
      'serverUrl',
    ]);
    // A profile's own bookkeeping (Payload…) is neither a setting nor a mistake.
    expect(resolved.problems).toEqual([]);
    expect(resolveSettings({ managed: { values: { ServerURL: 'https://x.example.com' } } }).problems).toEqual([
      expect.objectContaining({
        name: 'ServerURL',
        message: expect.stringMatching(/^is not a setting MCP Warden knows \(ignored\); known names: Mode, ServerUrl, /),
      }),
    ]);
  });

  it('prefers the per-user profile and converts binary plists with plutil', async () => {
    const userFile = '/Library/Managed Preferences/alice/dev.mcpwarden.agent.plist';
    const managed = await readManagedValues(
      'darwin',
      sources({ [userFile]: 'bplist00…' }, { [`/usr/bin/plutil -convert xml1 -o - ${userFile}`]: fixture('dev.mcpwarden.agent.plist') }),
    );
    expect(managed.origin).toBe(userFile);
    expect(managed.values.ServerUrl).toBe('https://warden.corp.example.com');
  });

  it('takes each value from the per-user profile over the machine one, and keeps what only the machine one sets', async () => {
    const machineFile = '/Library/Managed Preferences/dev.mcpwarden.agent.plist';
    const userFile = '/Library/Managed Preferences/alice/dev.mcpwarden.agent.plist';
    const userProfile = `<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>
      <key>ProbeMode</key><string>off</string><key>UserEmail</key><string>alice@corp.example.com</string></dict></plist>`;
    const managed = await readManagedValues(
      'darwin',
      sources({ [machineFile]: fixture('dev.mcpwarden.agent.plist'), [userFile]: userProfile }),
    );
    expect(managed.origin).toBe(`${machineFile} + ${userFile}`);
    const resolved = resolveSettings({ managed });
    expect(resolved.settings).toMatchObject({
      serverUrl: 'https://warden.corp.example.com',
      enrollSecret: 'mdm-enroll-secret',
      probe: 'off',
      userEmail: 'alice@corp.example.com',
    });
    expect(resolved.locked.has('serverUrl')).toBe(true);
  });

  it('says which profile cannot be read and still applies the other', async () => {
    const machineFile = '/Library/Managed Preferences/dev.mcpwarden.agent.plist';
    const userFile = '/Library/Managed Preferences/alice/dev.mcpwarden.agent.plist';
    const managed = await readManagedValues(
      'darwin',
      sources({ [machineFile]: fixture('dev.mcpwarden.agent.plist'), [userFile]: 'bplist00…' }),
    );
    expect(managed.values.ServerUrl).toBe('https://warden.corp.example.com');
    expect(managed.problem).toBe(`${userFile} could not be converted to XML by plutil (ignored)`);
  });

  it('reads nothing when no profile is installed', async () => {
    expect(await readManagedValues('darwin', sources({}))).toEqual({ values: {} });
  });
});

describe('Windows policies', () => {
  it('parses reg query output, typed', () => {
    expect(parseRegQuery(fixture('reg-query-hklm.txt'))).toEqual({
      ServerUrl: 'https://warden.corp.example.com',
      ProbeMode: 'off',
      ReportIntervalSeconds: 600,
      HideQuit: 1,
      ScanRoots: ['C:\\src', 'D:\\work'],
    });
  });

  it('lets machine policy win over user policy, value by value', async () => {
    const managed = await readManagedValues(
      'win32',
      sources(
        {},
        {
          'reg query HKCU\\SOFTWARE\\Policies\\MCPWarden': fixture('reg-query-hkcu.txt'),
          'reg query HKLM\\SOFTWARE\\Policies\\MCPWarden': fixture('reg-query-hklm.txt'),
        },
      ),
    );
    expect(managed.origin).toBe('HKCU\\SOFTWARE\\Policies\\MCPWarden + HKLM\\SOFTWARE\\Policies\\MCPWarden');
    const resolved = resolveSettings({ managed });
    expect(resolved.settings).toMatchObject({
      serverUrl: 'https://warden.corp.example.com',
      probe: 'off',
      reportIntervalSec: 600,
      scanRoots: ['C:\\src', 'D:\\work'],
      orgDomains: ['corp.example.com', 'example.org'],
    });
    expect(resolved.desktop.hideQuit).toBe(true);
    expect(resolved.problems).toEqual([]);
  });
});

describe('Linux managed file', () => {
  it('reads /etc/mcp-warden/managed.json and reports a value of the wrong type instead of dropping it in silence', async () => {
    const managed = await readManagedValues('linux', sources({ '/etc/mcp-warden/managed.json': fixture('managed.json') }));
    const resolved = resolveSettings({ managed });
    expect(resolved.settings).toMatchObject({
      serverUrl: 'https://warden.corp.example.com',
      enrollSecret: 'linux-enroll-secret',
      probe: 'all',
      mode: 'enforce',
      guardCommand: '/usr/bin/mcp-warden',
      reportIntervalSec: 300,
      scanRoots: [],
    });
    expect(resolved.desktop).toEqual({ hideQuit: false, launchAtLogin: true });
    expect(settingsWarnings(resolved)).toEqual([
      'settings: managed ScanRoots (/etc/mcp-warden/managed.json): ScanRoots ["/srv/projects",42] is not a valid project folders: Invalid input: expected string, received number (ignored)',
    ]);
  });

  it('says loudly that a broken file was ignored', async () => {
    const managed = await readManagedValues('linux', sources({ '/etc/mcp-warden/managed.json': '{ nope' }));
    expect(managed).toMatchObject({
      values: {},
      origin: '/etc/mcp-warden/managed.json',
      problem: expect.stringMatching(/^\/etc\/mcp-warden\/managed\.json is not valid JSON: .+ \(every managed setting in it is ignored\)$/),
    });
    expect(settingsWarnings(resolveSettings({ managed }))).toEqual([
      `settings: managed (/etc/mcp-warden/managed.json): ${managed.problem}`,
    ]);
  });
});

describe('the precedence of the layers', () => {
  const managed = (values: Record<string, unknown>): ManagedValues => ({ values, origin: '/etc/mcp-warden/managed.json' });
  const file = (values: Record<string, unknown>) => ({ path: '/state/settings.json', values });
  // Each row: the layers given, and the value and origin of `probe` that must result.
  const rows: { name: string; input: SettingsInput; value: string; origin: string; locked: boolean }[] = [
    { name: 'nothing set: the default', input: {}, value: 'all', origin: 'default', locked: false },
    {
      name: 'the settings file over the default',
      input: { file: file({ probe: 'off' }) },
      value: 'off',
      origin: 'settings file /state/settings.json',
      locked: false,
    },
    {
      name: 'the app’s own store over the file',
      input: { file: file({ probe: 'off' }), user: { probe: 'remote-only' } },
      value: 'remote-only',
      origin: 'your settings in the app',
      locked: false,
    },
    {
      name: 'the environment over the store and the file',
      input: { file: file({ probe: 'off' }), user: { probe: 'off' }, env: { MCP_WARDEN_PROBE: 'remote-only' } },
      value: 'remote-only',
      origin: 'environment MCP_WARDEN_PROBE',
      locked: false,
    },
    {
      name: 'a flag over the environment',
      input: { env: { MCP_WARDEN_PROBE: 'remote-only' }, flags: { probe: 'off' } },
      value: 'off',
      origin: 'flag --probe-mode',
      locked: false,
    },
    {
      name: 'managed over everything, and locked',
      input: {
        file: file({ probe: 'off' }),
        env: { MCP_WARDEN_PROBE: 'off' },
        flags: { probe: 'off' },
        managed: managed({ ProbeMode: 'remote-only' }),
      },
      value: 'remote-only',
      origin: 'managed ProbeMode (/etc/mcp-warden/managed.json)',
      locked: true,
    },
    {
      name: 'an unfit managed value leaves the layer below in force',
      input: { env: { MCP_WARDEN_PROBE: 'off' }, managed: managed({ ProbeMode: 'sometimes' }) },
      value: 'off',
      origin: 'environment MCP_WARDEN_PROBE',
      locked: false,
    },
    {
      name: 'an unfit environment value leaves the file in force',
      input: { file: file({ probe: 'off' }), env: { MCP_WARDEN_PROBE: 'sometimes' } },
      value: 'off',
      origin: 'settings file /state/settings.json',
      locked: false,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const resolved = resolveSettings(row.input);
      expect(resolved.settings.probe).toBe(row.value);
      expect(resolved.origins.probe).toBe(row.origin);
      expect(resolved.locked.has('probe')).toBe(row.locked);
    });
  }

  it('says once that a flag is overridden by a managed value, and names unfit values with where they came from', () => {
    const resolved = resolveSettings({
      flags: { serverUrl: 'https://mine.example.net' },
      env: { MCP_WARDEN_MODE: 'lockdown' },
      managed: managed({ ServerUrl: 'https://warden.corp.example.com', Mode: 'strict', EnrollSecret: 42 }),
    });
    expect(resolved.settings.serverUrl).toBe('https://warden.corp.example.com');
    expect(settingsWarnings(resolved)).toEqual([
      'settings: environment MCP_WARDEN_MODE: MCP_WARDEN_MODE "lockdown" is not a valid mode: Invalid option: expected one of "monitor"|"enforce" (ignored)',
      'settings: managed Mode (/etc/mcp-warden/managed.json): Mode "strict" is not a valid mode: Invalid option: expected one of "monitor"|"enforce" (ignored)',
      // A secret's value is never quoted, not even a wrong one.
      'settings: managed EnrollSecret (/etc/mcp-warden/managed.json): EnrollSecret (hidden) is not a valid enroll secret: Invalid input: expected string, received number (ignored)',
      "settings: --server is overridden by the organisation's managed ServerUrl",
    ]);
  });

  it('reads lists from text as IT writes them, blank entries left out', () => {
    const resolved = resolveSettings({
      env: { MCP_WARDEN_ORG_DOMAINS: 'corp.example.com, example.org,' },
      managed: managed({ ScanRoots: ['/srv/projects', '  ', '/work'] }),
    });
    expect(resolved.settings.orgDomains).toEqual(['corp.example.com', 'example.org']);
    expect(resolved.settings.scanRoots).toEqual(['/srv/projects', '/work']);
    expect(resolved.problems).toEqual([]);
  });

  it('describes every setting with its value and origin, secrets as set or not set', () => {
    const described = describeSettings(
      resolveSettings({ env: { MCP_WARDEN_ENROLL_SECRET: 's3cret' }, managed: managed({ ServerUrl: 'https://warden.corp.example.com' }) }),
    );
    expect(described.find((item) => item.key === 'enrollSecret')).toEqual({
      key: 'enrollSecret',
      label: 'Enroll secret',
      value: 'set',
      origin: 'environment MCP_WARDEN_ENROLL_SECRET',
      locked: false,
    });
    expect(described.find((item) => item.key === 'serverUrl')).toMatchObject({ value: 'https://warden.corp.example.com', locked: true });
    expect(JSON.stringify(described)).not.toContain('s3cret');
    const withUser = describeSettings(resolveSettings({ env: { MCP_WARDEN_SERVER_URL: 'https://agent:hunter2@warden.example.com/' } }));
    expect(withUser.find((item) => item.key === 'serverUrl')!.value).toBe('https://warden.example.com/');
  });
});

describe('the desktop app', () => {
  it('puts managed values over the user’s and lists them as locked', () => {
    const effective = effectiveSettings(
      resolveSettings({
        user: { serverUrl: 'https://mine.example.net', probe: 'off', launchAtLogin: false },
        managed: { values: { ServerUrl: 'https://warden.corp.example.com', HideQuit: true } },
      }),
    );
    expect(effective.agent).toMatchObject({ serverUrl: 'https://warden.corp.example.com', probe: 'off', reportIntervalSec: 900 });
    expect(effective).toMatchObject({ hideQuit: true, launchAtLogin: false });
    expect(effective.managedKeys.sort()).toEqual(['hideQuit', 'serverUrl']);
  });
});
