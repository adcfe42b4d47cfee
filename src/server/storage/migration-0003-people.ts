// Migration 0003: the people behind the agents. A device's user (the email IT's MDM fills in, if any), and
// on every event the keys of the human (`human|alice@corp.example`) and the agent (`agent|cursor@laptop-42`)
// it happened for, indexed so that "everything under one human's authority" is one range scan.
import type { Kysely } from 'kysely';
import { addColumn } from './migration-helpers.js';
import type { Dialect } from './storage.js';

export async function peopleSchema(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  // The head of each device's audit chains, as far as their links have arrived (audit-chains.ts).
  await db.schema
    .createTable('audit_chains')
    .ifNotExists()
    .addColumn('device_id', 'text', (column) => column.notNull())
    .addColumn('chain', 'text', (column) => column.notNull())
    .addColumn('sequence', 'integer', (column) => column.notNull())
    .addColumn('hash', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('audit_chains_pk', ['device_id', 'chain'])
    .execute();
  await addColumn(db, dialect, 'devices', 'user_email');
  await addColumn(db, dialect, 'events', 'human');
  await addColumn(db, dialect, 'events', 'agent');
  for (const [name, table, columns] of [
    ['events_human', 'events', ['human', 'at', 'id']],
    ['events_agent', 'events', ['agent', 'at', 'id']],
    ['devices_user_email', 'devices', ['user_email']],
  ] as const)
    await db.schema
      .createIndex(name)
      .ifNotExists()
      .on(table)
      .columns([...columns])
      .execute();
}
