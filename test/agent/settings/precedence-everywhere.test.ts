// The precedence of the settings' layers, for every setting and every entry point, as data: each entry point is
// given a value for a setting in every layer it has, then the strongest layers are taken away one by one; the
// value in force must always come from the strongest layer left (IT's managed value over flags over environment
// over the app's own store over settings.json), and be locked exactly when it is managed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { agentContext } from '../../../src/agent/cli/agent-flags.js';
import type { CommandIO } from '../../../src/agent/cli/io.js';
import { main } from '../../../src/agent/cli/main.js';
import { AGENT_SETTINGS } from '../../../src/agent/settings/agent-settings.js';
import type { AgentSettingKey } from '../../../src/agent/settings/setting-names.js';
import { LINUX_MANAGED_FILE, type ManagedSources } from '../../../src/agent/settings/managed-store.js';
import { desktopSettings } from '../../../src/main/settings.js';

type LayerName = 'file' | 'user' | 'environment' | 'flag' | 'managed';

/** A valid value of each setting, different in each layer (n), as JSON and as the text of a variable or flag. */
const SAMPLES: Record<AgentSettingKey, (n: number) => { json: unknown; text: string }> = {
  mode: (n) => same(['monitor', 'enforce'][n % 2]!),
  serverUrl: (n) => same(`https://layer-${n}.example.com/`),
  enrollSecret: (n) => same(`enroll-secret-${n}`),
  probe: (n) => same(['all', 'remote-only', 'off'][n % 3]!),
  probeProjects: (n) => same(['approved', 'never', 'all'][n % 3]!),
  scanRoots: (n) => ({ json: [`/srv/layer-${n}`, `/work/layer-${n}`], text: `/srv/layer-${n};/work/layer-${n}` }),
  reportIntervalSec: (n) => ({ json: 600 + n, text: String(600 + n) }),
  userEmail: (n) => same(`person-${n}@corp.example.com`),
  orgDomains: (n) => ({ json: [`layer-${n}.example.com`], text: `layer-${n}.example.com` }),
  caFile: (n) => same(`/etc/ssl/layer-${n}.pem`),
  guardCommand: (n) => same(`/opt/layer-${n}/mcp-warden`),
  guardPort: (n) => ({ json: 40_000 + n, text: String(40_000 + n) }),
};
const same = (text: string) => ({ json: text, text });

interface Given {
  file: Record<string, unknown>;
  user: Record<string, unknown>;
  env: Record<string, string>;
  flags: string[];
  managed: Record<string, unknown>;
}

interface EntryPoint {
  name: string;
  /** Its layers, weakest first. */
  layers: LayerName[];
  /** The flags it takes, by setting. */
  flags: Partial<Record<AgentSettingKey, string>>;
  /** Where each setting's value came from, and whether it is locked. */
  resolve(given: Given): Promise<Record<string, { origin: string; locked: boolean }>>;
}

let folder: string;
let stateDir: string;
const settingsFile = () => path.join(stateDir, 'settings.json');

beforeEach(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'mcp-warden-precedence-'));
  stateDir = path.join(folder, 'state');
  mkdirSync(path.join(folder, 'home'), { recursive: true });
  mkdirSync(stateDir, { recursive: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(folder, { recursive: true, force: true });
});

const managedSources = (values: Record<string, unknown>): ManagedSources => ({
  readFile: async (file) => (file === LINUX_MANAGED_FILE ? JSON.stringify(values) : undefined),
  run: async () => undefined,
  user: 'dana',
});

function commandIO(given: Given, out: { stdout: string; stderr: string }): CommandIO {
  return {
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    columns: Infinity,
    isTTY: false,
    untilStopped: async () => undefined,
    managed: managedSources(given.managed),
  };
}

/** Writes the file layer and the environment a run sees. */
function lay(given: Given): void {
  writeFileSync(settingsFile(), JSON.stringify(given.file));
  // Every variable of the catalogue unset unless this run sets it: the machine's own must not leak in.
  for (const spec of Object.values(AGENT_SETTINGS)) vi.stubEnv(spec.env, given.env[spec.env] ?? '');
}

const byKey = (entries: { key: string; origin: string; locked: boolean }[]) =>
  Object.fromEntries(entries.map(({ key, origin, locked }) => [key, { origin, locked }]));

const COMMAND_FLAGS = { serverUrl: '--server', enrollSecret: '--secret' } as const;

const ENTRY_POINTS: EntryPoint[] = [
  {
    name: 'a command (`mcp-warden status --json`)',
    layers: ['file', 'environment', 'flag', 'managed'],
    flags: COMMAND_FLAGS,
    resolve: async (given) => {
      lay(given);
      const out = { stdout: '', stderr: '' };
      const argv = [
        'status',
        '--json',
        '--state-dir',
        stateDir,
        '--home',
        path.join(folder, 'home'),
        '--platform',
        'linux',
        ...given.flags,
      ];
      const code = await main(argv, commandIO(given, out));
      expect(code, out.stderr).toBe(0);
      return byKey(JSON.parse(out.stdout).settings);
    },
  },
  {
    name: 'the headless agent and the harness (their agent context)',
    layers: ['file', 'environment', 'flag', 'managed'],
    flags: COMMAND_FLAGS,
    resolve: async (given) => {
      lay(given);
      const values: Record<string, string> = { 'state-dir': stateDir };
      for (let index = 0; index < given.flags.length; index += 2) values[given.flags[index]!.slice(2)] = given.flags[index + 1]!;
      const context = await agentContext(values, commandIO(given, { stdout: '', stderr: '' }), () => undefined);
      await context.engine.close();
      const { origins, locked } = context.resolved;
      return Object.fromEntries(
        Object.entries(origins).map(([key, origin]) => [key, { origin, locked: locked.has(key as AgentSettingKey) }]),
      );
    },
  },
  {
    name: 'the desktop app',
    layers: ['file', 'user', 'environment', 'managed'],
    flags: {},
    resolve: async (given) => {
      lay(given);
      const { resolved } = await desktopSettings(
        { stateDir, user: given.user, env: process.env, platform: 'linux', managed: managedSources(given.managed) },
        () => undefined,
      );
      return Object.fromEntries(
        Object.entries(resolved.origins).map(([key, origin]) => [key, { origin, locked: resolved.locked.has(key as AgentSettingKey) }]),
      );
    },
  },
];

/** The origin each layer gives a setting. */
function originOf(layer: LayerName, key: AgentSettingKey, entry: EntryPoint): string {
  const spec = AGENT_SETTINGS[key];
  return {
    file: `settings file ${settingsFile()}`,
    user: 'your settings in the app',
    environment: `environment ${spec.env}`,
    flag: `flag ${entry.flags[key]}`,
    managed: `managed ${spec.managed} (${LINUX_MANAGED_FILE})`,
  }[layer];
}

/** A value for `key` in each of `layers`. */
function given(key: AgentSettingKey, layers: LayerName[], entry: EntryPoint): Given {
  const spec = AGENT_SETTINGS[key];
  const out: Given = { file: {}, user: {}, env: {}, flags: [], managed: {} };
  layers.forEach((layer, n) => {
    const sample = SAMPLES[key](n);
    if (layer === 'file') out.file[key] = sample.json;
    if (layer === 'user') out.user[key] = sample.json;
    if (layer === 'environment') out.env[spec.env] = sample.text;
    if (layer === 'flag') out.flags.push(entry.flags[key]!, sample.text);
    if (layer === 'managed') out.managed[spec.managed] = sample.json;
  });
  return out;
}

describe.skipIf(process.platform !== 'linux')('the precedence of every setting, at every entry point', () => {
  for (const entry of ENTRY_POINTS) {
    describe(entry.name, () => {
      for (const key of Object.keys(AGENT_SETTINGS) as AgentSettingKey[]) {
        // The layers this entry point has for this setting: a flag only where it takes one.
        const layers = entry.layers.filter((layer) => layer !== 'flag' || entry.flags[key]);
        it(`${key}: ${layers.join(' < ')}`, async () => {
          for (let top = layers.length; top >= 1; top--) {
            const present = layers.slice(0, top);
            const strongest = present.at(-1)!;
            const settings = await entry.resolve(given(key, present, entry));
            expect(settings[key], `${key} with ${present.join(', ')}`).toEqual({
              origin: originOf(strongest, key, entry),
              locked: strongest === 'managed',
            });
          }
        });
      }
    });
  }
});
