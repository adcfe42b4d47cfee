// Where a server command's data lives (--data for SQLite, --database for PostgreSQL), how logs name it
// (never with its password), and how a database that cannot be used is said: shared by `server`,
// `server migrate` and `server admin`.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../shared/command.js';
import { type DatabaseLocation, LegacySchemaError, NewerSchemaError } from './storage/database.js';
import { SchemaNotReadyError } from './storage/open-storage.js';
import { isStorageUnavailable } from './storage/unavailable.js';

export const STORAGE_OPTIONS = {
  data: { type: 'string' },
  database: { type: 'string' },
  'pool-size': { type: 'string' },
  'retention-days': { type: 'string' },
} as const;

/** The platform's place for a service's data, when neither --data nor --database is given. */
export function defaultDataFolder(platform: NodeJS.Platform, home: string, env: NodeJS.ProcessEnv): string {
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'MCP Warden Server');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), 'MCP Warden Server');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'mcp-warden-server');
}

/**
 * Where the data lives: --database (PostgreSQL) wins over --data (SQLite), which defaults to the platform's
 * data folder, so a first `mcp-warden server` needs no option at all.
 */
export function databaseLocation(
  values: { data?: string | undefined; database?: string | undefined },
  env: NodeJS.ProcessEnv,
): DatabaseLocation {
  const url = values.database ?? env.MCP_WARDEN_DATABASE_URL;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError(`--database ${redactUrl(url)}: expected a postgres:// URL`);
    return { dialect: 'postgres', url };
  }
  const folder = path.resolve(values.data ?? env.MCP_WARDEN_DATA ?? defaultDataFolder(process.platform, os.homedir(), env));
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  return { dialect: 'sqlite', file: path.join(folder, 'mcp-warden.sqlite') };
}

/** The database as logs may show it: never its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable URL)';
  }
}

export function describeLocation(location: DatabaseLocation): string {
  return location.dialect === 'postgres' ? `PostgreSQL ${redactUrl(location.url)}` : `SQLite ${location.file}`;
}

/** A database that cannot be reached, or refuses us, said in one line with where it is. */
export function storageError(location: DatabaseLocation, error: unknown): Error {
  if (error instanceof SchemaNotReadyError || error instanceof NewerSchemaError || error instanceof LegacySchemaError)
    return new Error(`${describeLocation(location)}: ${error.message}`);
  const reason = isStorageUnavailable(error) ? 'cannot be reached' : 'cannot be opened';
  const detail = error instanceof AggregateError ? error.errors.map((inner: Error) => inner.message).join('; ') : (error as Error).message;
  return new Error(`${describeLocation(location)} ${reason}: ${detail}`);
}
