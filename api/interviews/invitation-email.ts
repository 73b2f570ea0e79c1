// The invitation HR's POST /v1/interviews sends the candidate: the same template and calendar invite a booking's
// invitation uses (api/email), in the interview's language. It is written after the interview has committed, in a
// transaction of its own, so an e-mail that cannot be queued never undoes the interview: HR sees why in the response.
// An interview whose candidate chooses its language says so in each language offered (issue 17).
import type { Kysely } from 'kysely';
import type { Database, Interview } from '../../shared/db/schema.ts';
import type { Logger } from '../../shared/logger.ts';
import { formatRoomCode } from '../../shared/room-code.ts';
import type { ApiConfig } from '../config.ts';
import { addressOf, buildInvite } from '../email/ics.ts';
import { emailLanguageChoices } from '../email/language-choices.ts';
import { enqueueEmail } from '../email/queue.ts';
import { renderInterviewEmail } from '../email/templates.ts';
import { schedulingSettings } from '../scheduling/settings.repository.ts';
import { joinUrlFor, signedLinkFor } from './links.ts';

export type InvitationOutcome =
  | { status: 'queued'; emailId: string; to: string; locale: 'en' | 'ar' }
  | { status: 'skipped'; reason: 'notify_false' | 'not_scheduled' | 'no_email' }
  | { status: 'failed'; reason: 'email_unavailable' };

export interface InvitationRequest {
  /** What HR asked for; when absent, an interview HR scheduled is announced and one starting now is not. */
  notify: boolean | undefined;
  scheduled: boolean;
}

export async function sendInterviewInvitation(
  deps: { db: Kysely<Database>; config: ApiConfig; log: Logger },
  interview: Interview,
  candidate: { firstName: string; lastName: string; email: string | null },
  jobTitle: string,
  request: InvitationRequest,
  now: Date,
): Promise<InvitationOutcome> {
  if (request.notify === false) return { status: 'skipped', reason: 'notify_false' };
  if (request.notify === undefined && !request.scheduled) return { status: 'skipped', reason: 'not_scheduled' };
  if (!candidate.email) return { status: 'skipped', reason: 'no_email' };
  const to = candidate.email;
  const locale = interview.language === 'ar' ? 'ar' : 'en';
  try {
    const emailId = await deps.db.transaction().execute(async (trx) => {
      const settings = await schedulingSettings(trx, interview.companyId);
      if (!settings) throw new Error(`company ${interview.companyId} vanished`);
      const link = signedLinkFor(interview, deps.config, now);
      const rendered = renderInterviewEmail('invitation', {
        locale,
        companyName: settings.brandName ?? settings.companyName,
        logoUrl: settings.logoUrl,
        candidateFirstName: candidate.firstName,
        jobTitle,
        startsAt: interview.scheduledStart,
        endsAt: interview.scheduledEnd,
        // HR's interviews carry no candidate time zone (a booking asks for one): the company's is shown for both.
        candidateTimezone: settings.timezone,
        companyTimezone: settings.timezone,
        durationMinutes: interview.maxDurationMinutes,
        joinUrl: joinUrlFor(interview, deps.config),
        linkUrl: link.url,
        roomCode: formatRoomCode(interview.roomCode),
        languageChoices: await emailLanguageChoices(trx, deps.config.speech, interview),
      });
      const ics = buildInvite({
        interviewId: interview.id,
        sequence: 0,
        method: 'REQUEST',
        startsAt: interview.scheduledStart,
        endsAt: interview.scheduledEnd,
        title: rendered.subject,
        description: rendered.text,
        url: link.url,
        organizer: addressOf(deps.config.email.from),
        attendee: { name: `${candidate.firstName} ${candidate.lastName}`, email: to },
      });
      return enqueueEmail(trx, {
        companyId: interview.companyId,
        interviewId: interview.id,
        kind: 'invitation',
        to,
        replyTo: settings.replyTo,
        ...rendered,
        ics,
        sendAt: now,
      });
    });
    return { status: 'queued', emailId, to, locale };
  } catch (error) {
    deps.log.warn({ err: error, interviewId: interview.id }, 'invitation e-mail not queued; the interview stands');
    return { status: 'failed', reason: 'email_unavailable' };
  }
}
