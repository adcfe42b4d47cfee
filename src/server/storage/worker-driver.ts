// The SQLite workers run as source (eval), whose require looks for packages from the working folder, not from
// MCP Warden's own: they are handed the driver's path instead.
import { createRequire } from 'node:module';

/** The path a worker's source requires better-sqlite3 from. */
export const sqliteDriverPath = (): string => createRequire(import.meta.url).resolve('better-sqlite3');
