import type { Kysely } from 'kysely';
import type { Booking, Database, EmailLocale, Interview, Slot } from '../../shared/db/schema.ts';
import { endInterview } from '../../shared/interview-lifecycle.ts';
import { enqueueJob } from '../../shared/jobs.ts';
import { recordAudit, type AuditActor } from '../audit/audit-log.ts';
import { findCandidate } from '../candidates/candidates.repository.ts';
import { refuseErasedCandidate } from '../data-rights/erasure.ts';
import type { AppDeps } from '../deps.ts';
import { enqueueBookingEmails } from '../email/queue.ts';
import { AppError } from '../http/problem.ts';
import { insertScheduledInterview } from '../interviews/create-interview.ts';
import { requireInterviewVoice } from '../interviews/interview-voice.ts';
import { bumpLinkVersion, findInterview } from '../interviews/interviews.repository.ts';
import { findJob } from '../jobs/jobs.repository.ts';
import { schedulingSettings } from './settings.repository.ts';

// Booking, confirming, cancelling and rescheduling, shared by the HR API and the candidate's self-service API.
//
// Capacity is enforced by Postgres: a booking takes a seat with one conditional UPDATE (booked_count < capacity)
// that holds the slot's row lock until commit, so concurrent bookings queue on the row and each sees the count
// the previous one left; a CHECK constraint (booked_count <= capacity) backs it up. "One active booking per
// candidate and job/type" and "one per interview" are partial unique indexes; their violation rolls the whole
// transaction back, seat included.

export interface BookingActor {
  audit: AuditActor;
  /** For the interview timeline: `api_key:<id>` or `candidate`. */
  label: string;
}

export interface BookInput {
  slotId: string;
  candidateId: string;
  jobId: string;
  interviewId?: string;
  candidateTimezone?: string;
  locale?: EmailLocale;
  source: 'hr' | 'candidate';
  /** Self-service: the slot must have this interview type. */
  interviewType?: string;
}

const fullOr = (slot: Slot | undefined, now: Date): AppError => {
  if (!slot) return new AppError('not_found', 'No such slot.');
  if (slot.status !== 'open') return new AppError('conflict', 'This slot is not open for booking.');
  if (slot.startsAt <= now) return new AppError('conflict', 'This slot has already started.');
  return new AppError('conflict', 'This slot is full.');
};

function uniqueViolation(err: unknown): string | null {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' ? (e.constraint ?? 'unique') : null;
}

/** Takes a seat in a slot, or throws the reason it cannot (404 unknown, 409 full/closed/past). */
async function takeSeat(
  trx: Kysely<Database>,
  companyId: string,
  slotId: string,
  now: Date,
  interviewType?: string,
): Promise<Slot> {
  let q = trx
    .updateTable('slots')
    .set((eb) => ({ bookedCount: eb('bookedCount', '+', 1) }))
    .where('id', '=', slotId)
    .where('companyId', '=', companyId)
    .where('status', '=', 'open')
    .where('startsAt', '>', now)
    .whereRef('bookedCount', '<', 'capacity');
  if (interviewType) q = q.where('interviewType', '=', interviewType as Slot['interviewType']);
  const claimed = await q.returningAll().executeTakeFirst();
  if (claimed) return claimed;
  let check = trx.selectFrom('slots').selectAll().where('id', '=', slotId).where('companyId', '=', companyId);
  if (interviewType) check = check.where('interviewType', '=', interviewType as Slot['interviewType']);
  throw fullOr(await check.executeTakeFirst(), now);
}

async function releaseSeat(trx: Kysely<Database>, slotId: string): Promise<void> {
  await trx
    .updateTable('slots')
    .set((eb) => ({ bookedCount: eb('bookedCount', '-', 1) }))
    .where('id', '=', slotId)
    .execute();
}

function maxDuration(slot: Slot): number {
  const slotMinutes = Math.round((slot.endsAt.getTime() - slot.startsAt.getTime()) / 60_000);
  return Math.max(5, Math.min(240, slot.settings.maxDurationMinutes ?? slotMinutes));
}

export async function bookSlot(
  deps: AppDeps,
  scope: string | null,
  input: BookInput,
  actor: BookingActor,
): Promise<Booking> {
  const { db, config } = deps;
  const now = deps.now();
  let slotQ = db.selectFrom('slots').select(['companyId']).where('id', '=', input.slotId);
  if (scope) slotQ = slotQ.where('companyId', '=', scope);
  const slotRef = await slotQ.executeTakeFirst();
  if (!slotRef) throw new AppError('not_found', 'No such slot.');
  const companyScopeForRefs = scope ?? slotRef.companyId;
  const [candidate, job] = await Promise.all([
    findCandidate(db, companyScopeForRefs, input.candidateId),
    findJob(db, companyScopeForRefs, input.jobId),
  ]);
  if (!candidate) throw new AppError('not_found', 'No such candidate.');
  if (!job) throw new AppError('not_found', 'No such job.');
  await refuseErasedCandidate(db, candidate);
  const settings = (await schedulingSettings(db, slotRef.companyId))!;

  let booked: { booking: Booking; created: Interview | null };
  try {
    booked = await db.transaction().execute(async (trx) => {
      const slot = await takeSeat(trx, slotRef.companyId, input.slotId, now, input.interviewType);
      let interview: Interview;
      let created: Interview | null = null;
      if (input.interviewId) {
        const existing = await findInterview(trx, slot.companyId, input.interviewId);
        if (!existing || existing.candidateId !== candidate.id || existing.jobId !== job.id) {
          throw new AppError('not_found', 'No such interview for this candidate and job.');
        }
        if (existing.status !== 'scheduled')
          throw new AppError('invalid_state', `An interview that is ${existing.status} cannot be booked.`);
        await trx
          .updateTable('interviews')
          .set({ scheduledStart: slot.startsAt, scheduledEnd: slot.endsAt, updatedAt: now })
          .where('id', '=', existing.id)
          .execute();
        // The schedule moved, so links signed for the old window must stop working.
        interview = await bumpLinkVersion(trx, existing.id);
      } else {
        const language = slot.settings.language ?? job.language;
        requireInterviewVoice(config.speech, language, {
          path: slot.settings.language ? 'slot.settings.language' : 'body.jobId',
          ...(slot.settings.language ? {} : { inheritedFrom: "the job's language" }),
          audience: input.source,
        });
        interview = created = await insertScheduledInterview(
          trx,
          config.livekit.roomPrefix,
          {
            companyId: slot.companyId,
            jobId: job.id,
            candidateId: candidate.id,
            type: slot.interviewType,
            maxDurationMinutes: maxDuration(slot),
            instructions: slot.settings.instructions ?? '',
            language,
            languageMode: slot.settings.languageMode ?? 'fixed',
            scheduledStart: slot.startsAt,
            scheduledEnd: slot.endsAt,
          },
          actor.label,
        );
        // The plan is written by a job once this commits, so the slot's seat is never held while a model writes it;
        // a failure leaves the booking as it is (the agent falls back to the template bank).
        await enqueueJob(trx, 'generate-plan', { interviewId: created.id }, { jobKey: `generate-plan:${created.id}` });
      }
      const booking = await trx
        .insertInto('bookings')
        .values({
          companyId: slot.companyId,
          slotId: slot.id,
          interviewId: interview.id,
          candidateId: candidate.id,
          jobId: job.id,
          interviewType: slot.interviewType,
          source: input.source,
          candidateTimezone: input.candidateTimezone ?? null,
          locale: input.locale ?? settings.locale,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, actor.audit, {
        companyId: slot.companyId,
        action: 'booking.create',
        targetType: 'booking',
        targetId: booking.id,
        details: { slotId: slot.id, interviewId: interview.id, source: input.source },
      });
      await enqueueBookingEmails(trx, config, booking.id, 'invitation', now);
      return { booking, created };
    });
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint === 'bookings_active_interview')
      throw new AppError('conflict', 'This interview already has an active booking.');
    if (constraint === 'bookings_active_candidate') {
      throw new AppError('conflict', 'The candidate already holds an active booking for this job and interview type.');
    }
    if ((err as { code?: string })?.code === '23514') throw new AppError('conflict', 'This slot is full.');
    throw err;
  }
  return booked.booking;
}

async function lockBooking(trx: Kysely<Database>, scope: string | null, id: string): Promise<Booking> {
  let q = trx.selectFrom('bookings').selectAll().where('id', '=', id);
  if (scope) q = q.where('companyId', '=', scope);
  const booking = await q.forUpdate().executeTakeFirst();
  if (!booking) throw new AppError('not_found', 'No such booking.');
  return booking;
}

/** Self-service limits: a candidate cannot move or cancel too close to the start. */
export interface SelfServiceLimits {
  minNoticeMinutes: number;
  maxReschedules?: number;
}

function checkNotice(interview: Interview, now: Date, limits?: SelfServiceLimits) {
  if (!limits) return;
  const notice = (interview.scheduledStart.getTime() - now.getTime()) / 60_000;
  if (notice < limits.minNoticeMinutes) {
    throw new AppError(
      'too_late_to_change',
      `Changes are not possible within ${limits.minNoticeMinutes} minutes of the start; reply to the invitation e-mail instead.`,
    );
  }
}

export async function cancelBooking(
  deps: AppDeps,
  scope: string | null,
  id: string,
  reason: string,
  actor: BookingActor,
  limits?: SelfServiceLimits,
): Promise<Booking> {
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    const booking = await lockBooking(trx, scope, id);
    if (booking.status === 'cancelled') throw new AppError('invalid_state', 'This booking is already cancelled.');
    const interview = (await findInterview(trx, null, booking.interviewId))!;
    if (interview.status === 'in_progress') throw new AppError('invalid_state', 'The interview is in progress.');
    checkNotice(interview, now, limits);
    const cancelled = await trx
      .updateTable('bookings')
      .set((eb) => ({
        status: 'cancelled',
        cancelReason: reason,
        cancelledAt: now,
        icsSequence: eb('icsSequence', '+', 1),
        updatedAt: now,
      }))
      .where('id', '=', booking.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await releaseSeat(trx, booking.slotId);
    if (interview.status === 'scheduled') {
      await endInterview(trx, interview.id, actor.label === 'candidate' ? 'cancelled_by_candidate' : 'cancelled_by_hr', {
        actor: actor.label,
        note: reason,
        onlyFrom: ['scheduled'],
        now,
      });
    }
    await recordAudit(trx, actor.audit, {
      companyId: booking.companyId,
      action: 'booking.cancel',
      targetType: 'booking',
      targetId: booking.id,
      details: { reason },
    });
    const cancelledBy = actor.audit.type === 'candidate' ? 'cancelled_by_candidate' : 'cancelled_by_company';
    await enqueueBookingEmails(trx, deps.config, booking.id, 'cancellation', now, cancelledBy);
    return cancelled;
  });
}

export async function rescheduleBooking(
  deps: AppDeps,
  scope: string | null,
  id: string,
  slotId: string,
  actor: BookingActor,
  limits?: SelfServiceLimits,
  /** Where the candidate is now, when they move it themselves: the update e-mail shows their local time. */
  candidateTimezone?: string,
): Promise<Booking> {
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    const booking = await lockBooking(trx, scope, id);
    if (booking.status === 'cancelled')
      throw new AppError('invalid_state', 'A cancelled booking cannot be rescheduled.');
    if (booking.slotId === slotId) throw new AppError('conflict', 'The booking is already in this slot.');
    const interview = (await findInterview(trx, null, booking.interviewId))!;
    if (interview.status !== 'scheduled')
      throw new AppError('invalid_state', `An interview that is ${interview.status} cannot be moved.`);
    checkNotice(interview, now, limits);
    if (limits?.maxReschedules !== undefined && booking.reschedules >= limits.maxReschedules) {
      throw new AppError('reschedule_limit', `This booking was already moved ${booking.reschedules} times.`);
    }
    // Lock both slots in one order, so two bookings swapping slots cannot deadlock.
    await trx
      .selectFrom('slots')
      .select('id')
      .where('id', 'in', [booking.slotId, slotId])
      .orderBy('id')
      .forUpdate()
      .execute();
    const slot = await takeSeat(trx, booking.companyId, slotId, now, booking.interviewType);
    await releaseSeat(trx, booking.slotId);
    const moved = await trx
      .updateTable('bookings')
      .set((eb) => ({
        slotId: slot.id,
        icsSequence: eb('icsSequence', '+', 1),
        reschedules: eb('reschedules', '+', 1),
        candidateTimezone: candidateTimezone ?? booking.candidateTimezone,
        updatedAt: now,
      }))
      .where('id', '=', booking.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('interviews')
      .set({ scheduledStart: slot.startsAt, scheduledEnd: slot.endsAt, updatedAt: now })
      .where('id', '=', interview.id)
      .execute();
    // The old link (and the old window) must stop working: a new version invalidates every earlier link.
    const bumped = await bumpLinkVersion(trx, interview.id);
    await recordAudit(trx, actor.audit, {
      companyId: booking.companyId,
      action: 'booking.reschedule',
      targetType: 'booking',
      targetId: booking.id,
      details: { fromSlotId: booking.slotId, toSlotId: slot.id, linkVersion: bumped.linkVersion },
    });
    await enqueueBookingEmails(trx, deps.config, booking.id, 'update', now);
    return moved;
  });
}

export async function confirmBooking(
  deps: AppDeps,
  scope: string | null,
  id: string,
  actor: BookingActor,
): Promise<Booking> {
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    const booking = await lockBooking(trx, scope, id);
    if (booking.status === 'cancelled') throw new AppError('invalid_state', 'A cancelled booking cannot be confirmed.');
    if (booking.status === 'confirmed') return booking;
    const confirmed = await trx
      .updateTable('bookings')
      .set({ status: 'confirmed', confirmedAt: now, updatedAt: now })
      .where('id', '=', booking.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, actor.audit, {
      companyId: booking.companyId,
      action: 'booking.confirm',
      targetType: 'booking',
      targetId: booking.id,
    });
    return confirmed;
  });
}
