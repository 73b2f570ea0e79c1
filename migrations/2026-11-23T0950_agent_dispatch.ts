import type { Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// When the interviewer was last dispatched to the room: self-hosted LiveKit never re-dispatches a job whose worker
// died, so the reconciler does, and this keeps it from dispatching again while a new job is still starting.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('interviews').addColumn('agent_dispatched_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('interviews').dropColumn('agent_dispatched_at').execute();
}
