// Every definition each capability of a server was seen with, kept once, and the capabilities whose
// definition changed since it was first seen (a "rug pull": same name, new description or schema), with the
// definitions before and after, for admins to review.
import { type Kysely, type Transaction, sql } from 'kysely';
import type { Capability, ProbeResult } from '../../shared/inventory.js';
import { capabilitiesOf } from '../../shared/present.js';
import { byCodeUnits as compare, keysetPage } from './keyset-page.js';
import type { WardenDatabase } from './schema.js';
import type { StatementPieces } from './statement-pieces.js';
import type { CapabilityChange, Page, PageRequest } from './storage.js';

type Trx = Transaction<WardenDatabase>;

/** SQLite takes at most 32,766 parameters a statement; six a row. (SQLite's runs: the power of two below it.) */
const ROWS_PER_INSERT = 500;

const changeId = (serverKey: string, kind: string, name: string) => `${serverKey}\n${kind}\n${name}`;

/**
 * Keeps the definitions of a report's successful probes; a capability seen with a new definition becomes a
 * change. Rows go in key order, as every other shared row does, so two reports never wait on each other in
 * opposite orders (a deadlock on PostgreSQL).
 */
export async function recordCapabilityVersions(
  trx: Trx,
  pieces: StatementPieces,
  probes: readonly (readonly [serverKey: string, probe: ProbeResult])[],
): Promise<void> {
  const rows = probes
    .flatMap(([serverKey, probe]) =>
      capabilitiesOf(probe).map((capability) => ({
        server_key: serverKey,
        kind: capability.kind,
        name: capability.name,
        hash: capability.hash,
        definition: JSON.stringify(capability),
        first_seen: probe.probedAt,
      })),
    )
    .sort((a, b) => compare(a.server_key, b.server_key) || compare(a.kind, b.kind) || compare(a.name, b.name) || compare(a.hash, b.hash));
  for (const part of pieces(rows, ROWS_PER_INSERT)) {
    const added = await trx
      .insertInto('capability_versions')
      .values(part)
      .onConflict((conflict) => conflict.columns(['server_key', 'kind', 'name', 'hash']).doNothing())
      .returning(['server_key', 'kind', 'name', 'hash', 'first_seen'])
      .execute();
    for (const version of added) {
      const before = await trx
        .selectFrom('capability_versions')
        .select('hash')
        .where('server_key', '=', version.server_key)
        .where('kind', '=', version.kind)
        .where('name', '=', version.name)
        .where('hash', '!=', version.hash)
        .orderBy('first_seen', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!before) continue;
      const change = { before_hash: before.hash, after_hash: version.hash, changed_at: version.first_seen };
      await trx
        .insertInto('capability_changes')
        .values({
          id: changeId(version.server_key, version.kind, version.name),
          server_key: version.server_key,
          kind: version.kind,
          name: version.name,
          ...change,
        })
        .onConflict((conflict) => conflict.column('id').doUpdateSet(change))
        .execute();
    }
  }
}

/** The changed capabilities, the latest change first, optionally of one server. */
export async function capabilityChanges(
  db: Kysely<WardenDatabase>,
  serverKey: string | undefined,
  page: PageRequest<'changedAt'>,
): Promise<Page<CapabilityChange>> {
  const filtered = db
    .selectFrom('capability_changes as c')
    .$if(serverKey !== undefined, (query) => query.where('c.server_key', '=', serverKey!));
  const rows = filtered
    .innerJoin('capability_versions as b', (join) =>
      join
        .onRef('b.server_key', '=', 'c.server_key')
        .onRef('b.kind', '=', 'c.kind')
        .onRef('b.name', '=', 'c.name')
        .onRef('b.hash', '=', 'c.before_hash'),
    )
    .innerJoin('capability_versions as a', (join) =>
      join
        .onRef('a.server_key', '=', 'c.server_key')
        .onRef('a.kind', '=', 'c.kind')
        .onRef('a.name', '=', 'c.name')
        .onRef('a.hash', '=', 'c.after_hash'),
    )
    .select(['c.id', 'c.server_key', 'c.changed_at', 'b.definition as before', 'b.first_seen as before_seen', 'a.definition as after']);
  const { total } = await filtered.select(sql<string | number>`count(*)`.as('total')).executeTakeFirstOrThrow();
  return keysetPage(db, rows, Number(total), page, ['c.changed_at', 'c.id'], (row) => ({
    serverKey: row.server_key,
    changedAt: row.changed_at,
    before: JSON.parse(row.before) as Capability,
    beforeSeen: row.before_seen,
    after: JSON.parse(row.after) as Capability,
  }));
}
