import type { Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// Background work runs on graphile-worker (its own schema, created at migration time): the hand-written leases
// (the named-lease table of the reconciler and scoring loops, the leases on webhook deliveries and e-mails) are gone.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('leases').ifExists().execute();
  await db.schema.alterTable('webhook_deliveries').dropColumn('lease_until').dropColumn('lease_holder').execute();
  await db.schema.alterTable('email_messages').dropColumn('lease_until').dropColumn('lease_holder').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('email_messages').addColumn('lease_until', 'timestamptz').addColumn('lease_holder', 'text').execute();
  await db.schema.alterTable('webhook_deliveries').addColumn('lease_until', 'timestamptz').addColumn('lease_holder', 'text').execute();
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}
