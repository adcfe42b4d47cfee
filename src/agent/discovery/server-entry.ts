// Builds the public ServerEntry from a LaunchSpec: redacted, identified, with a `plaintext-secret` finding for
// every place a credential sits in the file and the other config-level risks. The only way a server leaves
// discovery.
import { createHash } from 'node:crypto';
import type { RiskSignal, Scope, ServerEntry } from '../../shared/inventory.js';
import type { LaunchSpec } from './normalise.js';
import { redactArgs, redactUrl, secretValuedKeys } from './redact.js';
import { redactSecrets } from './secrets.js';
import { configRisks } from './config-findings.js';
import { parseGuardedCommand } from '../platform/guard-invocation.js';
import { accessTypeOf, detectPackage, serverKeyOf } from './server-identity.js';

export interface EntryContext {
  client: string;
  scope: Scope;
  configPath: string;
  projectPath?: string | undefined;
  name: string;
  /** The home folder as seen here and as written on the machine (they differ when replaying). */
  homes: readonly string[];
  orgDomains?: readonly string[];
}

/** Stable on this machine: the same client, file, project and name always give the same id. */
export function serverId(context: Pick<EntryContext, 'client' | 'configPath' | 'projectPath' | 'name'>): string {
  return createHash('sha256')
    .update([context.client, context.configPath, context.projectPath ?? '', context.name].join('\0'))
    .digest('hex')
    .slice(0, 16);
}

const INPUT_REFERENCE = /\$\{input:([^}]+)\}/g;

export function toServerEntry(spec: LaunchSpec, context: EntryContext): ServerEntry {
  const findings: RiskSignal[] = [];
  const secret = (evidence: string) => findings.push({ id: 'plaintext-secret', severity: 'high', evidence });

  // The guard's own arguments (ids, the serverKey, the client) are the agent's, not the user's: only the
  // original command line after `--` is searched for credentials.
  const guarded = spec.command === undefined ? undefined : parseGuardedCommand(spec.command, spec.args);
  const args = redactArgs(spec.args, guarded ? spec.args.length - guarded.args.length - 1 : 0);
  args.evidence.forEach((where) => secret(`${where} holds a literal credential`));
  const command = spec.command === undefined ? undefined : redactSecrets(spec.command);
  if (command?.redacted) secret('the command holds a literal credential');
  const url = spec.url === undefined ? undefined : redactUrl(spec.url);
  url?.evidence.forEach((where) => secret(`URL ${where} holds a literal credential`));
  secretValuedKeys(spec.env).forEach((key) => secret(`env ${key} holds a literal credential`));
  secretValuedKeys(spec.headers).forEach((key) => secret(`header ${key} holds a literal credential`));
  spec.secretFields.forEach((field) => secret(`field ${field} holds a literal credential`));

  const launched = spec.transport === 'stdio' && spec.command !== undefined;
  const pkg = launched ? detectPackage(spec.command!, args.value) : undefined;
  const identity = {
    transport: spec.transport,
    client: context.client,
    name: context.name,
    command: command?.text,
    args: args.value,
    url: url?.value,
    homes: context.homes,
  };

  const entry: ServerEntry = {
    id: serverId(context),
    serverKey: serverKeyOf(identity, pkg),
    name: context.name,
    client: context.client,
    scope: context.scope,
    configPath: context.configPath,
    ...(context.projectPath !== undefined ? { projectPath: context.projectPath } : {}),
    transport: spec.transport === 'builtin' ? 'stdio' : spec.transport,
    ...(command ? { command: command.text } : {}),
    args: args.value,
    ...(url ? { url: url.value } : {}),
    ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
    ...(spec.envFile !== undefined ? { envFile: spec.envFile } : {}),
    envKeys: unique([...Object.keys(spec.env), ...spec.forwardedEnv]),
    headerKeys: unique([...Object.keys(spec.headers), ...spec.forwardedHeaders]),
    disabled: spec.disabled,
    autoApprove: spec.autoApprove,
    inputs: inputsOf(spec),
    ...(pkg ? { package: pkg } : {}),
    accessType: accessTypeOf({ transport: spec.transport, url: url?.value }, pkg, context.orgDomains),
    findings,
  };
  findings.push(...configRisks(entry));
  return entry;
}

/** `${input:id}` prompts anywhere in the launch fields (VS Code asks for them before starting the server). */
function inputsOf(spec: LaunchSpec): string[] {
  const texts = [spec.command ?? '', ...spec.args, spec.url ?? '', ...Object.values(spec.env), ...Object.values(spec.headers)];
  const ids = texts.flatMap((text) => [...text.matchAll(INPUT_REFERENCE)].map((match) => match[1]!));
  return unique(ids);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
