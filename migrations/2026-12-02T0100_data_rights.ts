import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// Candidate data rights (GDPR Art. 15, 17, 20). A company's retention periods, per kind of data, are one JSON column
// of overrides: the defaults live in the code (api/data-rights/retention.schemas.ts), so a company that never
// changed them follows the documented defaults. An erasure is a row that says how far it got: each step is
// idempotent and recorded as done, so a process killed midway resumes where it stopped. The candidate's row stays
// (interviews, bookings and the audit log refer to it by id) with everything personal removed and `erased_at` set.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table companies add column data_retention jsonb not null default '{}'::jsonb`.execute(db);
  await sql`alter table candidates add column erased_at timestamptz`.execute(db);
  await sql`
    create table candidate_erasures (
      candidate_id uuid primary key references candidates (id) on delete cascade,
      company_id uuid not null references companies (id) on delete cascade,
      reason text not null check (reason in ('request', 'retention')),
      status text not null default 'pending' check (status in ('pending', 'running', 'completed')),
      steps_done text[] not null default '{}',
      counts jsonb not null default '{}'::jsonb,
      requested_by text not null,
      requested_at timestamptz not null default now(),
      completed_at timestamptz,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index candidate_erasures_open on candidate_erasures (company_id) where status <> 'completed'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table candidate_erasures`.execute(db);
  await sql`alter table candidates drop column erased_at`.execute(db);
  await sql`alter table companies drop column data_retention`.execute(db);
}
