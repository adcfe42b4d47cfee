// What more than one migration needs.
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './storage.js';

/** SQLite cannot add a column "if not exists": a migration cut short must not fail on the column it added. */
export async function addColumn(db: Kysely<unknown>, dialect: Dialect, table: string, column: string): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table ${sql.table(table)} add column if not exists ${sql.ref(column)} text`.execute(db);
    return;
  }
  const { rows } = await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  if (!rows.some((row) => row.name === column)) await sql`alter table ${sql.table(table)} add column ${sql.ref(column)} text`.execute(db);
}
