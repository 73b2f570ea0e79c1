import type { Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// What the API knows about the candidate's presence in the room, so that a rejoin after the candidate left can be
// admitted from the database alone, without asking LiveKit on the hot path:
// - seat_claimed_at: when the last join token was issued;
// - candidate_joined_event_at: LiveKit's own time of the last participant_joined (whole seconds), to order a late
//   participant_left against it;
// - candidate_left_at: when the API learnt the candidate left (webhook or reconciler).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('interviews')
    .addColumn('seat_claimed_at', 'timestamptz')
    .addColumn('candidate_joined_event_at', 'timestamptz')
    .addColumn('candidate_left_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('interviews')
    .dropColumn('seat_claimed_at')
    .dropColumn('candidate_joined_event_at')
    .dropColumn('candidate_left_at')
    .execute();
}
