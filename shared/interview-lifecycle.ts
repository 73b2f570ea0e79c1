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
// none writes status, end reasons or presence itself. (The join's fast path claims the seat in its own statement,
// api/public/join-statement.ts, and never changes status.)
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
      await trx
        .updateTable('interviews')
        .set({ candidateConnected: false, joinLeaseUntil: null })
        .where('id', '=', interviewId)
        .execute();
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
 * LiveKit's own time of the event (whole seconds); an arrival stamped before the last known departure is a late
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
    const stale = current.candidateLeftEventAt !== null && eventTime < current.candidateLeftEventAt;
    if (over || stale) return { interview: current, accepted: false, started: false, needsInterviewer: false };
    const wasConnected = current.candidateConnected;
    await trx
      .updateTable('interviews')
      .set({
        candidateConnected: true,
        candidateJoinedEventAt: sql<Date>`greatest(candidate_joined_event_at, ${eventTime})`,
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
 * departure stamped before the last arrival is stale and changes nothing; one in the same second cannot be
 * ordered, so it frees the seat without vouching for it (the next join then asks LiveKit). Only a departure known
 * to follow the last arrival lets the next join be admitted from the database alone (`candidateLeftAt`).
 * Returns false for a stale departure.
 */
export async function candidateLeft(
  db: Db,
  interviewId: string,
  options: { eventTime?: Date; seenAt?: Date; now?: Date },
): Promise<boolean> {
  const at = options.now ?? new Date();
  const eventTime = options.eventTime ?? at;
  return inTransaction(db, async (trx) => {
    const current = await lockInterview(trx, interviewId);
    if (!current) return false;
    const joinedAt = current.candidateJoinedEventAt;
    if (joinedAt && eventTime < joinedAt) return false;
    const ordered = !joinedAt || eventTime > joinedAt;
    await trx
      .updateTable('interviews')
      .set({
        candidateConnected: false,
        joinLeaseUntil: null,
        candidateLeftEventAt: sql<Date>`greatest(candidate_left_event_at, ${eventTime})`,
        ...(ordered ? { candidateLeftAt: options.seenAt ?? at } : {}),
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
      .set({ candidateConnected: false, roomCreatedAt: null, agentDispatchedAt: null, joinLeaseUntil: null, updatedAt: at })
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

// The seat: a join token holds it for a short connect grace, so a second device cannot take the interview from the
// first. Ordinary joins claim it in their one statement (api/public/join-statement.ts, the fast path of the same
// rule); these are the slower path's steps and the undoing of a claim whose room could not be opened.

/**
 * Claims the seat for `leaseUntil` if no other token holds it: one conditional UPDATE, so of two simultaneous
 * joins exactly one wins. The identity issued before is kept (the interviewer stays linked to it).
 */
export async function claimSeat(
  db: Db,
  interviewId: string,
  options: { proposedIdentity: string; displayName: string; now: Date; leaseUntil: Date },
): Promise<{ identity: string; roomOpen: boolean } | undefined> {
  const claimed = await db
    .updateTable('interviews')
    .set({
      candidateIdentity: sql<string>`coalesce(candidate_identity, ${options.proposedIdentity})`,
      joinLeaseUntil: options.leaseUntil,
      candidateDisplayName: options.displayName,
      seatClaimedAt: options.now,
      updatedAt: options.now,
    })
    .where('id', '=', interviewId)
    .where((eb) => eb.or([eb('joinLeaseUntil', 'is', null), eb('joinLeaseUntil', '<=', options.now)]))
    .returning(['candidateIdentity', 'roomCreatedAt'])
    .executeTakeFirst();
  return claimed ? { identity: claimed.candidateIdentity!, roomOpen: claimed.roomCreatedAt !== null } : undefined;
}

/** Gives the seat back (the connected device keeps it, or the join failed). */
export async function releaseSeat(db: Db, interviewId: string): Promise<void> {
  await db.updateTable('interviews').set({ joinLeaseUntil: null }).where('id', '=', interviewId).execute();
}

/** The room was opened, with its interviewer dispatched in the room's own configuration. */
export async function roomOpened(db: Db, interviewId: string, at: Date): Promise<void> {
  await db.updateTable('interviews').set({ roomCreatedAt: at, agentDispatchedAt: at }).where('id', '=', interviewId).execute();
}

/** The room could not be opened: the seat and the room's mark go back as they were before the join. */
export async function roomNotOpened(db: Db, interviewId: string, previousDispatch: Date | null): Promise<void> {
  await db
    .updateTable('interviews')
    .set({ joinLeaseUntil: null, roomCreatedAt: null, agentDispatchedAt: previousDispatch })
    .where('id', '=', interviewId)
    .execute();
}
