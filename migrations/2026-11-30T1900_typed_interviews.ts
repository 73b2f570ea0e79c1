import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// Typed interviews: a company may let a candidate without a working microphone take the interview by typing every
// answer. Off unless the company says so, since a typed interview is a different test of the candidate.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table companies add column allow_typed_interviews boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('companies').dropColumn('allow_typed_interviews').execute();
}
