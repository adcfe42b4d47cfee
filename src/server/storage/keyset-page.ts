// One page of any list: the rows after a keyset position (the sort's column values of the last row shown),
// in the sort's order, and the count of all rows that match. No OFFSET: a page deep in a list costs what the
// first one does.
import { type Kysely, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { WardenDatabase } from './schema.js';
import type { Keyset, Page, PageRequest } from './storage.js';

/** Code-unit order, the databases' order of these keys (PostgreSQL's "C" collation), for orders kept in memory. */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `(a, b, c) > (x, y, z)`: the rows after a keyset position, in either direction. */
function after(columns: readonly string[], position: Keyset | undefined, descending: boolean) {
  if (!position) return undefined;
  return sql<SqlBool>`(${sql.join(columns.map((column) => sql.ref(column)))}) ${sql.raw(descending ? '<' : '>')} (${sql.join(position)})`;
}

function orderBy(columns: readonly string[], descending: boolean) {
  return sql.join(
    columns.map((column) => sql`${sql.ref(column)} ${sql.raw(descending ? 'desc' : 'asc')}`),
    sql`, `,
  );
}

/** The keyset of a row: its values of the sort's columns (`ds.first_seen` is the row's `first_seen`). */
const keyOf = (columns: readonly string[], row: unknown): Keyset =>
  columns.map((column) => (row as Record<string, string | number>)[column.slice(column.indexOf('.') + 1)]!);

/** Counts a filtered query's rows, exactly or (upTo) only up to a bound, which keeps huge tables fast. */
async function count<DB, TB extends keyof DB>(
  db: Kysely<WardenDatabase>,
  query: SelectQueryBuilder<DB, TB, object>,
  upTo: number | undefined,
): Promise<{ total: number; exact: boolean }> {
  if (upTo === undefined) {
    const row = (await query.select(sql<string | number>`count(*)`.as('total')).executeTakeFirstOrThrow()) as { total: string | number };
    return { total: Number(row.total), exact: true };
  }
  const bounded = query.select(sql.lit(1).as('one')).limit(upTo + 1);
  const row = await db
    .selectFrom(bounded.as('bounded'))
    .select(sql<string | number>`count(*)`.as('total'))
    .executeTakeFirstOrThrow();
  const total = Number(row.total);
  return total > upTo ? { total: upTo, exact: false } : { total, exact: true };
}

/**
 * One page of a list: the rows after the keyset position in the sort's order, one more than asked to know
 * whether more follow, and the count of all that match (`counted`: the same filters, nothing selected).
 */
export async function keysetPage<DB, TB extends keyof DB, O, Item>(
  db: Kysely<WardenDatabase>,
  rows: SelectQueryBuilder<DB, TB, O>,
  /** The same filters, nothing selected; or the total when it is kept elsewhere already. */
  counted: SelectQueryBuilder<DB, TB, object> | number,
  page: PageRequest<string>,
  columns: readonly string[],
  map: (row: O) => Item,
): Promise<Page<Item>> {
  const found = (await rows
    .$if(page.after !== undefined, (query) => query.where(after(columns, page.after, page.descending)!))
    .orderBy(orderBy(columns, page.descending))
    .limit(page.limit + 1)
    .execute()) as O[];
  const total = typeof counted === 'number' ? { total: counted, exact: true } : await count(db, counted, page.countUpTo);
  const more = found.length > page.limit;
  const shown = more ? found.slice(0, page.limit) : found;
  return {
    items: shown.map(map),
    ...(more ? { next: keyOf(columns, shown.at(-1)) } : {}),
    total: total.total,
    totalExact: total.exact,
  };
}
