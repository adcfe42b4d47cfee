// PostgreSQL parses and plans every statement that arrives unnamed, as pg sends them: for an agent's report
// that was about as much of the database's work as running it, or more (planning the unchanged delta's
// statement took 0.24 ms and running it 0.27 ms; the device's lookup 0.11 and 0.03 ms). Here a statement seen
// again and again is prepared once per connection, named by its text, so each later run is only bound and
// executed, and after a few runs PostgreSQL keeps one plan for it. Statements seen only now and then (most
// admin queries) stay unnamed, and so do statements with many values (multi-row inserts: one shape per row
// count, their plans large and their planning small beside their run), so the few each request runs are the
// ones a connection holds. A pooler in front of PostgreSQL must pass prepared statements through (PgBouncer
// ≥ 1.21 with max_prepared_statements set).
import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** Runs of one text after which it is prepared. */
const PREPARE_AFTER = 3;
/** Values a statement takes at most to be prepared. */
const MAX_VALUES = 64;
/** Prepared statements a connection holds at most. */
const PER_CONNECTION = 200;
/**
 * PostgreSQL's answer to a prepared statement whose result changed shape (a migration added a column to a
 * table it reads with `*`, say, while this process still runs): it would fail on every run.
 */
const PLAN_CHANGED = '0A000';
/** Texts counted at most; the counts start over past it, so one-off statements cannot grow it without end. */
const COUNTED = 5000;

export function preparingPool(pool: pg.Pool): PostgresPool {
  const runs = new Map<string, number>();
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    const known = names.get(text);
    if (known) return known;
    const seen = (runs.get(text) ?? 0) + 1;
    if (runs.size >= COUNTED) runs.clear();
    runs.set(text, seen);
    if (seen < PREPARE_AFTER || names.size >= COUNTED) return undefined;
    runs.delete(text);
    const name = `warden_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    names.set(text, name);
    return name;
  };
  // Kysely keeps its own state per client object: the same wrapper every time a client comes back.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    const prepared = new Set<string>();
    // Names this connection no longer uses: their statements' results changed shape.
    const stale = new Set<string>();
    const query = (textOrCursor: unknown, values?: readonly unknown[]): unknown => {
      if (typeof textOrCursor !== 'string') return client.query(textOrCursor as pg.Submittable);
      const text = textOrCursor;
      const unnamed = () => client.query(text, values as unknown[]);
      const name = (values?.length ?? 0) <= MAX_VALUES ? nameOf(text) : undefined;
      if (!name || stale.has(name) || (!prepared.has(name) && prepared.size >= PER_CONNECTION)) return unnamed();
      prepared.add(name);
      return client.query({ name, text, values: values as unknown[] }).catch((error: unknown) => {
        if ((error as { code?: unknown }).code !== PLAN_CHANGED) throw error;
        stale.add(name);
        // Run again unnamed; in a transaction the failure has ended it, and the transaction's retry runs unnamed.
        return unnamed().catch(() => Promise.reject(error));
      });
    };
    return { query: query as PostgresPoolClient['query'], release: (destroy) => client.release(destroy) };
  };
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) wrappers.set(client, (wrapper = wrap(client)));
      return wrapper;
    },
    end: () => pool.end(),
  };
}
