// Turns one server entry, in any client's dialect, into a LaunchSpec: how the client would start or reach it.
// The field-name variants live in tables here; what differs between clients in meaning (which URL key is
// SSE) comes from the catalogue's Dialect. A bad field is a warning, and the rest of the entry still counts.
import type { Transport } from '../../shared/inventory.js';
import type { Dialect } from './catalogue/types.js';
import { isSecretName } from './secrets.js';
import { parseGuardUrl } from '../platform/guard-invocation.js';
import { isObject } from '../../shared/is-object.js';

/**
 * How a client would launch or reach a server, with values as written (secrets included). It stays in the
 * agent's memory for probing; only the redacted ServerEntry built from it is ever shown or sent.
 */
export interface LaunchSpec {
  /** `builtin`: run inside the client itself (Goose builtins, Zed extensions); nothing to launch. */
  transport: Transport | 'builtin';
  command?: string;
  args: string[];
  env: Record<string, string>;
  /** Variables the client forwards from its own environment or keychain (names only). */
  forwardedEnv: string[];
  envFile?: string;
  cwd?: string;
  url?: string;
  /** The guard's loopback URL actually in the file, when the entry is wrapped (`url` is then the original). */
  guardedUrl?: string;
  headers: Record<string, string>;
  /** Headers filled from the environment (names only). */
  forwardedHeaders: string[];
  disabled: boolean;
  autoApprove: string[];
  /** Other fields of the entry holding literal credentials (OAuth client secrets, stored tokens). */
  secretFields: string[];
}

export type NormaliseResult = { spec: LaunchSpec; warnings: string[] } | { spec?: undefined; warnings: string[] };

const TYPE_TRANSPORT: Record<string, Transport | 'builtin'> = {
  stdio: 'stdio',
  local: 'stdio',
  http: 'http',
  'streamable-http': 'http',
  streamablehttp: 'http',
  streamable_http: 'http',
  remote: 'http',
  sse: 'sse',
  // Goose runs these inside its own process.
  builtin: 'builtin',
  platform: 'builtin',
  frontend: 'builtin',
  inline_python: 'builtin',
};

const FIELDS = {
  command: ['command', 'cmd'],
  args: ['args', 'arguments'],
  env: ['env', 'envs', 'environment'],
  forwardedEnv: ['env_keys', 'env_vars'],
  envFile: ['envFile', 'env_file'],
  cwd: ['cwd', 'working_directory', 'workingDirectory'],
  url: ['url', 'serverUrl', 'httpUrl', 'uri'],
  headers: ['headers', 'http_headers'],
  type: ['type', 'transportType'],
  autoApprove: ['autoApprove', 'alwaysAllow'],
} as const;

/** The keys an entry's URL may stand under, the first present winning: enforcement edits the same one. */
export const URL_FIELDS = FIELDS.url;
export const COMMAND_FIELDS = FIELDS.command;

type Entry = Record<string, unknown>;

function pick(entry: Entry, keys: readonly string[]): { key: string; value: unknown } | undefined {
  for (const key of keys) if (entry[key] !== undefined && entry[key] !== null) return { key, value: entry[key] };
  return undefined;
}

export function normaliseEntry(raw: unknown, dialect: Dialect = {}): NormaliseResult {
  const warnings: string[] = [];
  if (!isObject(raw)) return { warnings: [`entry is ${describe(raw)}, not an object`] };
  const entry = flattenNested(raw);

  const spec: LaunchSpec = {
    transport: 'stdio',
    args: [],
    env: {},
    forwardedEnv: [],
    headers: {},
    forwardedHeaders: [],
    disabled: entry.disabled === true || entry.enabled === false,
    autoApprove: [],
    secretFields: [],
  };

  const command = pick(entry, FIELDS.command);
  if (command) {
    if (typeof command.value === 'string') spec.command = command.value;
    else if (Array.isArray(command.value)) {
      // opencode: the executable and its arguments in one list.
      const [first, ...rest] = stringList(command.value, command.key, warnings);
      spec.command = first;
      spec.args.push(...rest);
    } else warnings.push(`"${command.key}" should be a string`);
  }

  const args = pick(entry, FIELDS.args);
  if (args) {
    if (Array.isArray(args.value)) spec.args.push(...stringList(args.value, args.key, warnings));
    else warnings.push(`"${args.key}" should be a list of strings`);
  }

  const env = pick(entry, FIELDS.env);
  if (env) spec.env = stringMap(env.value, env.key, warnings);
  const forwardedEnv = pick(entry, FIELDS.forwardedEnv);
  if (forwardedEnv && Array.isArray(forwardedEnv.value)) {
    // Codex `env_vars` items are names or `{ name, source }`.
    spec.forwardedEnv = forwardedEnv.value
      .map((item) => (isObject(item) ? item.name : item))
      .filter((name): name is string => typeof name === 'string');
  }

  const envFile = pick(entry, FIELDS.envFile);
  if (typeof envFile?.value === 'string') spec.envFile = envFile.value;
  const cwd = pick(entry, FIELDS.cwd);
  if (typeof cwd?.value === 'string') spec.cwd = cwd.value;

  const url = pick(entry, FIELDS.url);
  if (url) {
    if (typeof url.value === 'string') {
      // An entry wrapped with the guard's HTTP proxy is still the server it proxies.
      const guarded = parseGuardUrl(url.value);
      spec.url = guarded?.upstream ?? url.value;
      if (guarded) spec.guardedUrl = url.value;
    } else warnings.push(`"${url.key}" should be a string`);
  }

  const headers = pick(entry, FIELDS.headers) ?? (isObject(entry.requestOptions) ? pick(entry.requestOptions, ['headers']) : undefined);
  if (headers) spec.headers = stringMap(headers.value, headers.key, warnings);
  // Codex: headers whose values come from variables, and the bearer token's variable.
  if (isObject(entry.env_http_headers)) spec.forwardedHeaders.push(...Object.keys(entry.env_http_headers));
  if (typeof entry.bearer_token_env_var === 'string') spec.forwardedHeaders.push('Authorization');
  if (typeof entry.bearer_token === 'string') spec.headers.Authorization = `Bearer ${entry.bearer_token}`;

  const autoApprove = pick(entry, FIELDS.autoApprove);
  if (autoApprove && Array.isArray(autoApprove.value)) spec.autoApprove = stringList(autoApprove.value, autoApprove.key, warnings);
  if (entry.trust === true) spec.autoApprove = ['*'];

  spec.secretFields = findSecretFields(entry);

  const transport = decideTransport(entry, spec, url?.key, dialect, warnings);
  if (!transport) return { warnings };
  spec.transport = transport;
  return { spec, warnings };
}

/** Cline's newer files and Continue's config.json nest the launch fields under `transport`. */
function flattenNested(entry: Entry): Entry {
  const nestedTransport = entry.transport;
  // Zed's early builds nested `command: { path, args, env }`.
  const nestedCommand = isObject(entry.command) ? entry.command : undefined;
  if (!isObject(nestedTransport) && !nestedCommand && typeof nestedTransport !== 'string') return entry;
  const flat: Entry = Object.assign(Object.create(null) as Entry, entry);
  if (typeof nestedTransport === 'string') flat.type = flat.type ?? nestedTransport;
  if (isObject(nestedTransport)) Object.assign(flat, nestedTransport);
  if (nestedCommand) {
    flat.command = nestedCommand.path;
    flat.args = flat.args ?? nestedCommand.args;
    flat.env = flat.env ?? nestedCommand.env;
  }
  return flat;
}

function decideTransport(
  entry: Entry,
  spec: LaunchSpec,
  urlKey: string | undefined,
  dialect: Dialect,
  warnings: string[],
): LaunchSpec['transport'] | undefined {
  const type = pick(entry, FIELDS.type);
  let declared: LaunchSpec['transport'] | undefined;
  if (type && typeof type.value === 'string') {
    declared = TYPE_TRANSPORT[type.value.toLowerCase()];
    if (!declared) warnings.push(`unknown transport type "${type.value.slice(0, 40)}"`);
  }
  if (declared === 'builtin') return 'builtin';
  if (declared === 'stdio' || (!declared && spec.command !== undefined)) {
    if (spec.command === undefined || spec.command.trim() === '') {
      warnings.push('stdio server without a command: the client cannot start it');
      return undefined;
    }
    return 'stdio';
  }
  if (spec.url === undefined || spec.url.trim() === '') {
    // Zed's extension-provided servers carry only settings; the extension knows how to start them.
    if (!declared && (isObject(entry.settings) || entry.source === 'extension')) return 'builtin';
    warnings.push(
      declared ? `${declared} server without a url: the client cannot reach it` : 'neither a command nor a url: the client cannot start it',
    );
    return undefined;
  }
  if (declared) return declared;
  const byKey = urlKey ? dialect.urlKeyTransport?.[urlKey] : undefined;
  if (byKey) return byKey;
  if (/\/sse\/?(?:[?#]|$)/i.test(spec.url)) return 'sse';
  return dialect.defaultUrlTransport ?? 'http';
}

function stringList(values: unknown[], key: string, warnings: string[]): string[] {
  const result: string[] = [];
  values.forEach((value, index) => {
    if (typeof value === 'string') result.push(value);
    else if (typeof value === 'number' || typeof value === 'boolean') result.push(String(value));
    else warnings.push(`"${key}" item ${index + 1} is ${describe(value)}, not a string`);
  });
  return result;
}

function stringMap(value: unknown, key: string, warnings: string[]): Record<string, string> {
  if (!isObject(value)) {
    warnings.push(`"${key}" should be an object of names and values`);
    return {};
  }
  const result: Record<string, string> = Object.create(null);
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') result[name] = String(item);
    else if (item !== null) warnings.push(`"${key}.${name}" is ${describe(item)}, not a string`);
  }
  return result;
}

const LAUNCH_FIELDS = new Set<string>([
  ...Object.values(FIELDS).flat(),
  'requestOptions',
  'env_http_headers',
  'bearer_token_env_var',
  'bearer_token',
]);

/** Literal credentials anywhere else in the entry (`oauth.clientSecret`, Cline's stored tokens), by path. */
function findSecretFields(entry: Entry, prefix = '', depth = 0): string[] {
  if (depth > 4) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (depth === 0 && LAUNCH_FIELDS.has(key)) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string' && value.trim() !== '' && isSecretName(key) && !/^\$\{|^\{env:/.test(value)) found.push(path);
    else if (isObject(value)) found.push(...findSecretFields(value, path, depth + 1));
  }
  return found;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
