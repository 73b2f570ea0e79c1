import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// It takes Kysely<any> and imports nothing from the application.
//
// Scorecards are advice for a human: every evaluation is kept as a version (re-scores never overwrite), one version
// is marked latest, and each records the model, prompt version and plan version it came from.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scorecards')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('is_latest', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending','complete')`))
    .addColumn('pending_reason', 'text')
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('prompt_version', 'text', (c) => c.notNull())
    .addColumn('plan_version', 'text', (c) => c.notNull())
    .addColumn('overall_score', 'double precision')
    .addColumn('recommendation', 'text', (c) =>
      c.check(sql`recommendation is null or recommendation in ('advance','human_review','do_not_advance')`),
    )
    .addColumn('result', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('integrity', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('evaluated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('scorecards_interview_version', ['interview_id', 'version'])
    .execute();
  await sql`create unique index scorecards_one_latest on scorecards (interview_id) where is_latest`.execute(db);

  // Human decisions, kept as a history; the newest is the decision in force. Nothing in the product acts on a score.
  await db.schema
    .createTable('hiring_decisions')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('interview_id', 'uuid', (c) => c.notNull().references('interviews.id').onDelete('cascade'))
    .addColumn('scorecard_version', 'integer')
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('advance','hold','reject')`))
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('hiring_decisions_interview').on('hiring_decisions').columns(['interview_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('hiring_decisions').ifExists().execute();
  await db.schema.dropTable('scorecards').ifExists().execute();
}
