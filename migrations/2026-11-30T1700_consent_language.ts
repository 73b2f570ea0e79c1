import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// The interviewer speaks the interview's language, and its AI notice is worded (and versioned) per language: a
// consent records which language's notice the candidate heard. Consents given before were all to the English notice.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table interview_consents add column notice_language text not null default 'en'`.execute(db);
  // New consents name their language; the default only covers the rows already there.
  await sql`alter table interview_consents alter column notice_language drop default`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('interview_consents').dropColumn('notice_language').execute();
}
