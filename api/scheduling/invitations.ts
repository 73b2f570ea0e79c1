import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database, EmailLocale } from '../../shared/db/schema.ts';
import { actorFromPrincipal, recordAudit, type AuditActor } from '../audit/audit-log.ts';
import { companyScope } from '../auth/principal.ts';
import { findCandidate } from '../candidates/candidates.repository.ts';
import type { AppDeps } from '../deps.ts';
import { enqueueEmail } from '../email/queue.ts';
import { renderInterviewEmail } from '../email/templates.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute, type RequestMeta } from '../http/route.ts';
import { isoTimestamp } from '../http/schemas.ts';
import { requireInterviewVoice } from '../interviews/interview-voice.ts';
import { formatRoomCode } from '../../shared/room-code.ts';
import { interviewType } from '../interviews/interviews.schemas.ts';
import { joinUrlFor, signedLinkFor } from '../interviews/links.ts';
import { findJob } from '../jobs/jobs.repository.ts';
import { consumeRateLimits } from '../public/rate-limit.ts';
import { bookSlot, cancelBooking, rescheduleBooking, type BookingActor } from './bookings.service.ts';
import { invitationUrl, signInvitation, verifyInvitation } from './invitation-token.ts';
import { slotSchema, timezone } from './scheduling.schemas.ts';
import { schedulingSettings } from './settings.repository.ts';
import { searchSlots, slotToApi } from './slots.repository.ts';

// Candidate self-scheduling. HR sends an invitation; its signed token (no account) lets the candidate list the
// company's open slots of one interview type, book one, and move or cancel it within the configured limits.
// The token carries only the invitation id and expiry; revocation and the booking live in the database.

const createInvitationBody = z
  .object({
    candidateId: z.uuid(),
    jobId: z.uuid(),
    interviewType,
    expiresInDays: z.number().int().min(1).max(90).optional(),
    candidateTimezone: timezone.optional(),
    locale: z
      .enum(['en', 'ar'])
      .optional()
      .meta({ description: "The e-mail's language, and the page's and booking's; default the company's" }),
  })
  .strict()
  .meta({ id: 'CreateSchedulingInvitation' });

const invitationSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    candidateId: z.uuid(),
    jobId: z.uuid(),
    interviewType,
    expiresAt: isoTimestamp,
    url: z.url().meta({ description: 'The self-scheduling page with the token; also e-mailed to the candidate' }),
    token: z.string(),
  })
  .meta({ id: 'SchedulingInvitation' });

const tokenParams = z.object({ token: z.string().min(10).max(1000) });

const publicBookingSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(['booked', 'confirmed', 'cancelled']),
    startsAt: isoTimestamp,
    endsAt: isoTimestamp,
    reschedules: z.number().int(),
    reschedulesLeft: z.number().int().meta({ description: 'How many more times the candidate can move it here' }),
    roomCode: z.string().meta({ description: 'Formatted as XXXX-XXXX' }),
    joinUrl: z.url(),
    link: z.url(),
  })
  .meta({ id: 'SelfServiceBooking' });

// What a candidate needs to pick a time; a slot's capacity, seats taken and configuration stay with HR.
const publicSlotSchema = slotSchema
  .pick({
    id: true,
    interviewType: true,
    startsAt: true,
    endsAt: true,
    localStart: true,
    localEnd: true,
    timezone: true,
  })
  .meta({ id: 'SelfServiceSlot' });

const publicInvitationSchema = z
  .object({
    companyName: z.string(),
    companyTimezone: z.string().meta({ description: "The company's IANA timezone, for showing its local time too" }),
    language: z
      .enum(['en', 'ar'])
      .meta({ description: "The invitation's language (its e-mail's); the page's first language" }),
    jobTitle: z.string(),
    interviewType,
    expiresAt: isoTimestamp,
    booking: publicBookingSchema.nullable(),
    canChange: z.boolean().meta({ description: 'Whether the booking can still be moved or cancelled here' }),
    limits: z.object({
      minNoticeMinutes: z.number().int().meta({ description: 'No booking, move or cancellation closer to the start' }),
      maxReschedules: z.number().int(),
    }),
    slots: z.array(publicSlotSchema),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'SelfServiceInvitation' });

const publicSlotsQuery = z.object({
  from: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional(),
  to: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional(),
  tz: timezone.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

interface Invitation {
  id: string;
  companyId: string;
  candidateId: string;
  jobId: string;
  interviewType: z.infer<typeof interviewType>;
  expiresAt: Date;
  locale: EmailLocale;
}

const notFound = () => new AppError('not_found', 'This scheduling link is not valid. Ask the company for a new one.');

export function invitationRoutes(deps: AppDeps) {
  const { db, config, now } = deps;
  const limits = {
    minNoticeMinutes: config.scheduling.selfServiceMinNoticeMinutes,
    maxReschedules: config.scheduling.selfServiceMaxReschedules,
  };

  /**
   * The invitation behind a token. An expired one still lets its candidate see, move or cancel a booking that has
   * not started (slots are offered weeks beyond an invitation's life), but never book anew.
   */
  async function resolve(token: string, meta: RequestMeta, purpose: 'view' | 'book' | 'manage'): Promise<Invitation> {
    await consumeRateLimits(
      db,
      [{ key: `schedule:ip:${meta.ip}`, limit: config.rateLimits.perIp }],
      config.rateLimits.windowSeconds,
      now(),
    );
    const verified = verifyInvitation(config.links.secret, token, now());
    if (!verified) throw notFound();
    const row = await db
      .selectFrom('schedulingInvitations')
      .select(['id', 'companyId', 'candidateId', 'jobId', 'interviewType', 'expiresAt', 'locale'])
      .where('id', '=', verified.id)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    if (!row) throw notFound();
    if (verified.expired) {
      const booking = purpose === 'book' ? undefined : await activeBooking(db, row);
      if (!booking || booking.scheduledStart <= now()) throw notFound();
    }
    return row;
  }

  async function activeBooking(db2: Kysely<Database>, inv: Invitation) {
    return db2
      .selectFrom('bookings')
      .innerJoin('interviews', 'interviews.id', 'bookings.interviewId')
      .selectAll('interviews')
      .select(['bookings.id as bookingId', 'bookings.status as bookingStatus', 'bookings.reschedules'])
      .where('bookings.candidateId', '=', inv.candidateId)
      .where('bookings.jobId', '=', inv.jobId)
      .where('bookings.interviewType', '=', inv.interviewType)
      .where('bookings.status', '<>', 'cancelled')
      .executeTakeFirst();
  }

  async function view(inv: Invitation, query: z.infer<typeof publicSlotsQuery>) {
    const at = now();
    const [settings, job, booking] = await Promise.all([
      schedulingSettings(db, inv.companyId),
      db.selectFrom('jobs').select('title').where('id', '=', inv.jobId).executeTakeFirstOrThrow(),
      activeBooking(db, inv),
    ]);
    const from = query.from ?? at;
    const to = query.to ?? new Date(from.getTime() + config.scheduling.horizonWeeks * 7 * 86_400_000);
    const page = await searchSlots(db, inv.companyId, {
      interviewType: inv.interviewType,
      from,
      to,
      onlyAvailable: true,
      limit: query.limit,
      cursor: query.cursor,
      // The candidate cannot take a slot they could not then move: the same notice applies to booking.
      notBefore: new Date(at.getTime() + limits.minNoticeMinutes * 60_000),
    });
    return {
      companyName: settings!.brandName ?? settings!.companyName,
      companyTimezone: settings!.timezone,
      language: inv.locale,
      jobTitle: job.title,
      interviewType: inv.interviewType,
      expiresAt: inv.expiresAt,
      booking: booking
        ? {
            id: booking.bookingId,
            status: booking.bookingStatus,
            startsAt: booking.scheduledStart,
            endsAt: booking.scheduledEnd,
            reschedules: booking.reschedules,
            reschedulesLeft: Math.max(0, limits.maxReschedules - booking.reschedules),
            roomCode: formatRoomCode(booking.roomCode),
            joinUrl: joinUrlFor(booking, config),
            link: signedLinkFor(booking, config, at).url,
          }
        : null,
      canChange:
        booking?.status === 'scheduled' &&
        booking.scheduledStart.getTime() - at.getTime() >= limits.minNoticeMinutes * 60_000,
      limits,
      slots: page.items.map((s) => slotToApi(s, query.tz ?? settings!.timezone)),
      nextCursor: page.nextCursor,
    };
  }

  const candidateActor = (meta: RequestMeta): BookingActor => {
    const audit: AuditActor = { type: 'candidate', id: null, ip: meta.ip, userAgent: meta.userAgent };
    return { audit, label: 'candidate' };
  };

  const tags = ['Candidate (public)'];
  return [
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/invitations',
      operationId: 'createSchedulingInvitation',
      summary: 'Invite a candidate to pick their own slot; e-mails a signed self-scheduling link',
      tags: ['Scheduling'],
      auth: 'hr',
      body: createInvitationBody,
      responses: { 201: { description: 'Invited', schema: invitationSchema } },
      handler: async ({ body, principal, meta }) => {
        const scope = companyScope(principal);
        const [candidate, job] = await Promise.all([
          findCandidate(db, scope, body.candidateId),
          findJob(db, scope, body.jobId),
        ]);
        if (!candidate) throw new AppError('not_found', 'No such candidate.');
        if (!job || job.companyId !== candidate.companyId) throw new AppError('not_found', 'No such job.');
        // Refused here rather than when the candidate tries to book: they could not fix it.
        requireInterviewVoice(config.speech, job.language, { path: 'body.jobId', inheritedFrom: "the job's language" });
        const at = now();
        const expiresAt = new Date(
          at.getTime() + (body.expiresInDays ?? config.scheduling.invitationTtlDays) * 86_400_000,
        );
        const settings = (await schedulingSettings(db, candidate.companyId))!;
        // Kept with the invitation: the page it opens and the booking made there speak the e-mail's language.
        const locale: EmailLocale = body.locale ?? settings.locale;
        const result = await db.transaction().execute(async (trx) => {
          const inv = await trx
            .insertInto('schedulingInvitations')
            .values({
              companyId: candidate.companyId,
              candidateId: candidate.id,
              jobId: job.id,
              interviewType: body.interviewType,
              expiresAt,
              locale,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          const token = signInvitation(config.links.secret, inv.id, expiresAt);
          const url = invitationUrl(
            { publicBaseUrl: config.publicBaseUrl, secret: config.links.secret },
            inv.id,
            expiresAt,
          );
          if (candidate.email) {
            const zone = body.candidateTimezone ?? settings.timezone;
            const rendered = renderInterviewEmail('self_schedule', {
              locale,
              companyName: settings.brandName ?? settings.companyName,
              logoUrl: settings.logoUrl,
              candidateFirstName: candidate.firstName,
              jobTitle: job.title,
              startsAt: expiresAt,
              endsAt: expiresAt,
              candidateTimezone: zone,
              companyTimezone: settings.timezone,
              durationMinutes: 0,
              joinUrl: url,
              linkUrl: url,
              roomCode: '',
              scheduleUrl: url,
            });
            await enqueueEmail(trx, {
              companyId: candidate.companyId,
              kind: 'self_schedule',
              to: candidate.email,
              replyTo: settings.replyTo,
              ...rendered,
              sendAt: at,
            });
          }
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: candidate.companyId,
            action: 'scheduling.invitation.create',
            targetType: 'scheduling_invitation',
            targetId: inv.id,
          });
          return { ...inv, url, token };
        });
        return { status: 201, body: result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/public/scheduling/:token',
      operationId: 'getSelfServiceInvitation',
      summary: "The candidate's invitation: the role, their booking if any, and open slots to pick from (paged)",
      tags,
      auth: 'public',
      params: tokenParams,
      query: publicSlotsQuery,
      responses: { 200: { description: 'The invitation', schema: publicInvitationSchema } },
      handler: async ({ params, query, meta }) => ({
        status: 200,
        body: await view(await resolve(params.token, meta, 'view'), query),
        headers: { 'Cache-Control': 'no-store' },
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/public/scheduling/:token/book',
      operationId: 'selfServiceBook',
      summary: 'Book one of the offered slots',
      tags,
      auth: 'public',
      params: tokenParams,
      body: z.object({ slotId: z.uuid(), timezone: timezone.optional() }).strict().meta({ id: 'SelfServiceBook' }),
      responses: { 201: { description: 'Booked', schema: publicInvitationSchema } },
      handler: async ({ params, body, meta }) => {
        const inv = await resolve(params.token, meta, 'book');
        const slot = await db
          .selectFrom('slots')
          .select('startsAt')
          .where('id', '=', body.slotId)
          .where('companyId', '=', inv.companyId)
          .executeTakeFirst();
        if (slot && slot.startsAt.getTime() - now().getTime() < limits.minNoticeMinutes * 60_000) {
          throw new AppError('too_late_to_change', 'This slot starts too soon to book here.');
        }
        await bookSlot(
          deps,
          inv.companyId,
          {
            slotId: body.slotId,
            candidateId: inv.candidateId,
            jobId: inv.jobId,
            candidateTimezone: body.timezone,
            locale: inv.locale,
            source: 'candidate',
            interviewType: inv.interviewType,
          },
          candidateActor(meta),
        );
        return { status: 201, body: await view(inv, { limit: 50 }), headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/public/scheduling/:token/reschedule',
      operationId: 'selfServiceReschedule',
      summary: 'Move the booking to another offered slot (not within the notice period; a limited number of times)',
      tags,
      auth: 'public',
      params: tokenParams,
      body: z.object({ slotId: z.uuid(), timezone: timezone.optional() }).strict().meta({ id: 'SelfServiceReschedule' }),
      responses: { 200: { description: 'Moved', schema: publicInvitationSchema } },
      handler: async ({ params, body, meta }) => {
        const inv = await resolve(params.token, meta, 'manage');
        const booking = await activeBooking(db, inv);
        if (!booking) throw new AppError('invalid_state', 'There is no booking to move.');
        await rescheduleBooking(
          deps,
          inv.companyId,
          booking.bookingId,
          body.slotId,
          candidateActor(meta),
          limits,
          body.timezone,
        );
        return { status: 200, body: await view(inv, { limit: 50 }), headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/public/scheduling/:token/cancel',
      operationId: 'selfServiceCancel',
      summary: 'Cancel the booking (not within the notice period)',
      tags,
      auth: 'public',
      params: tokenParams,
      body: z
        .object({ reason: z.string().trim().min(1).max(500).optional() })
        .strict()
        .meta({ id: 'SelfServiceCancel' }),
      responses: { 200: { description: 'Cancelled', schema: publicInvitationSchema } },
      handler: async ({ params, body, meta }) => {
        const inv = await resolve(params.token, meta, 'manage');
        const booking = await activeBooking(db, inv);
        if (!booking) throw new AppError('invalid_state', 'There is no booking to cancel.');
        await cancelBooking(
          deps,
          inv.companyId,
          booking.bookingId,
          body.reason ?? 'cancelled_by_candidate',
          candidateActor(meta),
          limits,
        );
        return { status: 200, body: await view(inv, { limit: 50 }), headers: { 'Cache-Control': 'no-store' } };
      },
    }),
  ];
}
