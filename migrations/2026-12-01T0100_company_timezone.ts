import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// The company's time zone becomes one column on companies, the one place every part reads it from: the HR workspace
// shows dates in it, invitation e-mails and their calendar invites use it when the interview names no zone of its
// own, and scheduling lays out availability and groups its calendar by it. Until now it lived only in
// scheduling_settings (a row a company has only once it changed its scheduling settings), so HR's interviews and the
// scheduling pages could disagree; the value a company set there is carried over and that column dropped.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table companies add column timezone text not null default 'UTC'`.execute(db);
  await sql`update companies c set timezone = s.timezone from scheduling_settings s where s.company_id = c.id`.execute(db);
  await db.schema.alterTable('scheduling_settings').dropColumn('timezone').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table scheduling_settings add column timezone text not null default 'UTC'`.execute(db);
  await sql`update scheduling_settings s set timezone = c.timezone from companies c where s.company_id = c.id`.execute(db);
  await db.schema.alterTable('companies').dropColumn('timezone').execute();
}
