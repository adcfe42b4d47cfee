// A registry entry (server.json) built from what the fleet runs: the package and its pinned version, the
// transport, the names of the environment variables and headers (never their values), or the remote URL
// without credentials; and, under our own `_meta` key, the decision it is published under, its risk signals
// and capability hashes. Built from names and hashes only, so nothing a laptop redacted, and nothing it did
// not, can reach the public registry.
import type { ProbeResult, ServerEntry } from '../shared/inventory.js';
import { type Policy, evaluate, isBlocked } from '../shared/policy.js';
import { capabilitiesOf, worstSeverity } from '../shared/present.js';
import {
  ExactVersion,
  type KeyValueInput,
  type RegistryPackage,
  type RemoteTransport,
  SERVER_SCHEMA_URL,
  ServerJson,
  WARDEN_META,
  type WardenFacts,
} from '../shared/registry.js';
import { HttpError } from './errors.js';
import type { FleetServer } from './storage/storage.js';

export interface EntryRequest {
  serverKey: string;
  name?: string | undefined;
  description?: string | undefined;
  version?: string | undefined;
}

export interface FleetFacts {
  /** The server under each agent that loads it. */
  byAgent: readonly FleetServer[];
  /** How devices configure it (a sample is enough: names and versions repeat). */
  entries: readonly ServerEntry[];
  probe: ProbeResult | undefined;
}

export interface BuiltEntry {
  server: ServerJson;
  /** What the admin should know before publishing: a version taken from the probe, a local command. */
  notices: string[];
}

/** How a package registry is reached and run, by the registries serverKeys name. */
const PACKAGE_KINDS = {
  npm: { registryType: 'npm', registryBaseUrl: 'https://registry.npmjs.org', runtimeHint: 'npx' },
  pypi: { registryType: 'pypi', registryBaseUrl: 'https://pypi.org', runtimeHint: 'uvx' },
  oci: { registryType: 'oci', runtimeHint: 'docker' },
} as const;

const REMOTE_TYPES: Partial<Record<ServerEntry['transport'], RemoteTransport['type']>> = { http: 'streamable-http', sse: 'sse' };

const invalid = (message: string) => new HttpError(400, 'invalid-request', message);

/** The organisation's namespace: the one set, else the endpoint's host name reversed (warden.corp.example.com → com.example.corp.warden). */
export function registryNamespace(configured: string | undefined, origin: string): string {
  if (configured) return configured;
  const host = new URL(origin).hostname;
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host) && !/^[\d.]+$/.test(host)) return host.split('.').reverse().join('.');
  throw invalid(
    `name: this endpoint is reached at ${host}, which gives no namespace; start the server with --registry-namespace com.example`,
  );
}

/** A server's name as a registry name's last part: letters, digits, `.`, `_` and `-`. */
const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '') || 'server';

const cut = (text: string, length: number) => (text.length <= length ? text : `${text.slice(0, length - 1)}…`);

/** The value most devices have, of those that have one. */
function mostCommon(values: readonly (string | undefined)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const value of values) if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

/** Each name once, required when every device sets it; secret, since the endpoint never sees values to tell. */
function inputsNamed(lists: readonly (readonly string[])[]): KeyValueInput[] {
  const names = [...new Set(lists.flat())].sort();
  return names.map((name) => ({ name, isRequired: lists.every((list) => list.includes(name)), isSecret: true }));
}

/** The URL as clients reach it: no user, password, query or fragment (where configs carry tokens). */
function publicUrl(url: string): string {
  const parsed = new URL(url);
  const path = decodeURIComponent(parsed.pathname);
  if (/redacted/i.test(path))
    throw invalid(`serverKey: the server's URL holds a secret in its path, which laptops never send; its entry could not be used`);
  return `${parsed.origin}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

function packageOf(kind: keyof typeof PACKAGE_KINDS, identity: string, version: string, entries: readonly ServerEntry[]): RegistryPackage {
  const how = PACKAGE_KINDS[kind];
  const environmentVariables = inputsNamed(entries.map((entry) => entry.envKeys));
  return {
    ...how,
    // An image names its tag (or digest) in its reference; npm and PyPI give the version apart.
    identifier: kind === 'oci' ? `${identity}${version.startsWith('sha256:') ? '@' : ':'}${version}` : identity,
    ...(kind === 'oci' ? {} : { version }),
    transport: { type: 'stdio' },
    ...(environmentVariables.length ? { environmentVariables } : {}),
  };
}

/** The server.json an admin would publish for a server the fleet runs, checked against the registry's schema. */
export function buildEntry(
  request: EntryRequest,
  facts: FleetFacts,
  context: { policy: Policy; namespace: string; now: Date },
): BuiltEntry {
  const { serverKey } = request;
  if (facts.byAgent.length === 0) throw new HttpError(404, 'not-found', `serverKey: no device reports ${serverKey}`);
  // The registry's own gate is not a reason to refuse putting a server into it.
  const policy = { ...context.policy, registry: undefined };
  const decisions = facts.byAgent.map((server) => ({
    agent: server.agent,
    decision: evaluate(policy, { serverKey, agent: server.agent, url: server.url }, { now: context.now }),
  }));
  if (decisions.every(({ decision }) => isBlocked(decision)))
    throw new HttpError(
      409,
      'blocked',
      `${serverKey} is blocked for every agent that loads it (${decisions[0]!.decision.reason}); approve it before publishing`,
    );

  const notices: string[] = [];
  const [scheme] = serverKey.split(':') as [string];
  const identity = serverKey.slice(scheme.length + 1);
  const displayName = facts.probe?.serverInfo?.title ?? facts.byAgent[0]!.name;
  const pinned = mostCommon(facts.entries.map((entry) => (entry.package?.pinned ? entry.package.version : undefined)));
  const probed = facts.probe?.serverInfo?.version;
  let version = request.version ?? pinned;
  if (version === undefined && probed !== undefined && ExactVersion.safeParse(probed).success) {
    version = probed;
    notices.push(`version ${probed} is what the server said it is when probed; the fleet does not pin one`);
  }
  if (version === undefined)
    throw invalid(
      `version: the fleet runs ${serverKey} without an exact version, and no probe said one; give the version to publish (1.2.3)`,
    );
  const versionCheck = ExactVersion.safeParse(version);
  if (!versionCheck.success) throw invalid(`version: ${versionCheck.error.issues[0]!.message}`);

  let packages: RegistryPackage[] | undefined;
  let remotes: RemoteTransport[] | undefined;
  if (scheme in PACKAGE_KINDS) {
    packages = [packageOf(scheme as keyof typeof PACKAGE_KINDS, identity, pinned ?? version, facts.entries)];
  } else if (scheme === 'url') {
    const transport = facts.byAgent[0]!.transport;
    const headers = inputsNamed(facts.entries.map((entry) => entry.headerKeys));
    remotes = [{ type: REMOTE_TYPES[transport] ?? 'streamable-http', url: publicUrl(identity), ...(headers.length ? { headers } : {}) }];
  } else {
    notices.push('a local command: clients cannot install it from the registry, but registry-only laptops let it run under this name');
  }

  const name = request.name ?? `${context.namespace}/${slug(facts.byAgent[0]!.name)}`;
  if (!name.startsWith(`${context.namespace}/`))
    throw invalid(`name: ${name} is not under the organisation's namespace; use ${context.namespace}/…`);
  const conditions = decisions
    .map(({ decision }) => context.policy.rules.find((rule) => rule.id === decision.ruleId)?.conditions)
    .find((found) => found !== undefined);
  const risks = [...(facts.probe?.risks ?? []), ...facts.byAgent.flatMap((server) => server.findings)];
  const governance: WardenFacts = {
    ...(scheme === 'cmd' ? {} : { serverKey }),
    decisions: decisions.map(({ agent, decision }) => ({ agents: [agent], status: decision.status })),
    ...(conditions ? { conditions } : {}),
    risk: worstSeverity([...risks, ...(facts.probe ? capabilitiesOf(facts.probe).flatMap((capability) => capability.risks) : [])]),
    riskSignals: [...new Map(risks.map((risk) => [risk.id, { id: risk.id, severity: risk.severity }])).values()],
    capabilities: Object.fromEntries(
      (facts.probe ? capabilitiesOf(facts.probe) : []).map((capability) => [`${capability.kind}:${capability.name}`, capability.hash]),
    ),
  };
  const entry = {
    $schema: SERVER_SCHEMA_URL,
    name,
    title: cut(displayName, 100),
    description:
      request.description ??
      cut(`${displayName}: ${facts.probe ? `${capabilitiesOf(facts.probe).length} capabilities, ` : ''}reviewed by the organisation`, 100),
    version,
    ...(packages ? { packages } : {}),
    ...(remotes ? { remotes } : {}),
    _meta: { [WARDEN_META]: governance },
  };
  const checked = ServerJson.safeParse(entry);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw invalid(`${issue.path.join('.') || 'entry'}: ${issue.message}`);
  }
  return { server: checked.data, notices };
}
