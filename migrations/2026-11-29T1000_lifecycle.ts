import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must keep describing the schema as it was on the day it was written.
// One interview lifecycle:
// - deadline_at: the one clock, set when the candidate is first in the room (started_at + max duration);
// - candidate_left_event_at: LiveKit's time of the last accepted participant_left, so a late participant_joined
//   stamped before it is recognised as stale;
// - interview_status_events.note: HR's or the candidate's own words on a step, apart from its reason code;
// - end_reason becomes a closed vocabulary: earlier free text moves to the timeline note.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('interviews')
    .addColumn('deadline_at', 'timestamptz')
    .addColumn('candidate_left_event_at', 'timestamptz')
    .execute();
  await db.schema.alterTable('interview_status_events').addColumn('note', 'text').execute();
  await sql`update interviews set deadline_at = started_at + make_interval(mins => max_duration_minutes)
    where started_at is not null`.execute(db);
  const codes = sql.raw(
    `('completed','time_limit','max_duration','consent_declined','candidate_ended','candidate_unresponsive',
      'candidate_left','cancelled_by_hr','cancelled_by_candidate','no_show','window_closed','room_closed',
      'agent_error','interviewer_stopped')`,
  );
  await sql`update interviews set end_reason = 'candidate_ended' where end_reason = 'candidate_requested_stop'`.execute(db);
  await sql`update interview_status_events set note = reason, reason = case to_status
      when 'cancelled' then 'cancelled_by_hr' when 'expired' then 'window_closed' when 'failed' then 'agent_error'
      else 'completed' end
    where to_status in ('completed', 'cancelled', 'expired', 'failed') and reason not in ${codes}`.execute(db);
  await sql`update interviews set end_reason = case status
      when 'cancelled' then 'cancelled_by_hr' when 'expired' then 'window_closed' when 'failed' then 'agent_error'
      else 'completed' end
    where end_reason is not null and end_reason not in ${codes}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('interview_status_events').dropColumn('note').execute();
  await db.schema.alterTable('interviews').dropColumn('deadline_at').dropColumn('candidate_left_event_at').execute();
}
