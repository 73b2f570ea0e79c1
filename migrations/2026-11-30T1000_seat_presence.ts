import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// The candidate's seat and presence in the fewest columns that say them, all written by the lifecycle module:
// - seat_claimed_at: when the last join token was issued, cleared once that token is accounted for (the candidate
//   was seen arriving on it and then leaving in order). The connect grace a token holds the seat for is derived
//   from it, so join_lease_until goes; the departure's own time, candidate_left_at, is no longer needed to vouch.
// - candidate_event_at: LiveKit's time of the last arrival or departure applied, replacing the two per-kind times
//   (with candidate_connected it says which kind it was).
// - candidate_display_name goes: nothing read it (the name travels in the LiveKit token).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('interviews').addColumn('candidate_event_at', 'timestamptz').execute();
  await sql`update interviews set candidate_event_at = greatest(candidate_joined_event_at, candidate_left_event_at)`.execute(db);
  // The seats the old columns vouched empty: seen arriving on the last token, then leaving after it was issued.
  await sql`update interviews set seat_claimed_at = null
    where not candidate_connected
      and candidate_joined_event_at >= date_trunc('second', seat_claimed_at)
      and candidate_left_at > seat_claimed_at`.execute(db);
  await db.schema
    .alterTable('interviews')
    .dropColumn('join_lease_until')
    .dropColumn('candidate_joined_event_at')
    .dropColumn('candidate_left_event_at')
    .dropColumn('candidate_left_at')
    .dropColumn('candidate_display_name')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('interviews')
    .addColumn('join_lease_until', 'timestamptz')
    .addColumn('candidate_joined_event_at', 'timestamptz')
    .addColumn('candidate_left_event_at', 'timestamptz')
    .addColumn('candidate_left_at', 'timestamptz')
    .addColumn('candidate_display_name', 'text')
    .execute();
  // The last event's time stands for the arrival (exact while connected) and, while away, for the departure. A seat
  // vouched empty is not carried back: with no departure time the next join asks LiveKit, which is always safe.
  // A token issued within the default connect grace (20 s) holds the seat again.
  await sql`update interviews set
      candidate_joined_event_at = candidate_event_at,
      candidate_left_event_at = case when candidate_connected then null else candidate_event_at end,
      join_lease_until = case when seat_claimed_at > now() - interval '20 seconds'
        then seat_claimed_at + interval '20 seconds' end`.execute(db);
  await db.schema.alterTable('interviews').dropColumn('candidate_event_at').execute();
}
