// `mcp-warden server`: the reference central endpoint. Each option also comes from the environment.
import { mkdirSync, readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildServer } from './app.js';
import { SqliteStorage } from './storage/sqlite-storage.js';
import { type CommandStreams, UsageError } from '../shared/command.js';

export const SERVER_HELP = `Usage: mcp-warden server [options]

Runs the reference central endpoint: devices enroll and report their inventory, admins decide (allow,
block, conditionally allow) through the admin API, devices fetch the policy. Data is kept in SQLite.

Options (each also from the environment variable shown):
  --port P               port to listen on (MCP_WARDEN_PORT; default 8443)
  --host H               address to bind (MCP_WARDEN_HOST; default 127.0.0.1)
  --data DIR             folder for the database (MCP_WARDEN_DATA; required)
  --admin-token T        bearer token of the admin API (MCP_WARDEN_ADMIN_TOKEN; required)
  --admin-name NAME      who the admin token speaks for, recorded on rules (MCP_WARDEN_ADMIN_NAME; default admin)
  --enroll-secret S      secret devices enroll with (MCP_WARDEN_ENROLL_SECRET; required)
  --tls-cert FILE        serve HTTPS with this certificate chain, PEM (MCP_WARDEN_TLS_CERT)
  --tls-key FILE         the certificate's private key, PEM (MCP_WARDEN_TLS_KEY)
  --body-limit BYTES     largest request body after decompression (default 16 MiB)
  -h, --help             this help

Without --tls-cert the endpoint speaks plain HTTP: bind it to loopback, or put it behind a reverse proxy
that terminates TLS (docs/deploy-mdm.md).`;

export type Io = CommandStreams;

export async function runServer(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      'admin-token': { type: 'string' },
      'admin-name': { type: 'string' },
      'enroll-secret': { type: 'string' },
      'body-limit': { type: 'string' },
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
  const data = path.resolve(required('data', values.data ?? env.MCP_WARDEN_DATA, 'MCP_WARDEN_DATA'));
  const adminToken = required('admin-token', values['admin-token'] ?? env.MCP_WARDEN_ADMIN_TOKEN, 'MCP_WARDEN_ADMIN_TOKEN');
  const enrollSecret = required('enroll-secret', values['enroll-secret'] ?? env.MCP_WARDEN_ENROLL_SECRET, 'MCP_WARDEN_ENROLL_SECRET');
  const port = Number(values.port ?? env.MCP_WARDEN_PORT ?? 8443);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port ${values.port}: expected a port number`);
  const host = values.host ?? env.MCP_WARDEN_HOST ?? '127.0.0.1';
  const bodyLimit = values['body-limit'] ? Number(values['body-limit']) : undefined;
  const tls = tlsFiles(values['tls-cert'] ?? env.MCP_WARDEN_TLS_CERT, values['tls-key'] ?? env.MCP_WARDEN_TLS_KEY);

  mkdirSync(data, { recursive: true, mode: 0o700 });
  const storage = new SqliteStorage(path.join(data, 'mcp-warden.sqlite'));
  const app = await buildServer({
    storage,
    adminToken,
    enrollSecret,
    adminName: values['admin-name'] ?? env.MCP_WARDEN_ADMIN_NAME ?? 'admin',
    ...(bodyLimit ? { bodyLimit } : {}),
    ...(tls ? { tls } : {}),
  });
  const address = await app.listen({ port, host });
  io.stdout(`mcp-warden server listening on ${address} (data in ${data})\n`);
  await io.untilStopped();
  await app.close();
  storage.close();
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
