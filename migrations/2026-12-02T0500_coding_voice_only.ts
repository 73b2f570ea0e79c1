import type { Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// HR's choice per job: a candidate whose screen is too small for the coding editor (a phone) may take the voice part
// of a coding interview alone. Off unless HR turns it on: the page tells such a candidate to rejoin from a computer.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('coding_voice_only', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('coding_voice_only').execute();
}
