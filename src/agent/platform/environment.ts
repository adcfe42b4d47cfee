// The environment MCP Warden hands to the servers it starts (probes) or relays (guards). A server gets what
// its client would give it, never the agent's own variables: the enroll secret, the admin token and every
// other MCP_WARDEN_* setting that IT puts in the service unit stay with the agent (docs/security.md).
import { DEFAULT_INHERITED_ENV_VARS } from '@modelcontextprotocol/sdk/client/stdio.js';

type Environment = Readonly<Record<string, string | undefined>>;

/** MCP Warden's own settings and secrets, whatever their case (Windows names are case-insensitive). */
export function isAgentVariable(name: string): boolean {
  return /^MCP_WARDEN_/i.test(name);
}

/**
 * What a login session holds beyond the MCP SDK's safe default list: the locale and temporary folder that
 * servers written in Python or Node read, and the XDG folders where they find their own configuration.
 */
const LOGIN_EXTRAS = [
  'LANG',
  'LANGUAGE',
  'TMPDIR',
  'TMP',
  'TEMP',
  'TZ',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_CACHE_HOME',
  'XDG_STATE_HOME',
  'XDG_RUNTIME_DIR',
  'PATHEXT',
  'COMSPEC',
  'WINDIR',
  'PROGRAMDATA',
];

const LOGIN_NAMES = new Set([...DEFAULT_INHERITED_ENV_VARS, ...LOGIN_EXTRAS].map((name) => name.toUpperCase()));

/** The user's login environment: the SDK's default variables, the locale (`LC_*`) and the folders above. */
export function loginEnvironment(env: Environment): Record<string, string> {
  const login: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || isAgentVariable(name)) continue;
    if (!LOGIN_NAMES.has(name.toUpperCase()) && !/^LC_[A-Z]+$/.test(name)) continue;
    // A shell function exported as a variable (`() { …; }`) is code, not a setting (the SDK skips them too).
    if (value.startsWith('()')) continue;
    login[name] = value;
  }
  return login;
}

/** The environment minus the agent's own variables: what the guard passes on, and what `${env:X}` may read. */
export function withoutAgentVariables(env: Environment): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !isAgentVariable(name)) kept[name] = value;
  return kept;
}
