import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('companies')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('default_phone_region', 'text', (c) => c.notNull().defaultTo('AE'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.references('companies.id').onDelete('cascade'))
    .addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint('api_keys_owner', sql`is_admin or company_id is not null`)
    .execute();

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('coding_language', 'text')
    .addColumn('competencies', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('jobs_company_created').on('jobs').columns(['company_id', 'created_at']).execute();

  await db.schema
    .createTable('candidates')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone_e164', 'text', (c) => c.notNull())
    .addColumn('resume_text', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('candidates_company_created').on('candidates').columns(['company_id', 'created_at']).execute();

  await db.schema
    .createTable('interviews')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('job_id', 'uuid', (c) => c.notNull().references('jobs.id').onDelete('restrict'))
    .addColumn('candidate_id', 'uuid', (c) => c.notNull().references('candidates.id').onDelete('restrict'))
    .addColumn('type', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`type in ('TECHNICAL','BEHAVIORAL','CODING','SYSTEM_DESIGN','GENERAL','AI_SCREENING','FINAL','CUSTOM')`,
        ),
    )
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('scheduled')
        .check(sql`status in ('scheduled','in_progress','completed','cancelled','expired','failed')`),
    )
    .addColumn('max_duration_minutes', 'integer', (c) => c.notNull().check(sql`max_duration_minutes between 1 and 240`))
    .addColumn('instructions', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('scheduled_start', 'timestamptz', (c) => c.notNull())
    .addColumn('scheduled_end', 'timestamptz', (c) => c.notNull())
    .addColumn('room_code', 'text', (c) => c.notNull().unique())
    .addColumn('room_name', 'text', (c) => c.notNull().unique())
    .addColumn('link_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('candidate_identity', 'text')
    .addColumn('candidate_display_name', 'text')
    .addColumn('join_lease_until', 'timestamptz')
    .addColumn('candidate_connected', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('room_created_at', 'timestamptz')
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('end_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('interviews_schedule_order', sql`scheduled_end > scheduled_start`)
    .execute();
  await db.schema
    .createIndex('interviews_company_created')
    .on('interviews')
    .columns(['company_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('interviews_status_end').on('interviews').columns(['status', 'scheduled_end']).execute();
  await db.schema.createIndex('interviews_job').on('interviews').column('job_id').execute();
  await db.schema.createIndex('interviews_candidate').on('interviews').column('candidate_id').execute();

  await db.schema
    .createTable('interview_status_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('interview_status_events_interview')
    .on('interview_status_events')
    .columns(['interview_id', 'id'])
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.references('companies.id').onDelete('cascade'))
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('audit_log_company_at').on('audit_log').columns(['company_id', 'at']).execute();

  await db.schema
    .createTable('livekit_webhook_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('room_name', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Named leases let one of several API processes own a periodic job (the reconciler) without holding a connection.
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // Counters are disposable: losing them on a crash only resets a window, so skip the WAL.
  await sql`create unlogged table rate_limits (
    key text primary key,
    window_start timestamptz not null,
    hits integer not null
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'rate_limits',
    'leases',
    'livekit_webhook_events',
    'audit_log',
    'interview_status_events',
    'interviews',
    'candidates',
    'jobs',
    'api_keys',
    'companies',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
