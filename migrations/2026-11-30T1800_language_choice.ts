import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// Language choice: a company names the interview languages it offers candidates (a subset of what the deployment
// has voices for) and its default; an interview's language is either fixed by HR or chosen by the candidate on the
// join page, once, on the first join. language_chosen_at records that choice (null: not chosen, or fixed).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table companies add column default_language text not null default 'en'`.execute(db);
  await sql`alter table companies add column enabled_languages text[] not null default '{en}'`.execute(db);
  await sql`alter table companies add constraint companies_default_language_enabled
    check (default_language = any (enabled_languages))`.execute(db);
  await sql`alter table interviews add column language_mode text not null default 'fixed'
    check (language_mode in ('fixed', 'candidate'))`.execute(db);
  await sql`alter table interviews add column language_chosen_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('interviews').dropColumn('language_chosen_at').dropColumn('language_mode').execute();
  await sql`alter table companies drop constraint companies_default_language_enabled`.execute(db);
  await db.schema.alterTable('companies').dropColumn('enabled_languages').dropColumn('default_language').execute();
}
