import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { actorLabel, companyScope, type Principal } from '../auth/principal.ts';
import type { ApiConfig } from '../config.ts';
import type { AppDeps } from '../deps.ts';
import { paginate, toPage } from '../http/pagination.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute, type RequestMeta } from '../http/route.ts';
import { idParams } from '../http/schemas.ts';
import { joinUrlFor, signedLinkFor } from '../interviews/links.ts';
import { bookSlot, cancelBooking, confirmBooking, rescheduleBooking, type BookingActor } from './bookings.service.ts';
import { owningCompany } from '../companies/owning-company.ts';
import { agenda } from './agenda.repository.ts';
import {
  agendaQuery,
  agendaSchema,
  bookingDetailSchema,
  bookingPage,
  cancelBookingBody,
  conflictPage,
  conflictSchema,
  createBookingBody,
  emailStatusSchema,
  listBookingsQuery,
  listConflictsQuery,
  rescheduleBookingBody,
  resolveConflictBody,
} from './scheduling.schemas.ts';
import { schedulingSettings } from './settings.repository.ts';
import { localDateRange } from './slot-times.ts';
import { z } from 'zod';

const tags = ['Scheduling'];

const hrActor = (principal: Principal, meta: RequestMeta): BookingActor => ({
  audit: actorFromPrincipal(principal, meta),
  label: actorLabel(principal),
});

function bookingsWithTimes(db: Kysely<Database>) {
  return db
    .selectFrom('bookings')
    .innerJoin('interviews', 'interviews.id', 'bookings.interviewId')
    .selectAll('bookings')
    .select(['interviews.scheduledStart as startsAt', 'interviews.scheduledEnd as endsAt']);
}

export async function emailsOf(db: Kysely<Database>, where: { bookingId?: string; interviewId?: string }) {
  let q = db
    .selectFrom('emailMessages')
    .select(['id', 'kind', 'status', 'attempts', 'sendAt', 'sentAt', 'lastError'])
    .orderBy('createdAt')
    .orderBy('sendAt');
  if (where.bookingId) q = q.where('bookingId', '=', where.bookingId);
  if (where.interviewId) q = q.where('interviewId', '=', where.interviewId);
  return q.execute();
}

/** A booking with its interview's link and room code and the delivery status of its e-mails. */
export async function bookingDetail(db: Kysely<Database>, config: ApiConfig, id: string, now: Date) {
  const booking = await bookingsWithTimes(db).where('bookings.id', '=', id).executeTakeFirstOrThrow();
  const interview = await db
    .selectFrom('interviews')
    .selectAll()
    .where('id', '=', booking.interviewId)
    .executeTakeFirstOrThrow();
  const link = signedLinkFor(interview, config, now);
  return {
    ...booking,
    roomCode: interview.roomCode,
    joinUrl: joinUrlFor(interview, config),
    signedLink: link,
    emails: await emailsOf(db, { bookingId: id }),
  };
}

export function bookingRoutes(deps: AppDeps) {
  const { db, config, now } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/bookings',
      operationId: 'createBooking',
      summary: 'Book a slot for a candidate and a job: creates (or attaches) the interview and e-mails the invitation',
      tags,
      auth: 'hr',
      body: createBookingBody,
      responses: { 201: { description: 'Booked', schema: bookingDetailSchema } },
      handler: async ({ body, principal, meta }) => {
        const booking = await bookSlot(
          deps,
          companyScope(principal),
          { ...body, source: 'hr' },
          hrActor(principal, meta),
        );
        return {
          status: 201,
          body: await bookingDetail(db, config, booking.id, now()),
          headers: { Location: `/v1/scheduling/bookings/${booking.id}` },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/bookings',
      operationId: 'listBookings',
      summary: 'List bookings, newest first',
      tags,
      auth: 'hr',
      query: listBookingsQuery,
      responses: { 200: { description: 'A page of bookings', schema: bookingPage } },
      handler: async ({ query, principal }) => {
        const scope = companyScope(principal);
        let q = bookingsWithTimes(db);
        if (scope) q = q.where('bookings.companyId', '=', scope);
        if (query.status) q = q.where('bookings.status', '=', query.status);
        if (query.slotId) q = q.where('bookings.slotId', '=', query.slotId);
        if (query.candidateId) q = q.where('bookings.candidateId', '=', query.candidateId);
        return {
          status: 200,
          body: toPage(await paginate(q, 'bookings', query.cursor, query.limit).execute(), query.limit),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/agenda',
      operationId: 'schedulingAgenda',
      summary:
        "Slots and active bookings of a range of days (a week), with the open conflicts each is part of, in the company's timezone",
      tags,
      auth: 'hr',
      query: agendaQuery,
      responses: { 200: { description: 'The range', schema: agendaSchema } },
      handler: async ({ query, principal }) => {
        const companyId = await owningCompany(db, principal, query.companyId);
        const zone = (await schedulingSettings(db, companyId))?.timezone ?? 'UTC';
        const range = localDateRange(query.from, query.to, zone);
        const body = await agenda(db, companyId, range, zone);
        return { status: 200, body: { timezone: zone, from: query.from, to: query.to, ...body } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/bookings/:id',
      operationId: 'getBooking',
      summary: 'Get a booking with its link and the delivery status of its e-mails',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'The booking', schema: bookingDetailSchema } },
      handler: async ({ params, principal }) => {
        const scope = companyScope(principal);
        let q = db.selectFrom('bookings').select('id').where('id', '=', params.id);
        if (scope) q = q.where('companyId', '=', scope);
        if (!(await q.executeTakeFirst())) throw new AppError('not_found', 'No such booking.');
        return { status: 200, body: await bookingDetail(db, config, params.id, now()) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/bookings/:id/confirm',
      operationId: 'confirmBooking',
      summary: 'Confirm a booking',
      tags,
      auth: 'hr',
      params: idParams,
      body: z.object({}).strict().optional(),
      responses: { 200: { description: 'Confirmed', schema: bookingDetailSchema } },
      handler: async ({ params, principal, meta }) => {
        const booking = await confirmBooking(deps, companyScope(principal), params.id, hrActor(principal, meta));
        return { status: 200, body: await bookingDetail(db, config, booking.id, now()) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/bookings/:id/cancel',
      operationId: 'cancelBooking',
      summary: 'Cancel a booking: frees the seat, cancels the interview, records the reason, e-mails METHOD:CANCEL',
      tags,
      auth: 'hr',
      params: idParams,
      body: cancelBookingBody,
      responses: { 200: { description: 'Cancelled', schema: bookingDetailSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const booking = await cancelBooking(
          deps,
          companyScope(principal),
          params.id,
          body.reason,
          hrActor(principal, meta),
        );
        return { status: 200, body: await bookingDetail(db, config, booking.id, now()) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/bookings/:id/reschedule',
      operationId: 'rescheduleBooking',
      summary: 'Move a booking to another slot; bumps the link version so the old link stops working',
      tags,
      auth: 'hr',
      params: idParams,
      body: rescheduleBookingBody,
      responses: { 200: { description: 'Moved', schema: bookingDetailSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const booking = await rescheduleBooking(
          deps,
          companyScope(principal),
          params.id,
          body.slotId,
          hrActor(principal, meta),
        );
        return { status: 200, body: await bookingDetail(db, config, booking.id, now()) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/emails',
      operationId: 'listInterviewEmails',
      summary: 'Delivery status of every e-mail about an interview',
      tags,
      auth: 'hr',
      access: 'recruit',
      params: idParams,
      responses: { 200: { description: 'E-mails', schema: z.object({ items: z.array(emailStatusSchema) }) } },
      handler: async ({ params, principal }) => {
        const scope = companyScope(principal);
        let q = db.selectFrom('interviews').select('id').where('id', '=', params.id);
        if (scope) q = q.where('companyId', '=', scope);
        if (!(await q.executeTakeFirst())) throw new AppError('not_found', 'No such interview.');
        return { status: 200, body: { items: await emailsOf(db, { interviewId: params.id }) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scheduling/conflicts',
      operationId: 'listConflicts',
      summary: 'List scheduling conflicts, newest first',
      tags,
      auth: 'hr',
      query: listConflictsQuery,
      responses: { 200: { description: 'A page of conflicts', schema: conflictPage } },
      handler: async ({ query, principal }) => {
        const scope = companyScope(principal);
        let q = db.selectFrom('schedulingConflicts').selectAll();
        if (scope) q = q.where('companyId', '=', scope);
        if (query.status) q = q.where('status', '=', query.status);
        if (query.kind) q = q.where('kind', '=', query.kind);
        return {
          status: 200,
          body: toPage(await paginate(q, 'scheduling_conflicts', query.cursor, query.limit).execute(), query.limit),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/scheduling/conflicts/:id/resolve',
      operationId: 'resolveConflict',
      summary: 'Resolve a conflict by rebooking, cancelling the booking, or dismissing it; audited',
      tags,
      auth: 'hr',
      params: idParams,
      body: resolveConflictBody,
      responses: { 200: { description: 'Resolved', schema: conflictSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const scope = companyScope(principal);
        let q = db.selectFrom('schedulingConflicts').selectAll().where('id', '=', params.id);
        if (scope) q = q.where('companyId', '=', scope);
        const conflict = await q.executeTakeFirst();
        if (!conflict) throw new AppError('not_found', 'No such conflict.');
        if (conflict.status !== 'open') throw new AppError('invalid_state', 'This conflict is already resolved.');
        if (body.action !== 'dismiss' && !conflict.bookingId) {
          throw new AppError('validation_failed', 'This conflict has no booking to rebook or cancel; dismiss it.', {
            errors: [{ path: 'body.action', message: 'Only dismiss applies' }],
          });
        }
        const actor = hrActor(principal, meta);
        // The booking change runs first, with its own checks (capacity, state) and audit; the conflict closes after.
        if (body.action === 'rebook') await rescheduleBooking(deps, scope, conflict.bookingId!, body.slotId, actor);
        if (body.action === 'cancel')
          await cancelBooking(deps, scope, conflict.bookingId!, body.note ?? 'conflict_resolution', actor);
        const resolution = ({ rebook: 'rebooked', cancel: 'cancelled', dismiss: 'dismissed' } as const)[body.action];
        const resolved = await db.transaction().execute(async (trx) => {
          const row = await trx
            .updateTable('schedulingConflicts')
            .set({ status: 'resolved', resolution, resolutionNote: body.note ?? null, resolvedAt: now() })
            .where('id', '=', conflict.id)
            .where('status', '=', 'open')
            .returningAll()
            .executeTakeFirst();
          if (!row) throw new AppError('invalid_state', 'This conflict is already resolved.');
          await recordAudit(trx, actor.audit, {
            companyId: row.companyId,
            action: `scheduling.conflict.${resolution}`,
            targetType: 'scheduling_conflict',
            targetId: row.id,
            details: { kind: row.kind, bookingId: row.bookingId, note: body.note ?? null },
          });
          return row;
        });
        return { status: 200, body: resolved };
      },
    }),
  ];
}
