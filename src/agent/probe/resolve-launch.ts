// Resolves a LaunchSpec the way its client would before starting the server: variables in every field,
// `env` and `envFile` over the user's login environment, the project folder as the working folder.
// A `${input:…}` is typed by the user in the client: such a server cannot be started unattended.
// The agent's own variables (MCP_WARDEN_*) are neither inherited nor readable through `${env:…}`.
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { ServerEntry } from '../../shared/inventory.js';
import type { LaunchSpec } from '../discovery/normalise.js';
import { loginEnvironment, withoutAgentVariables } from '../platform/environment.js';

export interface ResolvedLaunch {
  transport: 'stdio' | 'http' | 'sse';
  command?: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  url?: string;
  headers: Record<string, string>;
}

export type Resolution = { ok: true; launch: ResolvedLaunch } | { ok: false; status: 'needs-input' | 'error'; reason: string };

export interface ResolveContext {
  /**
   * The environment of the process that probes: servers inherit only its login variables (HOME, PATH, …),
   * and `${env:X}` in a config reads it, never the agent's own MCP_WARDEN_* variables.
   */
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}

/** `${input:x}` `${env:X}` `${X}` `${X:-default}` `{env:X}` and the clients' predefined variables. */
const VARIABLE = /\$\{([^}]+)\}|\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

class Unresolved extends Error {}

function expand(text: string, builtins: Record<string, string>, env: ResolveContext['env']): string {
  return text.replace(VARIABLE, (whole, inner: string | undefined, opencodeName: string | undefined) => {
    if (opencodeName !== undefined) return lookup(opencodeName, env, whole);
    const body = inner!;
    if (body in builtins) return builtins[body]!;
    const named = /^env:(.+)$/.exec(body);
    if (named) return lookup(named[1]!, env, whole);
    const withDefault = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/.exec(body);
    if (withDefault) return env[withDefault[1]!] ?? withDefault[2] ?? lookup(withDefault[1]!, env, whole);
    throw new Unresolved(`unknown variable ${whole}`);
  });
}

function lookup(name: string, env: ResolveContext['env'], whole: string): string {
  const value = env[name];
  if (value === undefined) throw new Unresolved(`variable ${whole} is not set`);
  return value;
}

function inputsIn(spec: LaunchSpec): string[] {
  const texts = [
    spec.command ?? '',
    ...spec.args,
    spec.url ?? '',
    spec.cwd ?? '',
    ...Object.values(spec.env),
    ...Object.values(spec.headers),
  ];
  return [...new Set(texts.flatMap((text) => [...text.matchAll(/\$\{input:([^}]+)\}/g)].map((match) => match[1]!)))];
}

export async function resolveLaunch(spec: LaunchSpec, entry: ServerEntry, context: ResolveContext): Promise<Resolution> {
  if (spec.transport === 'builtin') return { ok: false, status: 'error', reason: 'runs inside its client; there is nothing to launch' };
  const inputs = inputsIn(spec);
  if (inputs.length)
    return {
      ok: false,
      status: 'needs-input',
      reason: `the client asks the user for ${inputs.map((id) => `\${input:${id}}`).join(', ')} before starting it`,
    };

  const project = entry.projectPath;
  const configFolder = path.dirname(entry.configPath);
  const builtins: Record<string, string> = {
    workspaceFolder: project ?? configFolder,
    workspaceFolderBasename: path.basename(project ?? configFolder),
    workspaceRoot: project ?? configFolder,
    userHome: context.home,
    pathSeparator: path.sep,
    '/': path.sep,
    // Claude Desktop extensions and Gemini CLI extensions refer to their own folder.
    __dirname: configFolder,
    extensionPath: configFolder,
    CLAUDE_PLUGIN_ROOT: configFolder,
    CLAUDE_PROJECT_DIR: project ?? configFolder,
  };
  const userEnv = withoutAgentVariables(context.env);
  try {
    const fromFile = spec.envFile
      ? withoutAgentVariables(await readEnvFile(expand(spec.envFile, builtins, userEnv), project ?? configFolder))
      : {};
    const ownEnv = Object.fromEntries(
      Object.entries(spec.env).map(([key, value]) => [key, expand(value, builtins, { ...userEnv, ...fromFile })]),
    );
    const env: Record<string, string> = { ...loginEnvironment(context.env), ...fromFile, ...ownEnv };
    const lookupEnv = { ...userEnv, ...fromFile, ...ownEnv };
    if (spec.transport === 'stdio') {
      const cwd = spec.cwd ? path.resolve(project ?? configFolder, expand(spec.cwd, builtins, lookupEnv)) : project;
      return {
        ok: true,
        launch: {
          transport: 'stdio',
          command: expand(spec.command!, builtins, lookupEnv),
          args: spec.args.map((arg) => expand(arg, builtins, lookupEnv)),
          env,
          ...(cwd ? { cwd } : {}),
          headers: {},
        },
      };
    }
    const headers = Object.fromEntries(Object.entries(spec.headers).map(([key, value]) => [key, expand(value, builtins, lookupEnv)]));
    return { ok: true, launch: { transport: spec.transport, url: expand(spec.url!, builtins, lookupEnv), args: [], env, headers } };
  } catch (error) {
    if (error instanceof Unresolved) return { ok: false, status: 'error', reason: error.message };
    throw error;
  }
}

/** Where no variables file lives: the kernel's views of processes and devices (`/proc/self/environ` is the agent's own environment). */
const NOT_ENV_FILES = ['/proc/', '/sys/', '/dev/'];

async function readEnvFile(file: string, base: string): Promise<Record<string, string>> {
  let text: string;
  try {
    const real = await realpath(path.resolve(base, file));
    if (NOT_ENV_FILES.some((prefix) => real.startsWith(prefix)) || !(await stat(real)).isFile())
      throw new Unresolved(`envFile ${file} is not a file of variables`);
    text = await readFile(real, 'utf8');
  } catch (error) {
    if (error instanceof Unresolved) throw error;
    throw new Unresolved(`envFile ${file} cannot be read`);
  }
  const variables = parseEnv(text) as Record<string, string>;
  if (Object.values(variables).some((value) => value.includes('\0'))) throw new Unresolved(`envFile ${file} is not a file of variables`);
  return variables;
}
