// What a server *is*, independent of the machine: its serverKey (`npm:@scope/pkg`, `pypi:pkg`, `oci:image`,
// `url:https://host/path`, `cmd:…`), the package it runs, and how far its reach goes (accessType). The
// package runners are a table; adding one (a new `dlx`) is data.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { AccessType, PackageRef } from '../../shared/inventory.js';
import { parseGuardedCommand } from '../platform/guard-invocation.js';
import { canonicalUrl, parseImage, pypiName } from '../../shared/server-keys.js';

export { canonicalUrl };

interface Runner {
  registry: PackageRef['registry'];
  /** Executables, lower case, without `.exe`/`.cmd`. */
  commands: string[];
  /** Words that must follow the executable (`npm exec`, `uv tool run`, `docker run`). */
  subcommands?: string[][];
  /** Flags whose value names the package explicitly (`npx -p pkg cmd`, `uvx --from pkg cmd`). */
  packageFlags?: string[];
  /** Flags that take a value, so the next word is not the package. */
  valueFlags: string[];
}

const NPM_VALUE_FLAGS = ['-c', '--call', '--cache', '--registry', '--userconfig', '--node-options', '--workspace', '-w', '--prefix'];
const DOCKER_VALUE_FLAGS = [
  '-e',
  '--env',
  '--env-file',
  '-v',
  '--volume',
  '-p',
  '--publish',
  '--name',
  '--network',
  '--net',
  '-w',
  '--workdir',
  '--entrypoint',
  '-u',
  '--user',
  '--mount',
  '--platform',
  '--pull',
  '-l',
  '--label',
  '--label-file',
  '--add-host',
  '--cpus',
  '-m',
  '--memory',
  '--memory-swap',
  '-h',
  '--hostname',
  '--device',
  '--cap-add',
  '--cap-drop',
  '--security-opt',
  '--ulimit',
  '--log-driver',
  '--log-opt',
  '--restart',
  '--dns',
  '--ipc',
  '--pid',
  '--runtime',
  '--shm-size',
  '--tmpfs',
  '--gpus',
  '--group-add',
  '--expose',
  '--link',
  '--stop-signal',
  '--stop-timeout',
  '--cidfile',
];

const RUNNERS: readonly Runner[] = [
  { registry: 'npm', commands: ['npx', 'pnpx', 'bunx'], packageFlags: ['-p', '--package'], valueFlags: NPM_VALUE_FLAGS },
  { registry: 'npm', commands: ['npm'], subcommands: [['exec'], ['x']], packageFlags: ['-p', '--package'], valueFlags: NPM_VALUE_FLAGS },
  { registry: 'npm', commands: ['pnpm', 'yarn'], subcommands: [['dlx']], packageFlags: ['-p', '--package'], valueFlags: NPM_VALUE_FLAGS },
  { registry: 'npm', commands: ['bun'], subcommands: [['x']], valueFlags: [] },
  {
    registry: 'pypi',
    commands: ['uvx'],
    packageFlags: ['--from'],
    valueFlags: ['--python', '-p', '--with', '--index-url', '--index', '--extra-index-url', '--refresh-package', '--with-requirements'],
  },
  {
    registry: 'pypi',
    commands: ['uv'],
    subcommands: [['tool', 'run']],
    packageFlags: ['--from'],
    valueFlags: ['--python', '-p', '--with', '--index-url', '--index', '--extra-index-url'],
  },
  {
    registry: 'pypi',
    commands: ['pipx'],
    subcommands: [['run']],
    packageFlags: ['--spec'],
    valueFlags: ['--python', '--index-url', '--pip-args'],
  },
  {
    registry: 'oci',
    commands: ['docker', 'podman', 'nerdctl'],
    subcommands: [['run'], ['container', 'run']],
    valueFlags: DOCKER_VALUE_FLAGS,
  },
];

/** Shells whose script argument is the real command line (`cmd /c npx …`, `bash -c "uvx …"`). */
const SHELL_WRAPPERS: Record<string, string[]> = {
  cmd: ['/c', '/C', '/k', '/K'],
  sh: ['-c'],
  bash: ['-c', '-lc'],
  zsh: ['-c', '-lc'],
  powershell: ['-Command', '-command', '-c'],
  pwsh: ['-Command', '-command', '-c'],
};

export function commandName(command: string): string {
  return (command.split(/[\\/]/).pop() ?? command).toLowerCase().replace(/\.(?:exe|cmd|bat|ps1)$/, '');
}

/** The command line with shell wrappers and the guard taken off: `cmd /c npx -y pkg` → `npx -y pkg`. */
export function unwrapShell(command: string, args: readonly string[]): { command: string; args: string[] } {
  const guarded = parseGuardedCommand(command, args);
  if (guarded) return unwrapShell(guarded.command, guarded.args);
  const flags = SHELL_WRAPPERS[commandName(command)];
  const flagIndex = flags ? args.findIndex((arg) => flags.includes(arg)) : -1;
  if (flagIndex === -1 || flagIndex + 1 >= args.length) return { command, args: [...args] };
  const rest = args.slice(flagIndex + 1);
  // `bash -c "npx -y pkg"` carries the whole line in one argument.
  const words = rest.length === 1 ? rest[0]!.trim().split(/\s+/) : rest;
  const [inner, ...innerArgs] = words;
  return inner ? unwrapShell(inner, innerArgs) : { command, args: [...args] };
}

export function detectPackage(command: string, args: readonly string[]): PackageRef | undefined {
  const line = unwrapShell(command, args);
  const name = commandName(line.command);
  for (const runner of RUNNERS) {
    if (!runner.commands.includes(name)) continue;
    let rest = line.args;
    if (runner.subcommands) {
      const sub = runner.subcommands.find((words) => words.every((word, index) => rest[index] === word));
      if (!sub) continue;
      rest = rest.slice(sub.length);
    }
    const spec = packageArgument(rest, runner);
    if (!spec) return undefined;
    return parsePackageSpec(runner.registry, spec);
  }
  return undefined;
}

function packageArgument(args: readonly string[], runner: Runner): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1];
    const [flag, inlineValue] = arg.startsWith('-') ? splitFlag(arg) : [arg, undefined];
    if (runner.packageFlags?.includes(flag)) return inlineValue ?? args[i + 1];
    if (arg.startsWith('-')) {
      if (inlineValue === undefined && runner.valueFlags.includes(flag)) i++;
      continue;
    }
    return arg;
  }
  return undefined;
}

function splitFlag(arg: string): [string, string | undefined] {
  const equals = arg.indexOf('=');
  return equals === -1 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)];
}

const NPM_NAME = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i;
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function parsePackageSpec(registry: PackageRef['registry'], spec: string): PackageRef | undefined {
  if (registry === 'npm') {
    const at = spec.lastIndexOf('@');
    const [name, version] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, undefined];
    if (!NPM_NAME.test(name)) return undefined; // git URLs, tarballs and local folders are not registry packages
    return withVersion({ registry, name: name.toLowerCase() }, version);
  }
  if (registry === 'pypi') {
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?:(==|@)\s*([^\s,;]+)|([<>=!~][^;]*))?$/.exec(spec);
    if (!match) return undefined;
    const name = pypiName(match[1]!);
    return withVersion({ registry, name }, match[3] ?? match[4]?.trim(), match[2] !== undefined);
  }
  return parseImage(spec);
}

function withVersion(base: Omit<PackageRef, 'pinned' | 'version'>, version: string | undefined, exactOperator = true): PackageRef {
  if (!version) return { ...base, pinned: false };
  return { ...base, version, pinned: exactOperator && EXACT_VERSION.test(version) };
}

/** Comparable form of a path: forward slashes, no drive letter, lower case (Windows paths ignore case). */
function comparable(text: string): string {
  return text
    .replace(/\\/g, '/')
    .replace(/^[A-Za-z]:(?=\/)/, '')
    .toLowerCase();
}

/** `~` for the home folder, so the same layout on two machines gives the same key. */
function portablePath(text: string, homes: readonly string[]): string {
  const candidate = comparable(text);
  for (const home of homes) {
    const prefix = comparable(home).replace(/\/+$/, '');
    if (prefix && candidate.startsWith(prefix) && /^(?:\/|$)/.test(candidate.slice(prefix.length))) {
      const driveLength = /^[A-Za-z]:[\\/]/.test(text) ? 2 : 0;
      return `~${text.slice(driveLength + prefix.length).replace(/\\/g, '/')}`;
    }
  }
  return text;
}

export interface IdentityInput {
  transport: 'stdio' | 'http' | 'sse' | 'builtin';
  client: string;
  name: string;
  command?: string | undefined;
  /** Already redacted: keys must not carry secrets either. */
  args: readonly string[];
  /** Already redacted. */
  url?: string | undefined;
  /** The home folder, as seen here and as the machine writes it; replaced by `~` in keys. */
  homes: readonly string[];
}

export function serverKeyOf(input: IdentityInput, pkg: PackageRef | undefined): string {
  if (input.transport === 'builtin') return `builtin:${input.client}/${input.name}`;
  if (pkg) return `${pkg.registry}:${pkg.name}`;
  if (input.url !== undefined) return `url:${canonicalUrl(input.url)}`;
  const line = unwrapShell(input.command ?? '', input.args);
  return `cmd:${[commandWord(line.command, input.homes), ...line.args.map((arg) => portablePath(arg, input.homes))].join(' ')}`;
}

/**
 * The command as it identifies a server: a program on the PATH or in a system folder by its name (`node`,
 * whether /usr/bin/node or C:\Program Files\nodejs\node.exe); a script in the home folder or the
 * project by its path (`~/mcp/run.sh`, `./scripts/mcp.sh`).
 */
function commandWord(command: string, homes: readonly string[]): string {
  const portable = portablePath(command, homes);
  if (portable.startsWith('~')) return portable;
  const isAbsolute = /^(?:[A-Za-z]:)?[\\/]/.test(command);
  const hasFolder = /[\\/]/.test(command);
  return isAbsolute || !hasFolder ? commandName(command) : command.replace(/\\/g, '/');
}

export function hostOf(url: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(\[[^\]]+\]|[^/?#:]*)/i.exec(url.trim());
  return match?.[1]?.replace(/^\[|\]$/g, '').toLowerCase() || undefined;
}

const PRIVATE_RANGES = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat', 'unspecified']);
const PRIVATE_SUFFIXES = ['.local', '.localhost', '.internal', '.lan', '.corp', '.home.arpa', '.intranet'];

/** Whether a host is inside the organisation: loopback, private ranges, internal names, or an org domain. */
export function isPrivateHost(host: string, orgDomains: readonly string[] = []): boolean {
  if (host === 'localhost' || (!host.includes('.') && !host.includes(':'))) return true;
  // net.isIP is native and cheap; ipaddr.js then classifies the range.
  if (isIP(host) !== 0) {
    let address = ipaddr.parse(host);
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
    return PRIVATE_RANGES.has(address.range());
  }
  if (PRIVATE_SUFFIXES.some((suffix) => host.endsWith(suffix))) return true;
  return orgDomains.some((domain) => host === domain.toLowerCase() || host.endsWith(`.${domain.toLowerCase()}`));
}

export function accessTypeOf(
  input: Pick<IdentityInput, 'transport' | 'url'>,
  pkg: PackageRef | undefined,
  orgDomains: readonly string[] = [],
): AccessType {
  if (input.transport === 'stdio' || input.transport === 'builtin') return pkg ? 'public' : 'local';
  const host = input.url ? hostOf(input.url) : undefined;
  // A URL still made of variables (`${env:HOST}`) cannot be placed; count it as outside.
  if (!host || /[${}]/.test(host)) return 'third-party';
  return isPrivateHost(host, orgDomains) ? 'private' : 'third-party';
}
