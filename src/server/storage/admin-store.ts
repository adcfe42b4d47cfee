// Admin accounts, their API tokens and the history of what admins changed, for both dialects. Tokens are
// stored as sha256 hashes only; a revoked token is kept (with when) so that the account shows its history.
// Every change here, and every rule and settings change (sql-storage.ts), appends one admin_actions row in
// the change's own transaction: the history cannot miss a change or hold one that was rolled back.
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type Transaction, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { AdminAccount, AdminAction, AdminRole, AdminToken } from '../../shared/admins.js';
import { keysetPage } from './keyset-page.js';
import type { AdminActionsTable, AdminTokensTable, AdminsTable, WardenDatabase } from './schema.js';
import {
  type ADMIN_ACTION_SORTS,
  type Actor,
  type AdminActionFilter,
  AdminExistsError,
  type AdminSession,
  type AdminStore,
  type Page,
  type PageRequest,
} from './storage.js';

type Db = Kysely<WardenDatabase>;
type Trx = Transaction<WardenDatabase>;
/** Runs a write in a transaction (the storage's own: group commit in SQLite, retries in PostgreSQL). */
type InTransaction = <T>(work: (trx: Trx) => Promise<T>) => Promise<T>;
export interface ActionRecord {
  admin: Actor;
  action: AdminAction['action'];
  at: string;
  subject: string;
  serverKey?: string | undefined;
  agents?: readonly string[] | undefined;
  capability?: string | undefined;
  before?: unknown;
  after?: unknown;
}

/** Appends one entry to the admin history, in the transaction of the change it records. */
export async function recordAction(trx: Trx, record: ActionRecord): Promise<void> {
  const row: AdminActionsTable = {
    id: uuidv7(),
    at: record.at,
    admin: record.admin,
    action: record.action,
    server_key: record.serverKey ?? null,
    agents: record.agents ? `,${record.agents.join(',')},` : null,
    capability: record.capability ?? null,
    subject: record.subject,
    before: record.before === undefined ? null : JSON.stringify(record.before),
    after: record.after === undefined ? null : JSON.stringify(record.after),
  };
  await trx.insertInto('admin_actions').values(row).execute();
}

/** PostgreSQL's unique_violation, SQLite's UNIQUE constraint. */
const isUniqueViolation = (error: unknown) =>
  ['23505', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes(String((error as { code?: unknown }).code));

function toToken(row: AdminTokensTable): AdminToken {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    ...(row.last_used_at ? { lastUsedAt: row.last_used_at } : {}),
    ...(row.revoked_at ? { revokedAt: row.revoked_at } : {}),
  };
}

function toAccount(row: AdminsTable, tokens: readonly AdminTokensTable[]): AdminAccount {
  return {
    id: row.id,
    email: row.email,
    role: row.role as AdminRole,
    createdAt: row.created_at,
    createdBy: row.created_by,
    tokens: tokens.filter((token) => token.admin_id === row.id).map(toToken),
  };
}

function toAction(row: AdminActionsTable): AdminAction {
  return {
    id: row.id,
    at: row.at,
    admin: row.admin,
    action: row.action as AdminAction['action'],
    ...(row.server_key ? { serverKey: row.server_key } : {}),
    ...(row.agents ? { agents: row.agents.split(',').filter(Boolean) } : {}),
    ...(row.capability ? { capability: row.capability } : {}),
    subject: row.subject,
    ...(row.before === null ? {} : { before: JSON.parse(row.before) as unknown }),
    ...(row.after === null ? {} : { after: JSON.parse(row.after) as unknown }),
  };
}

/** An account as the history shows it: no token hashes, ever. */
const accountSnapshot = (account: AdminAccount) => ({ email: account.email, role: account.role });

/** The token an account is made with: its name and hash. */
export interface FirstToken {
  name: string;
  hash: string;
}

export class SqlAdminStore implements AdminStore {
  constructor(
    private readonly db: Db,
    private readonly transaction: InTransaction,
  ) {}

  async add(email: string, role: AdminRole, by: Actor, now: string, token: FirstToken): Promise<AdminAccount> {
    return this.transaction(async (trx) => {
      const existing = await trx.selectFrom('admins').select('id').where('email', '=', email).executeTakeFirst();
      if (existing) throw new AdminExistsError(`${email} is already an admin`);
      const row: AdminsTable = { id: uuidv7(), email, role, created_at: now, created_by: by };
      // Two processes adding the same email at once: the unique index refuses the second.
      await trx
        .insertInto('admins')
        .values(row)
        .execute()
        .catch((error: unknown) => {
          throw isUniqueViolation(error) ? new AdminExistsError(`${email} is already an admin`) : error;
        });
      await recordAction(trx, { admin: by, action: 'admin-added', at: now, subject: email, after: { email, role } });
      const issued = await this.insertToken(trx, row.id, email, token, by, now);
      return toAccount(row, [issued]);
    });
  }

  private async insertToken(
    trx: Trx,
    adminId: string,
    email: string,
    token: FirstToken,
    by: Actor,
    now: string,
  ): Promise<AdminTokensTable> {
    const row: AdminTokensTable = {
      id: uuidv7(),
      admin_id: adminId,
      name: token.name,
      token_hash: token.hash,
      created_at: now,
      last_used_at: null,
      revoked_at: null,
    };
    await trx.insertInto('admin_tokens').values(row).execute();
    await recordAction(trx, { admin: by, action: 'token-issued', at: now, subject: email, after: { token: token.name, id: row.id } });
    return row;
  }

  async list(): Promise<AdminAccount[]> {
    const rows = await this.db.selectFrom('admins').selectAll().orderBy('email').execute();
    const tokens = await this.db.selectFrom('admin_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((row) => toAccount(row, tokens));
  }

  async byEmail(email: string): Promise<AdminAccount | undefined> {
    return this.accountIn(this.db, email);
  }

  private async accountIn(db: Db | Trx, email: string): Promise<AdminAccount | undefined> {
    const row = await db.selectFrom('admins').selectAll().where('email', '=', email).executeTakeFirst();
    if (!row) return undefined;
    const tokens = await db.selectFrom('admin_tokens').selectAll().where('admin_id', '=', row.id).orderBy('created_at').execute();
    return toAccount(row, tokens);
  }

  async remove(email: string, by: Actor, now: string): Promise<boolean> {
    return this.transaction(async (trx) => {
      const account = await this.accountIn(trx, email);
      if (!account) return false;
      await trx.deleteFrom('admin_tokens').where('admin_id', '=', account.id).execute();
      await trx.deleteFrom('admin_sessions').where('email', '=', email).execute();
      await trx.deleteFrom('admins').where('id', '=', account.id).execute();
      await recordAction(trx, { admin: by, action: 'admin-removed', at: now, subject: email, before: accountSnapshot(account) });
      return true;
    });
  }

  async issueToken(email: string, name: string, tokenHash: string, by: Actor, now: string): Promise<AdminToken> {
    return this.transaction(async (trx) => {
      const account = await this.accountIn(trx, email);
      if (!account) throw new Error(`${email} is not an admin`);
      const revoked = await trx
        .updateTable('admin_tokens')
        .set({ revoked_at: now })
        .where('admin_id', '=', account.id)
        .where('name', '=', name)
        .where('revoked_at', 'is', null)
        .returning(['id', 'name'])
        .execute();
      for (const token of revoked)
        await recordAction(trx, {
          admin: by,
          action: 'token-revoked',
          at: now,
          subject: email,
          before: { token: token.name, id: token.id },
        });
      return toToken(await this.insertToken(trx, account.id, email, { name, hash: tokenHash }, by, now));
    });
  }

  async byTokenHash(tokenHash: string): Promise<{ admin: AdminAccount; token: AdminToken } | undefined> {
    const row = await this.db
      .selectFrom('admin_tokens as t')
      .innerJoin('admins as a', 'a.id', 't.admin_id')
      .select([
        'a.id as admin_id',
        'a.email',
        'a.role',
        'a.created_at as admin_created_at',
        'a.created_by',
        't.id',
        't.name',
        't.token_hash',
        't.created_at',
        't.last_used_at',
        't.revoked_at',
      ])
      .where('t.token_hash', '=', tokenHash)
      .where('t.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    const admin: AdminAccount = {
      id: row.admin_id,
      email: row.email,
      role: row.role as AdminRole,
      createdAt: row.admin_created_at,
      createdBy: row.created_by,
      tokens: [],
    };
    return { admin, token: toToken(row) };
  }

  async touchToken(tokenId: string, now: string): Promise<void> {
    await this.transaction((trx) => trx.updateTable('admin_tokens').set({ last_used_at: now }).where('id', '=', tokenId).execute());
  }

  async startSession(idHash: string, session: AdminSession): Promise<void> {
    await this.transaction((trx) =>
      trx
        .insertInto('admin_sessions')
        .values({
          id_hash: idHash,
          email: session.email,
          role: session.role,
          role_source: session.roleSource,
          csrf_token: session.csrfToken,
          created_at: session.createdAt,
          last_seen_at: session.lastSeenAt,
          expires_at: session.expiresAt,
          credential: session.credential ?? null,
        })
        .execute(),
    );
  }

  async session(idHash: string): Promise<AdminSession | undefined> {
    const row = await this.db.selectFrom('admin_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (!row) return undefined;
    return {
      email: row.email,
      role: row.role as AdminRole,
      roleSource: row.role_source as AdminSession['roleSource'],
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
      ...(row.credential ? { credential: row.credential } : {}),
    };
  }

  async touchSession(idHash: string, now: string): Promise<void> {
    await this.transaction((trx) => trx.updateTable('admin_sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute());
  }

  async endSessionsOf(email: string): Promise<number> {
    return this.transaction(async (trx) => {
      const result = await trx.deleteFrom('admin_sessions').where('email', '=', email).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async endSession(idHash: string): Promise<void> {
    await this.transaction((trx) => trx.deleteFrom('admin_sessions').where('id_hash', '=', idHash).execute());
  }

  async pruneSessions(now: string): Promise<void> {
    await this.transaction((trx) => trx.deleteFrom('admin_sessions').where('expires_at', '<', now).execute());
  }

  async history(filter: AdminActionFilter, page: PageRequest<(typeof ADMIN_ACTION_SORTS)[number]>): Promise<Page<AdminAction>> {
    const where = (eb: ExpressionBuilder<WardenDatabase, 'admin_actions'>) => {
      const clauses: Expression<SqlBool>[] = [];
      if (filter.admin) clauses.push(eb('admin', '=', filter.admin));
      if (filter.serverKey) clauses.push(eb('server_key', '=', filter.serverKey));
      if (filter.capability) clauses.push(eb('capability', '=', filter.capability));
      if (filter.action) clauses.push(eb('action', '=', filter.action));
      if (filter.agent)
        clauses.push(
          eb.or([sql<SqlBool>`agents like ${`%,${filter.agent.replace(/[\\%_]/g, '\\$&')},%`} escape '\\'`, eb('agents', '=', ',*,')]),
        );
      if (filter.from) clauses.push(eb('at', '>=', new Date(filter.from).toISOString()));
      if (filter.to) clauses.push(eb('at', '<=', new Date(filter.to).toISOString()));
      return eb.and(clauses);
    };
    return keysetPage(
      this.db,
      this.db.selectFrom('admin_actions').selectAll().where(where),
      this.db.selectFrom('admin_actions').where(where),
      page,
      ['at', 'id'],
      toAction,
    );
  }
}
