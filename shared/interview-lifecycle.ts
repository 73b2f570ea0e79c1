import { sql, type Kysely } from 'kysely';
import type { Database, Interview, InterviewStatus } from './db/schema.ts';
import { endReasonStatus, type EndReason } from './end-reasons.ts';
import { candidateJoinedEvent, recordEvent, recordTransitionEvent } from './events/outbox.ts';
import { statesLeadingTo } from './interview-status.ts';
import { enqueueScoring } from './jobs.ts';

// The one owner of an interview's life. Every status change (start, end with its reason, cancel, expiry, failure),
// the clock (one deadline, set when the candidate is first in the room), the candidate's presence and the
// interviewer's comings and goings are written here, each with its timeline step and webhook event in the same
// transaction. The API, the agent, the LiveKit webhook handler, the reconciler and bookings call these functions;
// none writes status, end reasons or presence itself. (The join claims the seat with SQL defined here, run inside
// api/public/join-statement.ts's one statement; it never changes status.)
//
// scheduled   — created; the candidate may take join tokens; the interviewer may be dispatched and wait.
// in_progress — the candidate is (or was) in the room: set by their first arrival, never by the interviewer's.
// completed / cancelled / expired / failed — terminal; the end reason says why (shared/end-reasons.ts).

export type Actor = string;

type Db = Kysely<Database>;

async function inTransaction<T>(db: Db, run: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

async function lockInterview(trx: Db, interviewId: string): Promise<Interview | undefined> {
  return trx.selectFrom('interviews').selectAll().where('id', '=', interviewId).forUpdate().executeTakeFirst();
}

/**
 * Moves a locked interview to `to` when the state machine allows it, appending the timeline step and the webhook
 * event. Private: callers say what happened (the candidate arrived, the interview ended for a reason), not which
 * status to write.
 */
async function moveTo(
  trx: Db,
  current: Interview,
  to: InterviewStatus,
  step: { reason: EndReason | 'candidate_joined'; actor: Actor; note?: string | null; at: Date },
): Promise<Interview | undefined> {
  if (!statesLeadingTo(to).includes(current.status)) return undefined;
  const ending = to !== 'in_progress' && to !== 'scheduled';
  const updated = await trx
    .updateTable('interviews')
    .set({
      status: to,
      updatedAt: step.at,
      ...(to === 'in_progress'
        ? {
            startedAt: sql<Date>`coalesce(started_at, ${step.at})`,
            // The one clock: the agent closes by it and the reconciler enforces it.
            deadlineAt: sql<Date>`coalesce(deadline_at, ${step.at}::timestamptz + make_interval(mins => max_duration_minutes))`,
          }
        : {}),
      ...(ending ? { endedAt: step.at, endReason: step.reason as EndReason } : {}),
    })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('interviewStatusEvents')
    .values({
      interviewId: current.id,
      fromStatus: current.status,
      toStatus: to,
      reason: step.reason,
      note: step.note ?? null,
      actor: step.actor,
    })
    .execute();
  await recordTransitionEvent(trx, updated);
  // Results without waiting: the scoring job commits with the completion and starts at once (shared/jobs.ts).
  if (to === 'completed') await enqueueScoring(trx, current.id);
  return updated;
}

export interface EndOptions {
  actor: Actor;
  /** HR's or the candidate's own words, kept in the timeline for HR; never shown to the candidate. */
  note?: string | null;
  /** End only from these states (narrower than the state machine allows). */
  onlyFrom?: InterviewStatus[];
  /** Work that must commit with the end (an audit entry, a booking's release). */
  alsoInTransaction?: (trx: Db, ended: Interview) => Promise<void>;
  now?: Date;
}

/**
 * Ends an interview for `reason`, which fixes the final status. A candidate who ends an interview they had not
 * entered yet (the page's end button on the preparation step) still passes through in_progress, so the timeline
 * stays a walk of the state machine. Returns the interview as it now is, and whether this call ended it.
 */
export async function endInterview(
  db: Db,
  interviewId: string,
  reason: EndReason,
  options: EndOptions,
): Promise<{ interview: Interview | undefined; ended: boolean }> {
  const to = endReasonStatus[reason];
  const at = options.now ?? new Date();
  return inTransaction(db, async (trx) => {
    let current = await lockInterview(trx, interviewId);
    if (!current) return { interview: undefined, ended: false };
    if (options.onlyFrom && !options.onlyFrom.includes(current.status)) return { interview: current, ended: false };
    if (to === 'completed' && current.status === 'scheduled') {
      current = (await moveTo(trx, current, 'in_progress', { reason: 'candidate_joined', actor: options.actor, at })) ?? current;
    }
    const ended = await moveTo(trx, current, to, { reason, actor: options.actor, note: options.note ?? null, at });
    if (ended) {
      await trx.updateTable('interviews').set({ candidateConnected: false }).where('id', '=', interviewId).execute();
      await options.alsoInTransaction?.(trx, ended);
    }
    return { interview: ended ?? current, ended: ended !== undefined };
  });
}

export interface Arrival {
  interview: Interview;
  /** False for a stale event (older than the candidate's last known departure) or an interview already over. */
  accepted: boolean;
  /** True when this arrival started the interview (and its clock). */
  started: boolean;
  /** The room has no interviewer dispatched (it left after a no-show): the caller dispatches one. */
  needsInterviewer: boolean;
}

/**
 * The candidate is in the room: LiveKit's participant_joined, the reconciler seeing them in the participant list,
 * or the interviewer seeing them arrive. The first arrival starts the interview and its clock. `eventTime` is
 * LiveKit's own time of the event (whole seconds); an arrival stamped before the departure last applied is a late
 * delivery and changes nothing.
 */
export async function candidateArrived(
  db: Db,
  interviewId: string,
  options: { actor: Actor; eventTime?: Date; now?: Date },
): Promise<Arrival | undefined> {
  const at = options.now ?? new Date();
  const eventTime = options.eventTime ?? at;
  return inTransaction(db, async (trx) => {
    const current = await lockInterview(trx, interviewId);
    if (!current) return undefined;
    const over = current.status !== 'scheduled' && current.status !== 'in_progress';
    // While away, the last event applied is the departure: an arrival stamped before it belongs to an older connection.
    const stale =
      !current.candidateConnected && current.candidateEventAt !== null && eventTime < current.candidateEventAt;
    if (over || stale) return { interview: current, accepted: false, started: false, needsInterviewer: false };
    const wasConnected = current.candidateConnected;
    await trx
      .updateTable('interviews')
      .set({
        candidateConnected: true,
        candidateEventAt: sql<Date>`greatest(candidate_event_at, ${eventTime})`,
        updatedAt: at,
      })
      .where('id', '=', interviewId)
      .execute();
    const started =
      current.status === 'scheduled'
        ? await moveTo(trx, current, 'in_progress', { reason: 'candidate_joined', actor: options.actor, at })
        : undefined;
    // One candidate.joined per arrival: a second report of the same presence (webhook and reconciler) adds none.
    if (!wasConnected) await recordEvent(trx, candidateJoinedEvent(current, at));
    const interview = await trx.selectFrom('interviews').selectAll().where('id', '=', interviewId).executeTakeFirstOrThrow();
    return {
      interview,
      accepted: true,
      started: started !== undefined,
      needsInterviewer: interview.roomCreatedAt !== null && interview.agentDispatchedAt === null,
    };
  });
}

/**
 * The candidate left the room. LiveKit may deliver late and out of order, and stamps events in whole seconds: a
 * departure stamped before the arrival last applied is stale and changes nothing; one in the same second cannot be
 * ordered, so it marks the candidate away without vouching that the seat is empty (the next join asks LiveKit).
 * A departure known to follow an arrival on the last token accounts for that token: `seatClaimedAt` is cleared,
 * and the next join is admitted from the database alone. Returns false for a stale departure.
 */
export async function candidateLeft(db: Db, interviewId: string, options: { eventTime?: Date; now?: Date }): Promise<boolean> {
  const at = options.now ?? new Date();
  const eventTime = options.eventTime ?? at;
  return inTransaction(db, async (trx) => {
    const current = await lockInterview(trx, interviewId);
    if (!current) return false;
    // While connected, the last event applied is the arrival this departure must follow.
    const lastEvent = current.candidateEventAt;
    if (lastEvent && eventTime < lastEvent) return false;
    const ordered = current.candidateConnected && (!lastEvent || eventTime > lastEvent);
    const seat = current.seatClaimedAt;
    // LiveKit's seconds against our milliseconds: an arrival in the token's own second counts as after it.
    const arrivedOnLastToken = seat === null || (lastEvent !== null && lastEvent.getTime() >= Math.floor(seat.getTime() / 1000) * 1000);
    await trx
      .updateTable('interviews')
      .set({
        candidateConnected: false,
        candidateEventAt: sql<Date>`greatest(candidate_event_at, ${eventTime})`,
        ...(ordered && arrivedOnLastToken ? { seatClaimedAt: null } : {}),
        updatedAt: at,
      })
      .where('id', '=', interviewId)
      .execute();
    return true;
  });
}

/**
 * LiveKit closed the room. The interviewer ends interviews itself before closing the room; a room that closes on
 * an interview still in progress was not concluded, and HR must see that rather than a false "completed". A
 * scheduled interview just loses its room: the next join opens a new one.
 */
export async function roomClosed(db: Db, interviewId: string, options: { actor: Actor; now?: Date }): Promise<void> {
  const at = options.now ?? new Date();
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('interviews')
      .set({ candidateConnected: false, roomCreatedAt: null, agentDispatchedAt: null, updatedAt: at })
      .where('id', '=', interviewId)
      .execute();
    await endInterview(trx, interviewId, 'room_closed', { actor: options.actor, onlyFrom: ['in_progress'], now: at });
  });
}

/**
 * The interviewer left a room whose candidate never arrived: its slot is free for other interviews, the interview
 * stays scheduled while its window is open, and the next join (or the candidate's arrival) dispatches again.
 * Returns false when the candidate arrived after all (the interviewer should stay).
 */
export async function interviewerLeftNoShow(db: Db, interviewId: string, options: { now?: Date } = {}): Promise<boolean> {
  const at = options.now ?? new Date();
  const row = await db
    .updateTable('interviews')
    .set({ agentDispatchedAt: null, updatedAt: at })
    .where('id', '=', interviewId)
    .where('status', '=', 'scheduled')
    .where('candidateConnected', '=', false)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The interviewer left the room of an interview still in progress: its job died (the interviewer writes the end
 * before it leaves, so an ended interview is never in progress here). LiveKit stamps the departure in whole seconds
 * (`eventTime`); a dispatch made at or after it is a newer interviewer's and is left alone. Otherwise the dispatch
 * is over: returns true when the candidate is in the room and a new interviewer is wanted now (the caller claims
 * it with claimInterviewerDispatch, staleBefore = eventTime), else clears it so their next join dispatches one.
 */
export async function interviewerLeft(db: Db, interviewId: string, options: { eventTime: Date }): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const current = await lockInterview(trx, interviewId);
    if (!current || current.status !== 'in_progress' || !current.roomCreatedAt) return false;
    if (current.agentDispatchedAt && current.agentDispatchedAt >= options.eventTime) return false;
    if (current.candidateConnected) return true;
    await trx.updateTable('interviews').set({ agentDispatchedAt: null }).where('id', '=', interviewId).execute();
    return false;
  });
}

/**
 * Claims the dispatch of an interviewer to an interview's open room: true when none is dispatched (or the last
 * dispatch is older than `staleBefore`, its job presumed dead). The claim comes first, so two callers (a join and
 * the reconciler, two API processes) cannot dispatch twice; a dispatch that fails is given back.
 */
export async function claimInterviewerDispatch(
  db: Db,
  interviewId: string,
  options: { now: Date; staleBefore?: Date },
): Promise<boolean> {
  const claimed = await db
    .updateTable('interviews')
    .set({ agentDispatchedAt: options.now })
    .where('id', '=', interviewId)
    .where('roomCreatedAt', 'is not', null)
    .where((eb) =>
      options.staleBefore
        ? eb.or([eb('agentDispatchedAt', 'is', null), eb('agentDispatchedAt', '<', options.staleBefore)])
        : eb('agentDispatchedAt', 'is', null),
    )
    .returning('id')
    .executeTakeFirst();
  return claimed !== undefined;
}

export async function releaseInterviewerDispatch(db: Db, interviewId: string): Promise<void> {
  await db.updateTable('interviews').set({ agentDispatchedAt: null }).where('id', '=', interviewId).execute();
}

// The seat. A join token holds it for a short connect grace, so a second device cannot take the interview from the
// first; `seatClaimedAt` is when the last token was issued, and stays set until that token is accounted for (the
// candidate was seen arriving on it and then leaving). The join claims it inside its one statement with the SQL
// below; the functions after it undo a claim the join could not complete.
//
// A seat is, for a join at `at`:
// - free: never issued, or its last token accounted for while the candidate is away. The database admits alone.
// - held: a token issued less than the connect grace ago, not accounted for. Refused (409) until the grace passes.
// - unknown: the candidate is marked present, or an older token was never seen used. Claimed, but the join asks
//   LiveKit whether that identity is in the room before answering, so a second device never kicks the first.

/** Whether the database alone vouches that the seat of interview row `i` is empty (free, above), as SQL. */
export const seatFreeSql = (i: string) =>
  `(${i}.candidate_identity is null or (${i}.seat_claimed_at is null and not ${i}.candidate_connected))`;

/**
 * Claims seats inside a larger statement: the text of one CTE, `seat`, for its WITH list. It reads `claimant(ord,
 * id, at, identity, grace_seconds, free, seat_claimed_at)`: at most one attempt per interview, each admitted by
 * every rule but the seat's, with the seat as the statement's snapshot saw it (`free` from seatFreeSql). A held
 * seat is not claimed; nor is one that changed since the snapshot (another claim, a departure), so what the claim
 * returns about the seat before it is exact. Each row of `seat` is a claim: `free` says whether the database
 * vouched for it, the previous values let the caller undo it.
 */
export const seatClaimSql = `
  seat as (
    update interviews i set
      candidate_identity = coalesce(i.candidate_identity, w.identity),
      seat_claimed_at = w.at,
      -- Only a seat the database vouches for opens the room and dispatches here; otherwise LiveKit is asked first.
      room_created_at = case when w.free then coalesce(i.room_created_at, w.at) else i.room_created_at end,
      agent_dispatched_at = case when w.free then coalesce(i.agent_dispatched_at, w.at) else i.agent_dispatched_at end,
      updated_at = w.at
    from claimant w
    where i.id = w.id
      and i.status in ('scheduled', 'in_progress')
      and ${seatFreeSql('i')} = w.free
      and i.seat_claimed_at is not distinct from w.seat_claimed_at
      and (w.free or w.seat_claimed_at is null or w.seat_claimed_at <= w.at - w.grace_seconds * interval '1 second')
    returning w.ord, i.id, w.at, i.candidate_identity as identity, w.free, w.seat_claimed_at as previous_seat,
      -- Set to this claim's own time only when they were empty before it.
      i.room_created_at is not null and i.room_created_at <> w.at as room_was_open,
      i.agent_dispatched_at is not null and i.agent_dispatched_at <> w.at as agent_was_dispatched,
      case when i.agent_dispatched_at <> w.at then i.agent_dispatched_at end as previous_dispatch
  )`;

/** A claim the join made, with what the seat held before it: enough to give it back. */
export interface SeatClaim {
  claimedAt: Date;
  previousSeat: Date | null;
}

/** Gives the seat back as it was (LiveKit says the identity is connected, or the join failed), unless claimed since. */
export async function releaseSeat(db: Db, interviewId: string, claim: SeatClaim): Promise<void> {
  await db
    .updateTable('interviews')
    .set({ seatClaimedAt: claim.previousSeat })
    .where('id', '=', interviewId)
    .where('seatClaimedAt', '=', claim.claimedAt)
    .execute();
}

/** The room was opened, with its interviewer dispatched in the room's own configuration. */
export async function roomOpened(db: Db, interviewId: string, at: Date): Promise<void> {
  await db.updateTable('interviews').set({ roomCreatedAt: at, agentDispatchedAt: at }).where('id', '=', interviewId).execute();
}

/** The room could not be opened: the seat and the room's mark go back as they were before the join. */
export async function roomNotOpened(
  db: Db,
  interviewId: string,
  claim: SeatClaim & { previousDispatch: Date | null },
): Promise<void> {
  await db
    .updateTable('interviews')
    .set({
      roomCreatedAt: null,
      agentDispatchedAt: claim.previousDispatch,
      seatClaimedAt: sql<Date | null>`case when seat_claimed_at = ${claim.claimedAt} then ${claim.previousSeat}::timestamptz else seat_claimed_at end`,
    })
    .where('id', '=', interviewId)
    .execute();
}
