import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// Interview audio recordings. A company turns recording on (off by default: privacy by default) and sets how long
// recordings are kept; HR can turn it off for one interview. Each job that records an interview writes one part (a
// resumed interview has a second part, in order). `started_at` is the recording's own zero, to the millisecond, on
// the same clock as the transcript's turn times, so a turn's place in the audio is its time minus this.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('companies')
    .addColumn('recording_enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('recording_retention_days', 'integer', (c) =>
      c.notNull().defaultTo(90).check(sql`recording_retention_days between 1 and 3650`),
    )
    .execute();
  await db.schema
    .alterTable('interviews')
    .addColumn('recording_off', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await db.schema
    .createTable('interview_recordings')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('companies.id').onDelete('cascade'))
    .addColumn('part', 'integer', (c) => c.notNull().check(sql`part >= 1`))
    // recording: being written by a job; stored: in the store; deleted: removed by retention (the row stays as the
    // record that it existed); discarded: never kept (the candidate declined consent, or never arrived).
    .addColumn('status', 'text', (c) =>
      c.notNull().defaultTo('recording').check(sql`status in ('recording', 'stored', 'deleted', 'discarded')`),
    )
    .addColumn('store', 'text', (c) => c.notNull().check(sql`store in ('local', 's3')`))
    .addColumn('object_key', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull().defaultTo('audio/ogg'))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer')
    .addColumn('size_bytes', 'bigint')
    .addColumn('recovered', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('stored_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('interview_recordings_part_unique', ['interview_id', 'part'])
    .execute();
  await db.schema
    .createIndex('interview_recordings_retention_idx')
    .on('interview_recordings')
    .columns(['company_id', 'stored_at'])
    .where(sql.ref('status'), '=', 'stored')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('interview_recordings').execute();
  await db.schema.alterTable('interviews').dropColumn('recording_off').execute();
  await db.schema.alterTable('companies').dropColumn('recording_enabled').dropColumn('recording_retention_days').execute();
}
