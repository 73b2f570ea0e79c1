import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// What the interviewer agent writes while an interview runs: every final turn as it happens (a job process can be
// SIGKILLed, so nothing waits for the end), the candidate's consent, and the per-turn latency the SDK measured.

export async function up(db: Kysely<any>): Promise<void> {
  // The plan the agent interviewed from, frozen per interview, so a transcript turn's question link stays meaningful
  // after the bank or the job's competencies change.
  await db.schema
    .createTable('interview_plan_questions')
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('competency_key', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('time_budget_seconds', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('interview_plan_questions_pk', ['interview_id', 'question_id'])
    .addUniqueConstraint('interview_plan_questions_position', ['interview_id', 'position'])
    .execute();

  await db.schema
    .createTable('transcript_turns')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('speaker', 'text', (c) => c.notNull().check(sql`speaker in ('interviewer','candidate')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull().defaultTo('voice').check(sql`input in ('voice','text')`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz', (c) => c.notNull())
    .addColumn('interrupted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('question_id', 'text')
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A retried insert of the same turn hits this and is ignored instead of duplicating the line.
    .addUniqueConstraint('transcript_turns_interview_seq', ['interview_id', 'seq'])
    .execute();

  await db.schema
    .createTable('interview_consents')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('given', 'boolean', (c) => c.notNull())
    .addColumn('notice_version', 'text', (c) => c.notNull())
    .addColumn('notice_text', 'text', (c) => c.notNull())
    .addColumn('candidate_statement', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('interview_consents_interview').on('interview_consents').columns(['interview_id', 'at']).execute();

  // One row per interviewer reply, from the SDK's own measurements (seconds, as the SDK reports them).
  await db.schema
    .createTable('turn_metrics')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('turn_seq', 'integer', (c) => c.notNull())
    .addColumn('e2e_latency', 'double precision')
    .addColumn('end_of_turn_delay', 'double precision')
    .addColumn('transcription_delay', 'double precision')
    .addColumn('llm_ttft', 'double precision')
    .addColumn('tts_ttfb', 'double precision')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('turn_metrics_interview_turn', ['interview_id', 'turn_seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['turn_metrics', 'interview_consents', 'transcript_turns', 'interview_plan_questions']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
