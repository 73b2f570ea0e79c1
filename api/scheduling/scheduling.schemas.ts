import { z } from 'zod';
import { bookingStatuses, conflictKinds, emailStatuses, slotStatuses } from '../../shared/db/schema.ts';
import { companyIdField, isoTimestamp, page } from '../http/schemas.ts';
import { interviewStatus, interviewType, languageMode } from '../interviews/interviews.schemas.ts';
import { languageCode } from '../jobs/jobs.schemas.ts';
import { isValidLocalDate, isValidTimezone, parseLocalTime } from './slot-times.ts';

export const timezone = z
  .string()
  .max(64)
  .refine(isValidTimezone, 'must be an IANA timezone such as Europe/London or Asia/Dubai')
  .meta({ example: 'Asia/Dubai' });

export const localDate = z
  .string()
  .refine(isValidLocalDate, 'must be a date as yyyy-mm-dd')
  .meta({ example: '2026-12-01' });

const localTime = z
  .string()
  .refine((v) => parseLocalTime(v) !== null, 'must be a local time as HH:MM (24:00 allowed as an end)')
  .meta({ example: '09:00' });

const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const slotSettingsSchema = z
  .object({
    language: languageCode.optional().meta({ description: "Default: the job's language" }),
    languageMode: languageMode.optional().meta({
      description:
        "Default: 'fixed'. 'candidate': the booked interview lets the candidate pick one of the company's enabled " +
        "languages on the join page; until they do, it would be held in `language` (or the job's)",
    }),
    maxDurationMinutes: z.number().int().min(5).max(240).optional().meta({ description: 'Default: the slot length' }),
    instructions: z.string().trim().max(5_000).optional(),
  })
  .strict()
  .meta({ id: 'SlotSettings' });

const weekday = z.number().int().min(1).max(7).meta({ description: 'ISO weekday: 1 = Monday … 7 = Sunday' });

const configFields = {
  interviewType,
  weekday,
  startTime: localTime,
  endTime: localTime,
  slotMinutes: z.number().int().min(5).max(480),
  breakMinutes: z.number().int().min(0).max(240).default(0),
  capacity: z.number().int().min(1).max(1000).meta({ description: 'Interviews the company runs at once in a slot' }),
  validFrom: localDate,
  validUntil: localDate.nullable().default(null),
  timezone: timezone.optional().meta({ description: "Default: the company's scheduling timezone" }),
  settings: slotSettingsSchema.default({}),
};

function checkConfig(
  v: { startTime: string; endTime: string; slotMinutes: number; validFrom: string; validUntil: string | null },
  ctx: z.RefinementCtx,
) {
  const start = parseLocalTime(v.startTime)!;
  const end = parseLocalTime(v.endTime)!;
  if (start >= 1440) ctx.addIssue({ code: 'custom', path: ['startTime'], message: 'must be before 24:00' });
  if (end <= start) ctx.addIssue({ code: 'custom', path: ['endTime'], message: 'must be after startTime' });
  else if (end - start < v.slotMinutes)
    ctx.addIssue({ code: 'custom', path: ['slotMinutes'], message: 'longer than the window' });
  if (v.validUntil && v.validUntil < v.validFrom)
    ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'before validFrom' });
}

export const createConfigBody = z
  .object({ companyId: companyIdField, ...configFields })
  .strict()
  .superRefine(checkConfig)
  .meta({ id: 'CreateAvailabilityConfig' });

export const updateConfigBody = z
  .object(configFields)
  .strict()
  .superRefine(checkConfig)
  .meta({ id: 'UpdateAvailabilityConfig' });

export const configSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    interviewType,
    weekday: z.number().int(),
    startTime: z.string(),
    endTime: z.string(),
    slotMinutes: z.number().int(),
    breakMinutes: z.number().int(),
    capacity: z.number().int(),
    validFrom: z.string(),
    validUntil: z.string().nullable(),
    timezone: z.string(),
    settings: slotSettingsSchema,
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .meta({ id: 'AvailabilityConfig' });

export const slotSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    configId: z.uuid().nullable(),
    interviewType,
    startsAt: isoTimestamp,
    endsAt: isoTimestamp,
    localStart: z.string().meta({ description: 'Start in the requested (or the slot’s) timezone, with its offset' }),
    localEnd: z.string(),
    timezone: z.string(),
    capacity: z.number().int(),
    booked: z.number().int(),
    available: z.number().int(),
    status: z.enum(slotStatuses),
  })
  .meta({ id: 'Slot' });

export const generationReportSchema = z
  .object({
    created: z.number().int().meta({ description: 'Slots inserted by this run; 0 when run again' }),
    removed: z.number().int().meta({ description: 'Unbooked slots that no longer match their configuration' }),
    affectedBookedSlots: z
      .array(slotSchema)
      .meta({ description: 'Booked slots that no longer match; kept for their bookings and recorded as conflicts' }),
    overlapConflicts: z.number().int(),
  })
  .meta({ id: 'SlotGenerationReport' });

export const configWithReport = configSchema
  .extend({ generation: generationReportSchema })
  .meta({ id: 'AvailabilityConfigWithReport' });

export const configPage = page(configSchema, 'AvailabilityConfigPage');

export const generateBody = z.object({ companyId: companyIdField }).strict().meta({ id: 'GenerateSlots' });

export const createSlotBody = z
  .object({
    companyId: companyIdField,
    interviewType,
    startsAt: instant,
    endsAt: instant,
    capacity: z.number().int().min(1).max(1000),
    timezone: timezone.optional(),
    settings: slotSettingsSchema.default({}),
  })
  .strict()
  .refine((v) => v.endsAt > v.startsAt, { message: 'must be after startsAt', path: ['endsAt'] })
  .meta({ id: 'CreateSlot' });

export const searchSlotsQuery = z
  .object({
    interviewType: interviewType.optional(),
    from: instant,
    to: instant,
    tz: timezone.optional().meta({ description: 'Timezone to display local times in; default each slot’s own' }),
    onlyAvailable: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(200).optional(),
  })
  .refine((v) => v.to > v.from, { message: 'must be after from', path: ['to'] })
  .refine((v) => v.to.getTime() - v.from.getTime() <= 366 * 86_400_000, { message: 'at most a year', path: ['to'] });

export const slotPage = page(slotSchema, 'SlotPage');

export const createBlockBody = z
  .object({
    companyId: companyIdField,
    interviewType: interviewType.optional().meta({ description: 'Default: every type' }),
    slotId: z.uuid().optional().meta({ description: 'Block this one slot (startsAt/endsAt are then taken from it)' }),
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    reason: z.string().trim().max(500).default(''),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.slotId) return;
    if (!v.startsAt) ctx.addIssue({ code: 'custom', path: ['startsAt'], message: 'required without slotId' });
    if (!v.endsAt) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'required without slotId' });
    if (v.startsAt && v.endsAt && v.endsAt <= v.startsAt)
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  })
  .meta({ id: 'CreateBlock' });

export const blockSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    interviewType: interviewType.nullable(),
    slotId: z.uuid().nullable(),
    startsAt: isoTimestamp,
    endsAt: isoTimestamp,
    reason: z.string(),
    createdAt: isoTimestamp,
  })
  .meta({ id: 'ScheduleBlock' });

export const blockWithReport = blockSchema
  .extend({
    blockedSlots: z.number().int(),
    affectedBookings: z
      .array(z.uuid())
      .meta({ description: 'Bookings in blocked slots; each is recorded as a conflict' }),
  })
  .meta({ id: 'ScheduleBlockWithReport' });

export const blockPage = page(blockSchema, 'ScheduleBlockPage');

export const settingsBody = z
  .object({
    companyId: companyIdField,
    timezone: timezone.optional(),
    locale: z.enum(['en', 'ar']).optional(),
    brandName: z.string().trim().min(1).max(200).nullable().optional(),
    logoUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .nullable()
      .optional(),
    replyTo: z.email().max(320).nullable().optional(),
  })
  .strict()
  .meta({ id: 'UpdateSchedulingSettings' });

export const settingsSchema = z
  .object({
    companyId: z.uuid(),
    timezone: z.string(),
    locale: z.enum(['en', 'ar']),
    brandName: z.string().nullable(),
    logoUrl: z.string().nullable(),
    replyTo: z.string().nullable(),
  })
  .meta({ id: 'SchedulingSettings' });

export const companyQuery = z.object({ companyId: companyIdField });

// Bookings.

export const createBookingBody = z
  .object({
    slotId: z.uuid(),
    candidateId: z.uuid(),
    jobId: z.uuid(),
    interviewId: z
      .uuid()
      .optional()
      .meta({ description: 'Attach an existing scheduled interview instead of creating one' }),
    candidateTimezone: timezone.optional().meta({ description: "For the e-mail; default the company's" }),
    locale: z.enum(['en', 'ar']).optional().meta({ description: "E-mail language; default the company's" }),
  })
  .strict()
  .meta({ id: 'CreateBooking' });

export const emailStatusSchema = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    status: z.enum(emailStatuses),
    attempts: z.number().int(),
    sendAt: isoTimestamp,
    sentAt: isoTimestamp.nullable(),
    lastError: z.string().nullable(),
  })
  .meta({ id: 'EmailDeliveryStatus' });

export const bookingSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    slotId: z.uuid(),
    interviewId: z.uuid(),
    candidateId: z.uuid(),
    jobId: z.uuid(),
    interviewType,
    status: z.enum(bookingStatuses),
    source: z.enum(['hr', 'candidate']),
    candidateTimezone: z.string().nullable(),
    locale: z.enum(['en', 'ar']),
    icsSequence: z.number().int(),
    reschedules: z.number().int(),
    cancelReason: z.string().nullable(),
    confirmedAt: isoTimestamp.nullable(),
    cancelledAt: isoTimestamp.nullable(),
    startsAt: isoTimestamp,
    endsAt: isoTimestamp,
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .meta({ id: 'Booking' });

const signedLink = z.object({
  url: z.url(),
  version: z.number().int(),
  validFrom: isoTimestamp,
  expiresAt: isoTimestamp,
});

export const bookingDetailSchema = bookingSchema
  .extend({
    roomCode: z.string(),
    joinUrl: z.url(),
    signedLink,
    emails: z.array(emailStatusSchema).meta({ description: 'Delivery status of every e-mail about this booking' }),
  })
  .meta({ id: 'BookingDetail' });

export const bookingPage = page(bookingSchema, 'BookingPage');

export const listBookingsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  status: z.enum(bookingStatuses).optional(),
  slotId: z.uuid().optional(),
  candidateId: z.uuid().optional(),
});

export const cancelBookingBody = z
  .object({ reason: z.string().trim().min(1).max(500).default('cancelled_by_hr') })
  .strict()
  .meta({ id: 'CancelBooking' });

export const rescheduleBookingBody = z.object({ slotId: z.uuid() }).strict().meta({ id: 'RescheduleBooking' });

// Conflicts.

export const conflictSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    kind: z.enum(conflictKinds),
    slotId: z.uuid().nullable(),
    bookingId: z.uuid().nullable(),
    details: z.record(z.string(), z.unknown()),
    status: z.enum(['open', 'resolved']),
    resolution: z.enum(['rebooked', 'cancelled', 'dismissed']).nullable(),
    resolutionNote: z.string().nullable(),
    resolvedAt: isoTimestamp.nullable(),
    createdAt: isoTimestamp,
  })
  .meta({ id: 'SchedulingConflict' });

export const conflictPage = page(conflictSchema, 'SchedulingConflictPage');

export const listConflictsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  status: z.enum(['open', 'resolved']).optional(),
  kind: z.enum(conflictKinds).optional(),
});

export const resolveConflictBody = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('rebook'), slotId: z.uuid(), note: z.string().trim().max(500).optional() }).strict(),
    z.object({ action: z.literal('cancel'), note: z.string().trim().max(500).optional() }).strict(),
    z.object({ action: z.literal('dismiss'), note: z.string().trim().max(500).optional() }).strict(),
  ])
  .meta({ id: 'ResolveConflict' });

// Calendar.

export const calendarQuery = z
  .object({
    companyId: companyIdField,
    from: localDate,
    to: localDate,
    by: z.enum(['day', 'week']).default('day'),
    interviewType: interviewType.optional(),
  })
  .refine((v) => v.to >= v.from, { message: 'must not be before from', path: ['to'] });

export const calendarSchema = z
  .object({
    timezone: z.string(),
    by: z.enum(['day', 'week']),
    buckets: z.array(
      z.object({
        start: z.string().meta({ description: 'Local date the day or ISO week (Monday) starts on' }),
        slots: z.number().int(),
        capacity: z.number().int(),
        booked: z.number().int(),
        free: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'SchedulingCalendar' });

// Agenda: one range (a week) of slots and bookings with the open conflicts that touch them, for a calendar.

/** At most six weeks: a month view with its edges; a week is the usual ask. */
const agendaMaxDays = 42;

export const agendaQuery = z
  .object({
    companyId: companyIdField,
    from: localDate.meta({ description: "First local day, in the company's scheduling timezone" }),
    to: localDate.meta({ description: 'Last local day, inclusive' }),
  })
  .refine((v) => v.to >= v.from, { message: 'must not be before from', path: ['to'] })
  .refine((v) => Date.parse(v.to) - Date.parse(v.from) < agendaMaxDays * 86_400_000, {
    message: `at most ${agendaMaxDays} days`,
    path: ['to'],
  });

const conflictIds = z
  .array(z.uuid())
  .meta({ description: 'Open conflicts (see `conflicts`) this item is part of; empty when none' });

export const agendaSchema = z
  .object({
    timezone: z.string().meta({ description: "The company's scheduling timezone; local times and days are in it" }),
    from: z.string(),
    to: z.string(),
    slots: z
      .array(slotSchema.extend({ conflictIds }))
      .meta({ description: 'Slots starting in the range, in time order; removed ones only while they hold a booking' }),
    bookings: z
      .array(
        bookingSchema.extend({
          candidateName: z.string(),
          jobTitle: z.string(),
          interviewStatus: interviewStatus,
          conflictIds,
        }),
      )
      .meta({ description: 'Active (not cancelled) bookings starting in the range, in time order' }),
    conflicts: z
      .array(conflictSchema)
      .meta({ description: 'Open conflicts that concern a slot or a booking of the range' }),
    truncated: z.boolean().meta({ description: 'More slots than one answer carries (5,000); ask for fewer days' }),
  })
  .meta({ id: 'SchedulingAgenda' });

export type CreateConfigBody = z.infer<typeof createConfigBody>;
export type UpdateConfigBody = z.infer<typeof updateConfigBody>;
export type SearchSlotsQuery = z.infer<typeof searchSlotsQuery>;
