// The storage a server process runs on, from where it is told to look: a postgres:// URL, or a SQLite file in
// its data folder. SQLite is migrated as it opens (the embedded default: one file, one process, nothing to
// run first); PostgreSQL is migrated by `mcp-warden server migrate`, once, before the processes start, and a
// server refuses to start against a schema that is behind or ahead of it.
import { type DatabaseLocation, type DatabaseOptions, migrate, openDatabase, schemaStatus } from './database.js';
import { SqlStorage } from './sql-storage.js';
import type { Storage } from './storage.js';

export interface StorageOptions extends DatabaseOptions {
  eventRetentionDays: number;
  /** Keep new events for the SIEM webhook. */
  webhook?: boolean | undefined;
}

export const DEFAULT_EVENT_RETENTION_DAYS = 365;

export class SchemaNotReadyError extends Error {}

export async function openStorage(location: DatabaseLocation, options: StorageOptions): Promise<Storage> {
  const open = openDatabase(location, options);
  try {
    if (open.dialect === 'sqlite') await migrate(open);
    else {
      const status = await schemaStatus(open);
      if (status.unknown.length)
        throw new SchemaNotReadyError(
          `the database was upgraded by a newer MCP Warden (migrations ${status.unknown.join(', ')}); run that version`,
        );
      if (status.pending.length)
        throw new SchemaNotReadyError(
          `the database needs ${status.pending.length} migration(s) (${status.pending.join(', ')}): run \`mcp-warden server migrate\` first`,
        );
    }
  } catch (error) {
    await open.close();
    throw error;
  }
  return new SqlStorage(open, { eventRetentionDays: options.eventRetentionDays, webhook: options.webhook });
}

/** `mcp-warden server migrate`: applies what is pending, answers the names applied. */
export async function migrateStorage(location: DatabaseLocation): Promise<string[]> {
  const open = openDatabase(location);
  try {
    return await migrate(open);
  } finally {
    await open.close();
  }
}

/** A SQLite database in memory, migrated: for tests and trials. */
export async function memoryStorage(options: Partial<StorageOptions> = {}): Promise<Storage> {
  return openStorage({ dialect: 'sqlite', file: ':memory:' }, { eventRetentionDays: DEFAULT_EVENT_RETENTION_DAYS, ...options });
}
