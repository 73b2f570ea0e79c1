import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { formatRoomCode } from '../../shared/room-code.ts';
import type { ApiConfig } from '../config.ts';
import type { CandidateCancelReason } from '../interviews/candidate-end-reason.ts';
import { joinUrlFor, signedLinkFor } from '../interviews/links.ts';
import { invitationUrl } from '../scheduling/invitation-token.ts';
import { schedulingSettings } from '../scheduling/settings.repository.ts';
import { addressOf, buildInvite } from './ics.ts';
import { emailLanguageChoices } from './language-choices.ts';
import { scheduleEmail } from './sender.ts';
import { renderInterviewEmail, type EmailKind, type InterviewEmailContext } from './templates.ts';

// Enqueuing e-mails. Always called inside the transaction that books, moves or cancels, so a message exists
// exactly when the change does; sending happens later in a job (api/email/sender.ts), so an SMTP failure can never fail a booking.

export interface NewEmail {
  companyId: string;
  interviewId?: string | null;
  bookingId?: string | null;
  kind: string;
  to: string;
  replyTo: string | null;
  subject: string;
  text: string;
  html: string;
  ics?: string | null;
  sendAt: Date;
}

export async function enqueueEmail(trx: Kysely<Database>, email: NewEmail): Promise<string> {
  const row = await trx
    .insertInto('emailMessages')
    .values({
      companyId: email.companyId,
      interviewId: email.interviewId ?? null,
      bookingId: email.bookingId ?? null,
      kind: email.kind,
      toAddress: email.to,
      replyTo: email.replyTo,
      subject: email.subject,
      textBody: email.text,
      htmlBody: email.html,
      ics: email.ics ?? null,
      sendAt: email.sendAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await scheduleEmail(trx, row.id, email.sendAt);
  return row.id;
}

/** Reminders written for the old time must not go out after a reschedule or cancellation. */
export async function cancelPendingReminders(trx: Kysely<Database>, bookingId: string): Promise<void> {
  await trx
    .updateTable('emailMessages')
    .set({ status: 'cancelled', updatedAt: new Date() })
    .where('bookingId', '=', bookingId)
    .where('kind', 'like', 'reminder%')
    .where('status', '=', 'pending')
    .execute();
}

async function loadBookingContext(trx: Kysely<Database>, bookingId: string) {
  return trx
    .selectFrom('bookings as b')
    .innerJoin('interviews as i', 'i.id', 'b.interviewId')
    .innerJoin('candidates as c', 'c.id', 'b.candidateId')
    .innerJoin('jobs as j', 'j.id', 'b.jobId')
    .selectAll('i')
    .select([
      'b.id as bookingId',
      'b.locale as bookingLocale',
      'b.candidateTimezone',
      'b.icsSequence',
      'b.source as bookingSource',
      'b.interviewType',
      'c.firstName',
      'c.lastName',
      'c.email as candidateEmail',
      'j.title as jobTitle',
    ])
    .where('b.id', '=', bookingId)
    .executeTakeFirstOrThrow();
}

/**
 * Writes the e-mail for a booking change (invitation, update or cancellation, each with its calendar invite) and,
 * unless cancelled, one reminder per configured offset that is still in the future. A candidate without an
 * e-mail address gets none; HR sees that as an empty delivery list on the booking.
 */
export async function enqueueBookingEmails(
  trx: Kysely<Database>,
  config: ApiConfig,
  bookingId: string,
  kind: 'invitation' | 'update' | 'cancellation',
  now: Date,
  /** For a cancellation: who cancelled, as the candidate is told. The booking's own reason is HR's, never sent. */
  cancelledBy?: CandidateCancelReason,
): Promise<void> {
  const b = await loadBookingContext(trx, bookingId);
  if (kind !== 'invitation') await cancelPendingReminders(trx, bookingId);
  if (!b.candidateEmail) return;
  const settings = (await schedulingSettings(trx, b.companyId))!;
  const link = signedLinkFor(b, config, now);
  // A booking the candidate made is theirs to move or cancel: its e-mails carry the page they booked on.
  const invitation =
    b.bookingSource === 'candidate' && kind !== 'cancellation'
      ? await trx
          .selectFrom('schedulingInvitations')
          .select(['id', 'expiresAt'])
          .where('candidateId', '=', b.candidateId)
          .where('jobId', '=', b.jobId)
          .where('interviewType', '=', b.interviewType)
          .where('revokedAt', 'is', null)
          .orderBy('createdAt', 'desc')
          .executeTakeFirst()
      : undefined;
  const companyName = settings.brandName ?? settings.companyName;
  const ctx: InterviewEmailContext = {
    locale: b.bookingLocale,
    companyName,
    logoUrl: settings.logoUrl,
    candidateFirstName: b.firstName,
    jobTitle: b.jobTitle,
    startsAt: b.scheduledStart,
    endsAt: b.scheduledEnd,
    candidateTimezone: b.candidateTimezone ?? settings.timezone,
    companyTimezone: settings.timezone,
    durationMinutes: b.maxDurationMinutes,
    joinUrl: joinUrlFor(b, config),
    linkUrl: link.url,
    roomCode: formatRoomCode(b.roomCode),
    languageChoices: await emailLanguageChoices(trx, config.speech, b),
    ...(cancelledBy ? { cancelReason: cancelledBy } : {}),
    manageUrl: invitation
      ? invitationUrl(
          { publicBaseUrl: config.publicBaseUrl, secret: config.links.secret },
          invitation.id,
          invitation.expiresAt,
        )
      : undefined,
  };
  const rendered = renderInterviewEmail(kind, ctx);
  const ics = buildInvite({
    interviewId: b.id,
    sequence: b.icsSequence,
    method: kind === 'cancellation' ? 'CANCEL' : 'REQUEST',
    startsAt: b.scheduledStart,
    endsAt: b.scheduledEnd,
    title: rendered.subject,
    description: rendered.text,
    url: link.url,
    organizer: addressOf(config.email.from),
    attendee: { name: `${b.firstName} ${b.lastName}`, email: b.candidateEmail },
  });
  const base = {
    companyId: b.companyId,
    interviewId: b.id,
    bookingId,
    to: b.candidateEmail,
    replyTo: settings.replyTo,
  };
  await enqueueEmail(trx, { ...base, kind, ...rendered, ics, sendAt: now });
  if (kind === 'cancellation') return;
  for (const minutes of config.scheduling.reminderOffsetsMinutes) {
    const sendAt = new Date(b.scheduledStart.getTime() - minutes * 60_000);
    if (sendAt <= now) continue;
    const reminder = renderInterviewEmail('reminder', { ...ctx, minutesBefore: minutes });
    await enqueueEmail(trx, { ...base, kind: `reminder_${minutes}m`, ...reminder, sendAt });
  }
}

export type { EmailKind };
