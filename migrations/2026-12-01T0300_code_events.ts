import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// Coding interviews. A plan question may carry a coding problem (statement, starter code, tests, reference
// solution, hint policy) as one JSON document, validated by the plan schema where plans are written. The candidate's
// editor events (small diffs, snapshots, runs, pastes, focus changes) are stored as the interviewer receives them:
// numbered per interview by the editor, so a batch resent after a reconnect adds nothing.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('interview_plan_questions').addColumn('coding', 'jsonb').execute();

  await db.schema
    .createTable('code_events')
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull().check(sql`seq >= 0`))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('change','snapshot','run','paste','focus')`))
    // Milliseconds since the coding part started, by the editor's clock.
    .addColumn('at', 'integer', (c) => c.notNull().check(sql`at >= 0`))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('code_events_pkey', ['interview_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('code_events').execute();
  await db.schema.alterTable('interview_plan_questions').dropColumn('coding').execute();
}
