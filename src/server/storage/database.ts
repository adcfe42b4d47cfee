// Opens the database a server is pointed at (a SQLite file, or a postgres:// URL) as one Kysely instance, and
// knows where its schema stands against the migrations this version ships.
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type SqliteDatabase, sql } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.js';
import { preparingPool } from './prepared-statements.js';
import { type ServerIndex, discardUnreadableIndex, inlineServerIndex, serverIndexFile, startServerIndex } from './server-index.js';
import { startWalCheckpointer } from './wal-checkpointer.js';
import type { WardenDatabase } from './schema.js';
import type { Dialect } from './storage.js';

export type DatabaseLocation = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

export interface OpenDatabase {
  db: Kysely<WardenDatabase>;
  dialect: Dialect;
  /** Closes the connections and whatever serves them (the checkpoint worker). */
  close(): Promise<void>;
  /** SQLite: called between write transactions, where housekeeping may take the write lock (wal-checkpointer.ts). */
  betweenWrites?: () => void;
  /** SQLite: which devices run each server, kept apart from the writer (server-index.ts); started on first call, once migrated. */
  serverIndex?: () => ServerIndex;
}

export interface DatabaseOptions {
  /** PostgreSQL: connections this process keeps at most. */
  poolSize?: number;
  /** SQLite: log pages past which the log starts over between batches (wal-checkpointer.ts; tests make it small). */
  walRestartPages?: number;
}

export function openDatabase(location: DatabaseLocation, options: DatabaseOptions = {}): OpenDatabase {
  if (location.dialect === 'sqlite') {
    const database = new Database(location.file);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    // 64 MiB of B-tree pages in the process, the rest read from the system's file cache. Measured side by side:
    // 128 MiB made ingest and the admin lists no faster (at 20,000 laptops) and the process about 65 MB bigger;
    // 32 MiB slowed the devices search at 100,000 laptops by a quarter (its table no longer fitted).
    database.pragma('cache_size = -65536');
    // Journals of statements and savepoints past 64 KiB (a batch of first reports writes megabytes), and
    // sorts too large for the cache, go to a temporary file, as SQLite does by default, not to memory: freed
    // after each, those chunks were left behind in the allocator, scattered between cached pages. In memory,
    // the process at 100,000 laptops peaked at 493-517 MB, of which malloc_trim could give back about 180;
    // with files, 356-395 MB.
    database.pragma('temp_store = file');
    // In the data folder, the one place known to be writable (a read-only root, a small /tmp would fail whole
    // batches otherwise). SQLite holds this for the process; a folder that is gone falls back to its defaults.
    if (!database.memory) database.pragma(`temp_store_directory = '${path.dirname(path.resolve(location.file)).replaceAll("'", "''")}'`);
    const checkpointer = database.memory ? undefined : startWalCheckpointer(database, options.walRestartPages);
    // Read here, written by the server index (server-index.ts), which is started once the schema is migrated.
    if (!database.memory) discardUnreadableIndex(location.file);
    database.prepare('attach database ? as server_index').run(database.memory ? ':memory:' : serverIndexFile(location.file));
    let serverIndex: ServerIndex | undefined;
    const db = new Kysely<WardenDatabase>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    return {
      db,
      dialect: 'sqlite',
      betweenWrites() {
        checkpointer?.betweenWrites();
        serverIndex?.betweenWrites();
      },
      serverIndex() {
        serverIndex ??= database.memory ? inlineServerIndex(database) : startServerIndex(database);
        return serverIndex;
      },
      async close() {
        // The workers' connections first: the last connection to close folds the log into the file.
        await serverIndex?.stop();
        await checkpointer?.stop();
        await db.destroy();
      },
    };
  }
  const pool = new pg.Pool({
    connectionString: location.url,
    max: options.poolSize ?? 16,
    connectionTimeoutMillis: 5000,
    // A request never waits on a lost database for long: it answers 503 and the agent retries later.
    query_timeout: 30_000,
  });
  // A connection the database dropped (a restart, a failover) is an event, not a crash: the query on it fails
  // (answered 503), the pool discards it and opens a new one. That holds for idle connections (the pool's
  // 'error') and for ones a transaction holds between two queries (the client's own 'error').
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<WardenDatabase>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

/** Statements compiled by SQLite a time each, not once per query as Kysely's driver would (a third of ingest). */
const STATEMENT_CACHE = 1000;

function withStatementCache(database: Database.Database): SqliteDatabase {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        // Most recently used last, so the oldest is the first to go.
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

export interface SchemaStatus {
  applied: string[];
  pending: string[];
  /** Applied by a newer MCP Warden: this version must not run against it. */
  unknown: string[];
}

function migrator(open: OpenDatabase): Migrator {
  return new Migrator({ db: open.db, provider: migrationProvider(open.dialect) });
}

export async function schemaStatus(open: OpenDatabase): Promise<SchemaStatus> {
  const known = await migrationProvider(open.dialect).getMigrations();
  const tables = await open.db.introspection.getTables({ withInternalKyselyTables: true });
  const recorded = tables.some((table) => table.name === 'kysely_migration')
    ? (
        await open.db
          .withoutPlugins()
          .selectFrom('kysely_migration' as never)
          .select('name' as never)
          .execute()
      ).map((row) => (row as { name: string }).name)
    : [];
  // MCP Warden 0.1 numbered its SQLite schema in user_version; a migration cut short leaves tables but no number.
  if (recorded.length === 0 && open.dialect === 'sqlite') {
    const { rows } = await sql<{ user_version: number }>`pragma user_version`.execute(open.db);
    if ((rows[0]?.user_version ?? 0) > 0) throw new LegacySchemaError();
  }
  return {
    applied: recorded.filter((name) => name in known),
    pending: Object.keys(known).filter((name) => !recorded.includes(name)),
    unknown: recorded.filter((name) => !(name in known)),
  };
}

/** Applies every pending migration (under Kysely's lock); answers the names applied. */
export async function migrate(open: OpenDatabase): Promise<string[]> {
  const status = await schemaStatus(open);
  if (status.unknown.length) throw new NewerSchemaError(status.unknown);
  const { error, results } = await migrator(open).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '?'} failed: ${(error as Error).message}; nothing of it was kept, run migrate again once fixed`);
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

export class NewerSchemaError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `the database has migrations this version of MCP Warden does not know (${unknown.join(', ')}): it was upgraded by a newer version; run that version`,
    );
  }
}

export class LegacySchemaError extends Error {
  constructor() {
    super(
      'the database holds the schema of MCP Warden 0.1 before versioned migrations; start from a new --data folder (docs/deploy-server.md)',
    );
  }
}
