// `mcp-warden server`: the reference central endpoint. Each option also comes from the environment.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { parseArgs } from 'node:util';
import { buildServer } from './app.js';
import { DEFAULT_RATE_LIMITS } from './callers.js';
import { startMaintenance } from './maintenance.js';
import { LATEST_MIGRATION } from './storage/migrations.js';
import { DEFAULT_EVENT_RETENTION_DAYS, migrateStorage, openStorage } from './storage/open-storage.js';
import { STORAGE_OPTIONS, databaseLocation, describeLocation, storageError } from './storage-location.js';
import type { Storage } from './storage/storage.js';
import { type CommandStreams, UsageError } from '../shared/command.js';
import { runAdmin } from './admin-command.js';

export const SERVER_HELP = `Usage: mcp-warden server [options]
       mcp-warden server migrate [--database URL | --data DIR]
       mcp-warden server admin add|list|remove|token … (mcp-warden server admin --help)

Runs the reference central endpoint: devices enroll and report their inventory, admins decide (allow,
block, conditionally allow) through the admin API, devices fetch the policy. Data is kept in SQLite in
--data (the default, nothing to install, one process), or in PostgreSQL with --database, where several
server processes behind a load balancer act as one endpoint.

\`migrate\` applies the schema migrations this version ships and exits. SQLite databases are migrated as
the server starts; a PostgreSQL database must be migrated first (once, before the processes are started
or upgraded), and a server never starts against a schema older or newer than its own.

Options (each also from the environment variable shown):
  --port P               port to listen on (MCP_WARDEN_PORT; default 8443)
  --host H               address to bind (MCP_WARDEN_HOST; default 127.0.0.1)
  --data DIR             folder for the SQLite database (MCP_WARDEN_DATA)
  --database URL         postgres://user:password@host:port/database instead (MCP_WARDEN_DATABASE_URL)
  --pool-size N          PostgreSQL connections this process keeps at most (MCP_WARDEN_POOL_SIZE; default 16)
  --retention-days N     days events are kept, then dropped by day (MCP_WARDEN_RETENTION_DAYS; default ${DEFAULT_EVENT_RETENTION_DAYS})
  --admin-token T        bootstrap owner token of the admin API, for first setup and scripts
                         (MCP_WARDEN_ADMIN_TOKEN; required); admins get their own with \`server admin add\`
  --admin-name NAME      who the bootstrap token speaks for, recorded as Marked By (MCP_WARDEN_ADMIN_NAME; default admin)
  --enroll-secret S      secret devices enroll with (MCP_WARDEN_ENROLL_SECRET; required)
  --tls-cert FILE        serve HTTPS with this certificate chain, PEM (MCP_WARDEN_TLS_CERT)
  --tls-key FILE         the certificate's private key, PEM (MCP_WARDEN_TLS_KEY)
  --body-limit BYTES     largest request body after decompression (default 16 MiB)
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
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.stdout(`${SERVER_HELP}\n`);
    return 0;
  }
  const env = process.env;
  const required = (flag: string, value: string | undefined, variable: string) => {
    if (!value) throw new UsageError(`--${flag} (or ${variable}) is required`);
    return value;
  };
  const adminToken = required('admin-token', values['admin-token'] ?? env.MCP_WARDEN_ADMIN_TOKEN, 'MCP_WARDEN_ADMIN_TOKEN');
  const enrollSecret = required('enroll-secret', values['enroll-secret'] ?? env.MCP_WARDEN_ENROLL_SECRET, 'MCP_WARDEN_ENROLL_SECRET');
  const port = Number(values.port ?? env.MCP_WARDEN_PORT ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port}: expected a port number`);
  const host = values.host ?? env.MCP_WARDEN_HOST ?? '127.0.0.1';
  const bodyLimit = wholeNumber('body-limit', values['body-limit'], 1024);
  const retention =
    wholeNumber('retention-days', values['retention-days'] ?? env.MCP_WARDEN_RETENTION_DAYS, 1) ?? DEFAULT_EVENT_RETENTION_DAYS;
  const enrollRate = wholeNumber('enroll-rate', values['enroll-rate'] ?? env.MCP_WARDEN_ENROLL_RATE, 1);
  const poolSize = wholeNumber('pool-size', values['pool-size'] ?? env.MCP_WARDEN_POOL_SIZE, 1);
  const tls = tlsFiles(values['tls-cert'] ?? env.MCP_WARDEN_TLS_CERT, values['tls-key'] ?? env.MCP_WARDEN_TLS_KEY);
  const location = databaseLocation(values, env);

  let storage: Storage;
  try {
    storage = await openStorage(location, { eventRetentionDays: retention, ...(poolSize ? { poolSize } : {}) });
  } catch (error) {
    throw storageError(location, error);
  }
  const app = await buildServer({
    storage,
    adminToken,
    enrollSecret,
    adminName: values['admin-name'] ?? env.MCP_WARDEN_ADMIN_NAME ?? 'admin',
    ...(bodyLimit ? { bodyLimit } : {}),
    ...(enrollRate ? { rateLimits: { enrolling: enrollRate, enrollingPerAddress: enrollRate } } : {}),
    ...(tls ? { tls } : {}),
  });
  const maintenance = startMaintenance(storage, (message) => io.stderr(`${message}\n`));
  const address = await app.listen({ port, host });
  io.stdout(`mcp-warden server listening on ${address} (${describeLocation(location)}; events kept ${retention} days)\n`);
  await io.untilStopped();
  maintenance.stop();
  await app.close();
  await storage.close();
  return 0;
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
