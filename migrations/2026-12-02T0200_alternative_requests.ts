import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// The alternative process (NYC LL 144, GDPR Art. 22): a candidate asks for another way to be interviewed, from the join
// or Done page. One request per interview (asking twice is the same request); HR marks it handled. Nothing else
// changes: the interview stays as it was until HR acts. The reason and contact are the candidate's own words, personal
// data: they go with the interview (cascade) and an erasure clears them.
// The company's privacy notice: a link the candidate's disclosure shows.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table alternative_requests (
      interview_id uuid primary key references interviews (id) on delete cascade,
      company_id uuid not null references companies (id) on delete cascade,
      reason text,
      contact text,
      requested_at timestamptz not null default now(),
      handled_at timestamptz,
      handled_by text,
      handled_by_user_id uuid references users (id) on delete set null
    )`.execute(db);
  // The workspace lists a company's open requests.
  await sql`create index alternative_requests_open on alternative_requests (company_id) where handled_at is null`.execute(db);
  await sql`alter table companies add column privacy_notice_url text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table companies drop column privacy_notice_url`.execute(db);
  await sql`drop table alternative_requests`.execute(db);
}
