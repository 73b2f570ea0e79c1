import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// A self-scheduling invitation keeps the language it was e-mailed in, so the page it opens (and the booking made
// there) speaks the same language; until now the page took the company's default, and an Arabic invitation opened
// in English. Invitations already sent get the company's language, which is what their page showed.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table scheduling_invitations add column locale text check (locale in ('en','ar'))`.execute(db);
  await sql`
    update scheduling_invitations i
       set locale = coalesce((select s.locale from scheduling_settings s where s.company_id = i.company_id), 'en')
  `.execute(db);
  await sql`alter table scheduling_invitations alter column locale set not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('scheduling_invitations').dropColumn('locale').execute();
}
