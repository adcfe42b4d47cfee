// The guard's contract with the config files it is written into, in one place: the command line a wrapped
// stdio entry runs (written by enforcement, recognised by discovery, parsed by the guard) and the loopback URL a
// wrapped remote entry points at. A leaf: every layer imports it, it imports nothing of ours.

/** Who a guard stands for: one server of one config entry, shared by the clients that read that entry. */
export interface GuardTarget {
  serverId: string;
  serverKey: string;
  /** The clients whose config holds the entry (one file can be read by several: `.mcp.json`). */
  clients: string[];
  name: string;
}

export interface GuardInvocation extends GuardTarget {
  /** The original command line, run by the guard. */
  command: string;
  args: string[];
  stateDir?: string | undefined;
}

/** The guard's own arguments (after the launcher's `guard`): who it guards, then `--` and the original command line. */
export function formatGuardArgs(target: GuardTarget, command: string, args: readonly string[]): string[] {
  return [
    '--server',
    target.serverId,
    '--server-key',
    target.serverKey,
    '--client',
    target.clients.join(','),
    '--name',
    target.name,
    '--',
    command,
    ...args,
  ];
}

const OPTIONS: Record<string, 'serverId' | 'serverKey' | 'clients' | 'name' | 'stateDir'> = {
  '--server': 'serverId',
  '--server-key': 'serverKey',
  '--client': 'clients',
  '--name': 'name',
  '--state-dir': 'stateDir',
};

export type ParsedGuardArgs = { ok: true; invocation: GuardInvocation } | { ok: false; problem: string };

/** Reads what formatGuardArgs wrote (and `--state-dir`, and `--opt=value`); a problem in words otherwise. */
export function parseGuardArgs(argv: readonly string[], options: { lenient?: boolean } = {}): ParsedGuardArgs {
  const separator = argv.indexOf('--');
  if (separator === -1 || separator === argv.length - 1) return { ok: false, problem: 'expected `-- <command> [args…]` after the options' };
  const found: Partial<Record<'serverId' | 'serverKey' | 'clients' | 'name' | 'stateDir', string>> = {};
  const given = argv.slice(0, separator);
  for (let index = 0; index < given.length; index++) {
    const [flag, inline] = given[index]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const key = OPTIONS[flag];
    if (!key && options.lenient) {
      // An option a later version writes: passed over with its value, so the entry still reads as guarded.
      if (inline === undefined && given[index + 1] !== undefined && !given[index + 1]!.startsWith('--')) index++;
      continue;
    }
    if (!key) return { ok: false, problem: `unknown option ${flag}` };
    const value = inline ?? given[++index];
    if (value === undefined) return { ok: false, problem: `${flag} needs a value` };
    found[key] = value;
  }
  if (!found.serverId || !found.serverKey || !found.clients)
    return { ok: false, problem: '--server, --server-key and --client are required' };
  const [command, ...args] = argv.slice(separator + 1) as [string, ...string[]];
  return {
    ok: true,
    invocation: {
      serverId: found.serverId,
      serverKey: found.serverKey,
      clients: found.clients.split(',').filter(Boolean),
      name: found.name ?? found.serverId,
      command,
      args,
      stateDir: found.stateDir,
    },
  };
}

/** What runs MCP Warden: the installed command, or this repository's built CLI (tests, `npx`). */
const LAUNCHER = /mcp-warden|[\\/]dist[\\/]agent[\\/]cli\.js$/;

/** `… mcp-warden guard --server … -- <command> <args>` (an entry enforcement wrapped): who it guards and what it runs. */
export function parseGuardedCommand(command: string, args: readonly string[]): GuardInvocation | undefined {
  const guard = args.indexOf('guard');
  if (guard === -1 || ![command, ...args.slice(0, guard)].some((word) => LAUNCHER.test(word))) return undefined;
  const parsed = parseGuardArgs(args.slice(guard + 1), { lenient: true });
  return parsed.ok ? parsed.invocation : undefined;
}

/** This machine's names as a URL writes them, as a pattern: the guard's URLs, and what it accepts as Host and Origin. */
export const LOOPBACK_HOSTNAME = String.raw`(?:127\.0\.0\.1|localhost|\[::1\])`;

/** The path prefix of the guard's loopback HTTP proxy: `/mcp-warden/<server id>/<original URL, base64url>`. */
export const GUARD_URL_PATH = '/mcp-warden/';

/** The loopback URL a remote entry points at once wrapped; the original URL rides in it, so identity stays. */
export function guardUrl(base: string, serverId: string, upstream: string): string {
  return `${base.replace(/\/$/, '')}${GUARD_URL_PATH}${encodeURIComponent(serverId)}/${Buffer.from(upstream).toString('base64url')}`;
}

const GUARD_URL = new RegExp(String.raw`^http://${LOOPBACK_HOSTNAME}:\d+${GUARD_URL_PATH}([^/]+)/([A-Za-z0-9_-]+)$`);
const GUARD_PATH = new RegExp(String.raw`^${GUARD_URL_PATH}([^/]+)/[A-Za-z0-9_-]+$`);

/** The original URL and server id of a URL the guard's proxy serves; undefined for any other URL. */
export function parseGuardUrl(url: string): { serverId: string; upstream: string } | undefined {
  const match = GUARD_URL.exec(url);
  if (!match) return undefined;
  const upstream = Buffer.from(match[2]!, 'base64url').toString('utf8');
  return /^https?:\/\//.test(upstream) ? { serverId: decodeURIComponent(match[1]!), upstream } : undefined;
}

/** The server id of a request path the proxy receives (`/mcp-warden/<id>/<…>`, query left out). */
export function guardPathServerId(requestPath: string): string | undefined {
  const match = GUARD_PATH.exec(requestPath.split('?')[0]!);
  return match ? decodeURIComponent(match[1]!) : undefined;
}
