import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// The server's own runs of a candidate's code after the interview: the final code of each coding question against
// every test (visible and hidden), and the code at each of the candidate's runs against the visible tests, with what
// the browser reported for that run kept beside it so the reviewer sees where the two disagree.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('code_reruns')
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('final','run')`))
    // The event the code was taken at: the candidate's run event, or the question's last event (-1: no events).
    .addColumn('seq', 'integer', (c) => c.notNull().check(sql`seq >= -1`))
    .addColumn('code', 'text', (c) => c.notNull())
    // The server's results; null when the language is not run (editor only) or the run could not be made.
    .addColumn('results', 'jsonb')
    .addColumn('browser_results', 'jsonb')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('code_reruns_pkey', ['interview_id', 'question_id', 'kind', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('code_reruns').execute();
}
