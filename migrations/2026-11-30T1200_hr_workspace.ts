import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// Indexes for the HR workspace: the interview list (filters by status, job and scheduled date, a search by candidate
// name, newest first with a keyset cursor) and the audit log (by interview or candidate, by actor, by time), so a
// page costs an index range and not a scan of the company's interviews.

export async function up(db: Kysely<any>): Promise<void> {
  // Both are trusted extensions: a database owner may create them without being a superuser.
  await sql`create extension if not exists unaccent`.execute(db);
  await sql`create extension if not exists pg_trgm`.execute(db);
  // unaccent() is only STABLE (its dictionary could change), so an index needs an IMMUTABLE wrapper that names the
  // dictionary. Arabic short vowels and tatweel are dropped too, so "مُحَمَّد" finds "محمد".
  await sql`
    create function search_text(value text) returns text
    language sql immutable parallel safe strict
    return regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, value)), '[\u064B-\u0652\u0640]', '', 'g')
  `.execute(db);
  await sql`
    create index candidates_name_search on candidates
    using gin (search_text(first_name || ' ' || last_name) gin_trgm_ops)
  `.execute(db);

  await db.schema
    .createIndex('interviews_company_status_created')
    .on('interviews')
    .columns(['company_id', 'status', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('interviews_company_scheduled').on('interviews').columns(['company_id', 'scheduled_start']).execute();
  // Replaces the single-column index: a job's interviews come newest first straight from the index.
  await db.schema.dropIndex('interviews_job').execute();
  await db.schema.createIndex('interviews_job_created').on('interviews').columns(['job_id', 'created_at', 'id']).execute();
  await db.schema.dropIndex('interviews_candidate').execute();
  await db.schema
    .createIndex('interviews_candidate_created')
    .on('interviews')
    .columns(['candidate_id', 'created_at', 'id'])
    .execute();

  // The audit log, newest first per company, and by what it is about or who did it.
  await db.schema.dropIndex('audit_log_company_at').execute();
  await db.schema.createIndex('audit_log_company_at').on('audit_log').columns(['company_id', 'at', 'id']).execute();
  await db.schema.createIndex('audit_log_target').on('audit_log').columns(['target_id', 'at', 'id']).execute();
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_id', 'at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_log_actor').ifExists().execute();
  await db.schema.dropIndex('audit_log_target').ifExists().execute();
  await db.schema.dropIndex('audit_log_company_at').ifExists().execute();
  await db.schema.createIndex('audit_log_company_at').on('audit_log').columns(['company_id', 'at']).execute();
  await db.schema.dropIndex('interviews_candidate_created').ifExists().execute();
  await db.schema.createIndex('interviews_candidate').on('interviews').column('candidate_id').execute();
  await db.schema.dropIndex('interviews_job_created').ifExists().execute();
  await db.schema.createIndex('interviews_job').on('interviews').column('job_id').execute();
  await db.schema.dropIndex('interviews_company_scheduled').ifExists().execute();
  await db.schema.dropIndex('interviews_company_status_created').ifExists().execute();
  await db.schema.dropIndex('candidates_name_search').ifExists().execute();
  await sql`drop function if exists search_text(text)`.execute(db);
}
