import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// The candidate-name search of the interview list reads a stored, folded copy of the name: computing unaccent() per
// row while checking trigram matches cost more than the rest of the page. The fold now also follows the Arabic
// spelling variants the transcript normaliser folds (shared/text/arabic.ts): alef forms, alef maqsura, taa marbuta,
// hamza carriers, Persian yeh and keheh, diacritics and invisible marks.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index candidates_name_search`.execute(db);
  await sql`
    create or replace function search_text(value text) returns text
    language sql immutable parallel safe strict
    return regexp_replace(
      translate(
        regexp_replace(
          lower(public.unaccent('public.unaccent'::regdictionary, value)),
          '[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED\u0640\u061C\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]',
          '', 'g'),
        'أإآٱٲٳىیکةؤئ', 'ااااااييكهءء'),
      '\\s+', ' ', 'g')
  `.execute(db);
  await sql`
    alter table candidates
    add column name_search text generated always as (search_text(first_name || ' ' || last_name)) stored
  `.execute(db);
  await sql`create index candidates_name_search on candidates using gin (name_search gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index candidates_name_search`.execute(db);
  await sql`alter table candidates drop column name_search`.execute(db);
  await sql`
    create or replace function search_text(value text) returns text
    language sql immutable parallel safe strict
    return regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, value)), '[\u064B-\u0652\u0640]', '', 'g')
  `.execute(db);
  await sql`
    create index candidates_name_search on candidates
    using gin (search_text(first_name || ' ' || last_name) gin_trgm_ops)
  `.execute(db);
}
