// The organisation's MCP registry, for both dialects: each published version of each entry, the upstream
// entries the fleet runs and the alerts following them raised. Publishing and unpublishing run in the policy's
// own transaction (its version moves: registry-only laptops learn what may run), and so does the deprecation a
// block of the whole server brings, in the block's transaction.
import type { Kysely, Transaction } from 'kysely';
import semver from 'semver';
import type { Rule } from '../../shared/policy.js';
import type { RegistryStatus, ServerJson } from '../../shared/registry.js';
import { recordAction } from './admin-store.js';
import { byCodeUnits, keysetPage } from './keyset-page.js';
import { contains } from './text-search.js';
import type { RegistryAlertsTable, RegistryEntriesTable, WardenDatabase } from './schema.js';
import {
  type Actor,
  type Dialect,
  type Page,
  type PageRequest,
  type RegistryAlert,
  RegistryBlockedError,
  RegistryConflictError,
  type RegistryEntry,
  type RegistryFilter,
  type RegistryStore,
  type UpstreamEntry,
} from './storage.js';

type Db = Kysely<WardenDatabase>;
type Trx = Transaction<WardenDatabase>;
/** Runs a change that moves the policy's version (sql-storage.ts changePolicy). */
type InPolicyChange = <T>(work: (trx: Trx) => Promise<T>) => Promise<T>;

const ORDER = ['name', 'version'] as const;
const UPSTREAM_PER_TRANSACTION = 200;

/** Whether a version comes after another: by semantic versioning where both follow it, else the one published later does. */
const newer = (version: string, than: string): boolean => {
  const [a, b] = [semver.valid(version), semver.valid(than)];
  return a && b ? semver.gt(a, b) : true;
};

/**
 * Why an entry is not active, as its readers see it: the organisation's justification for a block, never who
 * made it (the registry is public; the admin history keeps who).
 */
const blockedBecause = (rule: Rule) => `blocked by the organisation: ${rule.justification}`;
const REMOVED = 'removed by the organisation';

function toEntry(row: RegistryEntriesTable): RegistryEntry {
  return {
    name: row.name,
    version: row.version,
    serverKey: row.server_key,
    server: JSON.parse(row.server_json) as ServerJson,
    status: row.status as RegistryStatus,
    ...(row.status_reason ? { statusReason: row.status_reason } : {}),
    isLatest: row.is_latest === 1,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    updatedAt: row.updated_at,
  };
}

function toAlert(row: RegistryAlertsTable): RegistryAlert {
  return {
    id: row.id,
    at: row.at,
    upstream: row.upstream,
    name: row.name,
    serverKey: row.server_key,
    kind: row.kind as RegistryAlert['kind'],
    detail: row.detail,
    ...(row.rule_id ? { ruleId: row.rule_id } : {}),
  };
}

/** A block of the whole server for every agent: what a registry entry cannot stand beside. */
export const blocksForAll = (rule: Pick<Rule, 'verdict' | 'target' | 'agents'>): boolean =>
  rule.verdict === 'block' && !rule.target.capability && rule.agents.includes('*');

/** The serverKeys registry-only lets run, read in the policy's transaction for its version. */
export async function activeServerKeys(db: Db | Trx): Promise<string[]> {
  const rows = await db
    .selectFrom('registry_entries')
    .select('server_key')
    .distinct()
    .where('status', '=', 'active')
    .orderBy('server_key')
    .execute();
  return rows.map((row) => row.server_key);
}

/** In a block's transaction: the server's active entries become deprecated, with the block's justification. */
export async function deprecateForBlock(trx: Trx, rule: Rule, by: Actor, now: string): Promise<void> {
  if (!blocksForAll(rule)) return;
  const changed = await trx
    .updateTable('registry_entries')
    .set({
      status: 'deprecated',
      status_reason: blockedBecause(rule),
      deprecated_by_rule: rule.id,
      updated_at: now,
    })
    .where('server_key', '=', rule.target.serverKey)
    .where('status', '=', 'active')
    .returning(['name', 'version'])
    .execute();
  for (const entry of changed)
    await recordAction(trx, {
      admin: by,
      action: 'registry-deprecated',
      at: now,
      subject: `${entry.name}@${entry.version}`,
      serverKey: rule.target.serverKey,
      after: { ruleId: rule.id, reason: rule.justification },
    });
}

/** A block for every agent of this server that still stands, in a transaction changing the rules. */
async function standingBlock(trx: Trx, serverKey: string): Promise<Rule | undefined> {
  const rows = await trx.selectFrom('rules').select('rule').where('server_key', '=', serverKey).execute();
  return rows.map((row) => JSON.parse(row.rule) as Rule).find(blocksForAll);
}

/**
 * In the transaction that lifts a block: the entries it deprecated are active again, unless another block
 * for every agent still stands, which they are then deprecated by.
 */
export async function restoreAfterBlock(trx: Trx, ruleId: string, by: Actor, now: string): Promise<void> {
  const deprecated = await trx
    .selectFrom('registry_entries')
    .select('server_key')
    .where('deprecated_by_rule', '=', ruleId)
    .executeTakeFirst();
  if (!deprecated) return;
  const still = await standingBlock(trx, deprecated.server_key);
  if (still) {
    await trx
      .updateTable('registry_entries')
      .set({ deprecated_by_rule: still.id, status_reason: blockedBecause(still) })
      .where('deprecated_by_rule', '=', ruleId)
      .execute();
    return;
  }
  const changed = await trx
    .updateTable('registry_entries')
    .set({ status: 'active', status_reason: null, deprecated_by_rule: null, updated_at: now })
    .where('deprecated_by_rule', '=', ruleId)
    .where('status', '=', 'deprecated')
    .returning(['name', 'version', 'server_key'])
    .execute();
  for (const entry of changed)
    await recordAction(trx, {
      admin: by,
      action: 'registry-restored',
      at: now,
      subject: `${entry.name}@${entry.version}`,
      serverKey: entry.server_key,
    });
}

/** Records an alert once (its id names what it is about); false when it was recorded already. */
export async function insertAlert(trx: Trx, alert: RegistryAlert): Promise<boolean> {
  const added = await trx
    .insertInto('registry_alerts')
    .values({
      id: alert.id,
      at: alert.at,
      upstream: alert.upstream,
      name: alert.name,
      server_key: alert.serverKey,
      kind: alert.kind,
      detail: alert.detail,
      rule_id: alert.ruleId ?? null,
    })
    .onConflict((conflict) => conflict.column('id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return added !== undefined;
}

export class SqlRegistryStore implements RegistryStore {
  constructor(
    private readonly db: Db,
    private readonly dialect: Dialect,
    private readonly inPolicyChange: InPolicyChange,
  ) {}

  async publish(entry: Omit<RegistryEntry, 'status' | 'isLatest' | 'updatedAt'>, now: string): Promise<RegistryEntry> {
    return this.inPolicyChange(async (trx) => {
      const sameName = await trx.selectFrom('registry_entries').selectAll().where('name', '=', entry.name).execute();
      const owner = sameName.find((row) => row.status !== 'deleted');
      if (owner && owner.server_key !== entry.serverKey)
        throw new RegistryConflictError(`name: ${entry.name} is already the registry's name for ${owner.server_key}; choose another name`);
      if (sameName.some((row) => row.version === entry.version))
        throw new RegistryConflictError(
          `version: ${entry.name} ${entry.version} was published already; a version is published once, so give a new one`,
        );
      // A block for every agent may have come after the preview: a blocked server is not published.
      const block = await standingBlock(trx, entry.serverKey);
      if (block)
        throw new RegistryBlockedError(`${entry.serverKey} is blocked for all agents by ${block.markedBy}: ${block.justification}`);
      const live = sameName.filter((row) => row.status !== 'deleted');
      const latest = live.every((row) => newer(entry.version, row.version));
      if (latest) await trx.updateTable('registry_entries').set({ is_latest: 0 }).where('name', '=', entry.name).execute();
      const row: RegistryEntriesTable = {
        name: entry.name,
        version: entry.version,
        server_key: entry.serverKey,
        server_json: JSON.stringify(entry.server),
        status: 'active',
        status_reason: null,
        deprecated_by_rule: null,
        is_latest: latest ? 1 : 0,
        published_at: entry.publishedAt,
        published_by: entry.publishedBy,
        updated_at: now,
      };
      await trx.insertInto('registry_entries').values(row).execute();
      await recordAction(trx, {
        admin: entry.publishedBy,
        action: 'registry-published',
        at: now,
        subject: `${entry.name}@${entry.version}`,
        serverKey: entry.serverKey,
        after: entry.server,
      });
      return toEntry(row);
    });
  }

  async entries(filter: RegistryFilter, page: PageRequest<'name'>): Promise<Page<RegistryEntry>> {
    const filtered = this.db
      .selectFrom('registry_entries')
      .$if(filter.updatedSince === undefined, (query) => query.where('status', '!=', 'deleted'))
      .$if(filter.updatedSince !== undefined, (query) => query.where('updated_at', '>=', filter.updatedSince!))
      .$if(filter.version === 'latest', (query) => query.where('is_latest', '=', 1))
      .$if(filter.version !== undefined && filter.version !== 'latest', (query) => query.where('version', '=', filter.version!))
      .$if(filter.serverKey !== undefined, (query) => query.where('server_key', '=', filter.serverKey!))
      .$if(filter.search !== undefined, (query) => query.where(contains(this.dialect, 'name', filter.search!)));
    return keysetPage(this.db, filtered.selectAll(), filtered, page, ORDER, toEntry);
  }

  async versions(name: string): Promise<RegistryEntry[]> {
    const rows = await this.db
      .selectFrom('registry_entries')
      .selectAll()
      .where('name', '=', name)
      .where('status', '!=', 'deleted')
      .orderBy('published_at', 'desc')
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toEntry);
  }

  async unpublish(name: string, by: Actor, now: string): Promise<boolean> {
    return this.inPolicyChange(async (trx) => {
      const changed = await trx
        .updateTable('registry_entries')
        .set({ status: 'deleted', status_reason: REMOVED, updated_at: now })
        .where('name', '=', name)
        .where('status', '!=', 'deleted')
        .returning(['version', 'server_key'])
        .execute();
      if (changed.length === 0) return false;
      await recordAction(trx, {
        admin: by,
        action: 'registry-unpublished',
        at: now,
        subject: name,
        serverKey: changed[0]!.server_key,
        before: { versions: changed.map((entry) => entry.version) },
      });
      return true;
    });
  }

  activeServerKeys(): Promise<string[]> {
    return activeServerKeys(this.db);
  }

  async upstreamSince(upstream: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', `upstream_since:${upstream}`).executeTakeFirst();
    return row?.value;
  }

  async setUpstreamSince(upstream: string, since: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key: `upstream_since:${upstream}`, value: since })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: since }))
      .execute();
  }

  async upstreamEntries(upstream: string, names: readonly string[]): Promise<Map<string, UpstreamEntry>> {
    const found = new Map<string, UpstreamEntry>();
    for (let start = 0; start < names.length; start += 500) {
      const rows = await this.db
        .selectFrom('upstream_entries')
        .selectAll()
        .where('upstream', '=', upstream)
        .where('name', 'in', names.slice(start, start + 500))
        .execute();
      for (const row of rows)
        found.set(row.name, {
          name: row.name,
          identity: row.identity,
          serverKeys: JSON.parse(row.server_keys) as string[],
          status: row.status as RegistryStatus,
          updatedAt: row.updated_at,
        });
    }
    return found;
  }

  async saveUpstreamEntries(upstream: string, entries: readonly UpstreamEntry[]): Promise<void> {
    // In name order, as every shared row is written, so two processes polling at once never deadlock.
    const sorted = [...entries].sort((a, b) => byCodeUnits(a.name, b.name));
    // A few hundred a transaction: a first read of a large registry never holds the database for long.
    for (let start = 0; start < sorted.length; start += UPSTREAM_PER_TRANSACTION)
      await this.db.transaction().execute(async (trx) => {
        for (const entry of sorted.slice(start, start + UPSTREAM_PER_TRANSACTION)) {
          const row = {
            upstream,
            name: entry.name,
            identity: entry.identity,
            server_keys: JSON.stringify(entry.serverKeys),
            status: entry.status,
            updated_at: entry.updatedAt,
          };
          await trx
            .insertInto('upstream_entries')
            .values(row)
            .onConflict((conflict) =>
              conflict.columns(['upstream', 'name']).doUpdateSet({
                identity: row.identity,
                server_keys: row.server_keys,
                status: row.status,
                updated_at: row.updated_at,
              }),
            )
            .execute();
        }
      });
  }

  async alerts(page: PageRequest<'at'>): Promise<Page<RegistryAlert>> {
    const all = this.db.selectFrom('registry_alerts');
    return keysetPage(this.db, all.selectAll(), all, page, ['at', 'id'], toAlert);
  }
}
