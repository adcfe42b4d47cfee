// `mcp-warden server`: the reference central endpoint. Each option also comes from the environment.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import { buildServer } from './app.js';
import type { RegistryOptions } from './context.js';
import { followUpstream } from './upstream-registry.js';
import { EventsWebhook } from './events-webhook.js';
import { IpRange } from '../shared/policy.js';
import { NAMESPACE_PATTERN } from '../shared/registry.js';
import { DEFAULT_RATE_LIMITS } from './callers.js';
import { startMaintenance } from './maintenance.js';
import { boundHeapGrowth } from './heap-growth.js';
import { LATEST_MIGRATION } from './storage/migrations.js';
import { DEFAULT_EVENT_RETENTION_DAYS, migrateStorage, openStorage } from './storage/open-storage.js';
import { STORAGE_OPTIONS, databaseLocation, describeLocation, storageError } from './storage-location.js';
import type { Storage } from './storage/storage.js';
import { type CommandStreams, UsageError } from '../shared/command.js';
import { runAdmin } from './admin-command.js';
import { ADMIN_ROLES, type AdminRole } from '../shared/admins.js';
import type { OidcOptions } from './sign-in/oidc.js';
import { DEFAULT_SESSION_LIMITS } from './sign-in/sessions.js';
import { OneTimeSignIn } from './sign-in/one-time-link.js';
import { type KeptSecrets, type ServerSecrets, serverSecrets } from './first-run.js';

export const SERVER_HELP = `Usage: mcp-warden server [options]
       mcp-warden server migrate [--database URL | --data DIR]
       mcp-warden server admin add|list|remove|token … (mcp-warden server admin --help)

Runs the reference central endpoint: devices enroll and report their inventory, admins decide (allow,
block, conditionally allow) in the admin console at / or through the admin API, devices fetch the policy.
With no option at all it starts on SQLite in the platform's data folder and, the first time, prints a
sign-in link for the console and the enroll command for laptops. Data is kept in SQLite in
--data (the default, nothing to install, one process), or in PostgreSQL with --database, where several
server processes behind a load balancer act as one endpoint.

\`migrate\` applies the schema migrations this version ships and exits. SQLite databases are migrated as
the server starts; a PostgreSQL database must be migrated first (once, before the processes are started
or upgraded), and a server never starts against a schema older or newer than its own.

Options (each also from the environment variable shown):
  --port P               port to listen on (MCP_WARDEN_PORT; default 8443)
  --host H               address to bind (MCP_WARDEN_HOST; default 127.0.0.1)
  --data DIR             folder for the SQLite database and the secrets a first start makes (MCP_WARDEN_DATA;
                         default: the platform's data folder, e.g. ~/.local/share/mcp-warden-server)
  --database URL         postgres://user:password@host:port/database instead (MCP_WARDEN_DATABASE_URL)
  --pool-size N          PostgreSQL connections this process keeps at most (MCP_WARDEN_POOL_SIZE; default 16)
  --retention-days N     days events are kept, then dropped by day (MCP_WARDEN_RETENTION_DAYS; default ${DEFAULT_EVENT_RETENTION_DAYS})
  --admin-token T        bootstrap owner token of the admin API and the console, for first setup and scripts
                         (MCP_WARDEN_ADMIN_TOKEN; default: made on the first start and kept in the data
                         folder's secrets.json); admins get their own with \`server admin add\`
  --admin-name NAME      who the bootstrap token speaks for, recorded as Marked By (MCP_WARDEN_ADMIN_NAME; default admin)
  --enroll-secret S      secret devices enroll with (MCP_WARDEN_ENROLL_SECRET; default: made and kept like the token;
                         both are required with --database)
  --tls-cert FILE        serve HTTPS with this certificate chain, PEM (MCP_WARDEN_TLS_CERT)
  --tls-key FILE         the certificate's private key, PEM (MCP_WARDEN_TLS_KEY)
  --body-limit BYTES     largest request body after decompression (default 16 MiB)
  --public-url URL       where admins reach this endpoint, e.g. https://warden.corp.example (MCP_WARDEN_PUBLIC_URL)

Single sign-on for admins' browsers (OpenID Connect; docs/deploy-server.md#single-sign-on):
  --oidc-issuer URL      the identity provider (MCP_WARDEN_OIDC_ISSUER); needs --public-url
  --oidc-client-id ID    this endpoint's client id there (MCP_WARDEN_OIDC_CLIENT_ID)
  --oidc-client-secret S its client secret (MCP_WARDEN_OIDC_CLIENT_SECRET)
  --oidc-allowed-domains D,…  email domains that may sign in (MCP_WARDEN_OIDC_ALLOWED_DOMAINS; default any)
  --oidc-role-claim C    an ID token claim (e.g. groups) whose values give a role (MCP_WARDEN_OIDC_ROLE_CLAIM)
  --oidc-scopes S,…      scopes to ask for besides openid email profile (MCP_WARDEN_OIDC_SCOPES)
  --oidc-role-map V=R,…  claim value → role, e.g. warden-owners=owner,it=viewer (MCP_WARDEN_OIDC_ROLE_MAP);
                         admins with an account get their account's role
  --session-idle-minutes N  a session ends after this long unused (default 30)
  --session-hours N      and this long after sign-in at the latest (default 12)

The organisation's MCP registry (docs/registry.md), read by VS Code and GitHub Copilot at <public-url>:
  --registry-namespace NS   reverse-DNS namespace of its entries, e.g. com.example (MCP_WARDEN_REGISTRY_NAMESPACE;
                         default: the public URL's host name reversed)
  --registry-allow R,…   only these addresses or CIDR ranges may read it (MCP_WARDEN_REGISTRY_ALLOW; default anyone)
  --upstream-registry URL   follow this registry (same API): entries the fleet runs that it removes are raised to
                         admins, and blocked if the organisation chose so (MCP_WARDEN_UPSTREAM_REGISTRY)
  --upstream-minutes N   how often it is read (default 60)

Streaming events to the SIEM (docs/deploy-server.md#streaming-events-to-a-siem):
  --events-webhook URL   POST every event there as it arrives, in JSON batches (MCP_WARDEN_EVENTS_WEBHOOK)
  --events-webhook-secret S  signs each batch, HMAC-SHA256 (MCP_WARDEN_EVENTS_WEBHOOK_SECRET; required with it)
  --events-webhook-backlog N  events kept while the receiver is down, the oldest dropped beyond (default 100000)

  --enroll-rate N        right-secret enrollments a minute, fleet-wide and per address (MCP_WARDEN_ENROLL_RATE;
                         default ${DEFAULT_RATE_LIMITS.enrolling} and ${DEFAULT_RATE_LIMITS.enrollingPerAddress}): raise it for a rollout of a very large fleet
  -h, --help             this help

Without --tls-cert the endpoint speaks plain HTTP: bind it to loopback, or put it behind a reverse proxy
that terminates TLS (docs/deploy-server.md).`;

export type Io = CommandStreams;

function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new UsageError(`--${flag} ${value}: expected a whole number of at least ${min}`);
  return number;
}

async function runMigrate(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...STORAGE_OPTIONS, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    io.stdout(`${SERVER_HELP}\n`);
    return 0;
  }
  const location = databaseLocation(values, process.env);
  let applied: string[];
  try {
    applied = await migrateStorage(location);
  } catch (error) {
    throw storageError(location, error);
  }
  io.stdout(
    applied.length
      ? `${describeLocation(location)}: applied ${applied.join(', ')}\n`
      : `${describeLocation(location)}: the schema is up to date (${LATEST_MIGRATION})\n`,
  );
  return 0;
}

export async function runServer(argv: string[], io: Io): Promise<number> {
  if (argv[0] === 'migrate') return runMigrate(argv.slice(1), io);
  if (argv[0] === 'admin') return runAdmin(argv.slice(1), io);
  const { values } = parseArgs({
    args: argv,
    options: {
      ...STORAGE_OPTIONS,
      port: { type: 'string' },
      host: { type: 'string' },
      'admin-token': { type: 'string' },
      'admin-name': { type: 'string' },
      'enroll-secret': { type: 'string' },
      'body-limit': { type: 'string' },
      'enroll-rate': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'public-url': { type: 'string' },
      'oidc-issuer': { type: 'string' },
      'oidc-client-id': { type: 'string' },
      'oidc-client-secret': { type: 'string' },
      'oidc-allowed-domains': { type: 'string' },
      'oidc-role-claim': { type: 'string' },
      'oidc-role-map': { type: 'string' },
      'oidc-scopes': { type: 'string' },
      'session-idle-minutes': { type: 'string' },
      'session-hours': { type: 'string' },
      'registry-namespace': { type: 'string' },
      'registry-allow': { type: 'string' },
      'upstream-registry': { type: 'string' },
      'upstream-minutes': { type: 'string' },
      'events-webhook': { type: 'string' },
      'events-webhook-secret': { type: 'string' },
      'events-webhook-backlog': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(`${SERVER_HELP}\n`);
    return 0;
  }
  const env = process.env;
  const port = Number(values.port ?? env.MCP_WARDEN_PORT ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port}: expected a port number`);
  const host = values.host ?? env.MCP_WARDEN_HOST ?? '127.0.0.1';
  const bodyLimit = wholeNumber('body-limit', values['body-limit'], 1024);
  const retention =
    wholeNumber('retention-days', values['retention-days'] ?? env.MCP_WARDEN_RETENTION_DAYS, 1) ?? DEFAULT_EVENT_RETENTION_DAYS;
  const enrollRate = wholeNumber('enroll-rate', values['enroll-rate'] ?? env.MCP_WARDEN_ENROLL_RATE, 1);
  const poolSize = wholeNumber('pool-size', values['pool-size'] ?? env.MCP_WARDEN_POOL_SIZE, 1);
  const tls = tlsFiles(values['tls-cert'] ?? env.MCP_WARDEN_TLS_CERT, values['tls-key'] ?? env.MCP_WARDEN_TLS_KEY);
  // Every flag is checked before anything is opened or made.
  const registry = registryOptions(values, env);
  const upstreamMinutes = wholeNumber('upstream-minutes', values['upstream-minutes'], 1) ?? 60;
  const webhookUrl = url('events-webhook', values['events-webhook'] ?? env.MCP_WARDEN_EVENTS_WEBHOOK);
  const webhookSecret = values['events-webhook-secret'] ?? env.MCP_WARDEN_EVENTS_WEBHOOK_SECRET;
  if (webhookUrl && !webhookSecret)
    throw new UsageError('--events-webhook needs --events-webhook-secret: the receiver checks every batch with it');
  const webhookBacklog = wholeNumber('events-webhook-backlog', values['events-webhook-backlog'], 1) ?? 100_000;

  const location = databaseLocation(values, env);
  const secrets = serverSecrets(
    {
      ...given('adminToken', values['admin-token'] ?? env.MCP_WARDEN_ADMIN_TOKEN),
      ...given('enrollSecret', values['enroll-secret'] ?? env.MCP_WARDEN_ENROLL_SECRET),
    },
    location.dialect === 'sqlite' ? path.dirname(location.file) : undefined,
  );
  const { adminToken, enrollSecret } = secrets;
  const signInLink = secrets.made.includes('adminToken') ? new OneTimeSignIn() : undefined;
  const publicUrl = url('public-url', values['public-url'] ?? env.MCP_WARDEN_PUBLIC_URL);
  const oidc = oidcOptions(values, env, publicUrl);
  const idleMinutes = wholeNumber('session-idle-minutes', values['session-idle-minutes'], 1);
  const hours = wholeNumber('session-hours', values['session-hours'], 1);

  boundHeapGrowth();
  let storage: Storage;
  try {
    storage = await openStorage(location, {
      eventRetentionDays: retention,
      webhook: Boolean(webhookUrl),
      ...(poolSize ? { poolSize } : {}),
    });
  } catch (error) {
    throw storageError(location, error);
  }
  const warn = (message: string) => io.stderr(`${message}\n`);
  const webhook = webhookUrl
    ? new EventsWebhook(storage, { url: webhookUrl, secret: webhookSecret!, maxBacklog: webhookBacklog, warn })
    : undefined;
  const app = await buildServer({
    storage,
    webhook,
    adminToken,
    enrollSecret,
    adminName: values['admin-name'] ?? env.MCP_WARDEN_ADMIN_NAME ?? 'admin',
    ...(bodyLimit ? { bodyLimit } : {}),
    ...(enrollRate ? { rateLimits: { enrolling: enrollRate, enrollingPerAddress: enrollRate } } : {}),
    ...(tls ? { tls } : {}),
    ...(publicUrl ? { publicUrl } : {}),
    ...(oidc ? { oidc } : {}),
    ...(signInLink ? { signInLink } : {}),
    registry,
    sessionLimits: {
      idleMs: (idleMinutes ?? DEFAULT_SESSION_LIMITS.idleMs / 60_000) * 60_000,
      absoluteMs: (hours ?? DEFAULT_SESSION_LIMITS.absoluteMs / 3_600_000) * 3_600_000,
    },
  });
  const maintenance = startMaintenance(storage, (message) => io.stderr(`${message}\n`));
  const upstream = registry.upstream
    ? followUpstream(storage, {
        url: registry.upstream,
        intervalMs: upstreamMinutes * 60_000,
        warn: (message) => io.stderr(`${message}\n`),
      })
    : undefined;
  const address = await app.listen({ port, host });
  webhook?.start();
  const signIn = `${oidc ? `; single sign-on with ${oidc.issuer}` : ''}${webhookUrl ? `; events streamed to ${new URL(webhookUrl).host}` : ''}`;
  io.stdout(`mcp-warden server listening on ${address} (${describeLocation(location)}; events kept ${retention} days${signIn})\n`);
  secrets.keep();
  io.stdout(firstStartText(publicUrl ?? address, secrets, signInLink?.issue(new Date()), ['127.0.0.1', 'localhost', '::1'].includes(host)));
  await io.untilStopped();
  maintenance.stop();
  upstream?.stop();
  await app.close();
  await webhook?.stop();
  await storage.close();
  return 0;
}

/** The registry's namespace, who may read it and what it follows, each checked before anything starts. */
function registryOptions(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): RegistryOptions {
  const namespace = (values['registry-namespace'] as string | undefined) ?? env.MCP_WARDEN_REGISTRY_NAMESPACE;
  if (namespace !== undefined && !NAMESPACE_PATTERN.test(namespace))
    throw new UsageError(`--registry-namespace ${namespace}: expected a reverse-DNS name such as com.example`);
  const allowText = (values['registry-allow'] as string | undefined) ?? env.MCP_WARDEN_REGISTRY_ALLOW;
  const allowFrom = allowText
    ?.split(',')
    .map((range) => range.trim())
    .filter(Boolean);
  for (const range of allowFrom ?? [])
    if (!IpRange.safeParse(range).success) throw new UsageError(`--registry-allow ${range}: expected an IP address or a CIDR range`);
  const upstream = url('upstream-registry', (values['upstream-registry'] as string | undefined) ?? env.MCP_WARDEN_UPSTREAM_REGISTRY);
  return { ...(namespace ? { namespace } : {}), ...(allowFrom?.length ? { allowFrom } : {}), ...(upstream ? { upstream } : {}) };
}

const given = <Key extends string>(key: Key, value: string | undefined) => (value ? { [key]: value } : {}) as { [K in Key]?: string };

/** Where the console is; on a first start also the secrets it made, said once. */
function firstStartText(origin: string, secrets: ServerSecrets, code: string | undefined, loopbackOnly: boolean): string {
  const lines = [`Admin console: ${origin}/`];
  if (/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(`${origin}/`) && !loopbackOnly)
    lines.push("  (laptops elsewhere reach this endpoint by this machine's name: give --public-url, e.g. https://warden.corp.example)");
  if (secrets.made.length) {
    lines.push(
      '',
      `First start: made ${secrets.made.map((key) => SECRET_NAMES[key]).join(' and ')}, kept in ${secrets.file} (readable only by this user).`,
    );
    if (code) lines.push(`  Sign in to the console with this link (works once, for 15 minutes): ${origin}/auth/once?code=${code}`);
    // The token itself stays in the file: this output may end up in a service's log.
    if (secrets.made.includes('adminToken'))
      lines.push(`  The owner token, for later sign-ins and the admin API, is in ${secrets.file} (adminToken).`);
    if (secrets.made.includes('enrollSecret'))
      lines.push('  Enroll each laptop with:', `    mcp-warden enroll --server ${origin} --secret ${secrets.enrollSecret}`);
  }
  return `${lines.join('\n')}\n`;
}

const SECRET_NAMES: Record<keyof KeptSecrets, string> = { adminToken: 'an owner token', enrollSecret: 'an enroll secret' };

function url(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = new URL(value);
    if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return parsed.toString().replace(/\/$/, '');
  } catch {
    // said below
  }
  throw new UsageError(`--${flag} ${value}: expected an http(s):// URL`);
}

/** Single sign-on's settings, all together or none: an issuer without a client (or a public URL) cannot work. */
function oidcOptions(
  values: Record<string, string | boolean | undefined>,
  env: NodeJS.ProcessEnv,
  publicUrl: string | undefined,
): OidcOptions | undefined {
  const value = (flag: string, variable: string) => (values[flag] as string | undefined) ?? env[variable];
  const issuer = url('oidc-issuer', value('oidc-issuer', 'MCP_WARDEN_OIDC_ISSUER'));
  if (!issuer) return undefined;
  const clientId = value('oidc-client-id', 'MCP_WARDEN_OIDC_CLIENT_ID');
  const clientSecret = value('oidc-client-secret', 'MCP_WARDEN_OIDC_CLIENT_SECRET');
  if (!clientId || !clientSecret)
    throw new UsageError('--oidc-issuer needs --oidc-client-id and --oidc-client-secret (or their variables)');
  if (!publicUrl) throw new UsageError('--oidc-issuer needs --public-url: the provider sends admins back to <public-url>/auth/callback');
  const where = new URL(publicUrl);
  // Browsers keep the session's Secure cookie only for HTTPS (and loopback, for a trial).
  if (where.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(where.hostname))
    throw new UsageError(`--public-url ${publicUrl}: single sign-on needs https:// (browsers keep its session cookie only over HTTPS)`);
  if (where.pathname !== '/') throw new UsageError(`--public-url ${publicUrl}: give the origin only, without a path`);
  const list = (text: string | undefined) =>
    (text ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const roleMap: Record<string, AdminRole> = {};
  for (const pair of list(value('oidc-role-map', 'MCP_WARDEN_OIDC_ROLE_MAP'))) {
    const [claimValue, role] = pair.split('=').map((part) => part.trim());
    if (!claimValue || !role || !(ADMIN_ROLES as readonly string[]).includes(role))
      throw new UsageError(`--oidc-role-map ${pair}: expected value=role, the role one of ${ADMIN_ROLES.join(', ')}`);
    roleMap[claimValue] = role as AdminRole;
  }
  const roleClaim = value('oidc-role-claim', 'MCP_WARDEN_OIDC_ROLE_CLAIM');
  if (Object.keys(roleMap).length && !roleClaim)
    throw new UsageError('--oidc-role-map needs --oidc-role-claim: the claim its values are read from');
  return {
    issuer,
    clientId,
    clientSecret,
    publicUrl,
    allowedDomains: list(value('oidc-allowed-domains', 'MCP_WARDEN_OIDC_ALLOWED_DOMAINS')).map((domain) => domain.toLowerCase()),
    roleClaim,
    roleMap,
    scopes: list(value('oidc-scopes', 'MCP_WARDEN_OIDC_SCOPES')),
  };
}

/** The certificate and key files, read and checked to belong together, so a mistake stops the start with its reason. */
function tlsFiles(certFile: string | undefined, keyFile: string | undefined): { cert: Buffer; key: Buffer } | undefined {
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (!certFile || !keyFile) throw new UsageError('--tls-cert and --tls-key (MCP_WARDEN_TLS_CERT, MCP_WARDEN_TLS_KEY) go together');
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new UsageError(`--${flag} ${file}: cannot be read (${(error as { code?: string }).code ?? (error as Error).message})`);
    }
  };
  const files = { cert: read('tls-cert', certFile), key: read('tls-key', keyFile) };
  try {
    createSecureContext(files);
  } catch (error) {
    throw new UsageError(`--tls-cert ${certFile} with --tls-key ${keyFile}: ${(error as Error).message}`);
  }
  return files;
}
