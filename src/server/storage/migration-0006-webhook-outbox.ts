// Migration 0006: the events waiting for the SIEM webhook, in arrival order, written in the transaction that
// stores them (so none is lost between the two) and taken out once the receiver has them.
import { type Kysely, sql } from 'kysely';
import type { Dialect } from './storage.js';

export async function webhookOutboxSchema(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await sql`create table if not exists webhook_outbox (
    id ${dialect === 'postgres' ? sql`bigint generated always as identity primary key` : sql`integer primary key autoincrement`},
    event text not null)`.execute(db);
}
