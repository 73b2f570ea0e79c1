import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import { recordEvent } from '../../shared/events/outbox.ts';
import { recordAudit, type AuditActor } from '../audit/audit-log.ts';
import type { AppDeps } from '../deps.ts';
import { enqueueEmail } from '../email/queue.ts';
import { AppError } from '../http/problem.ts';
import { consumeRateLimits } from '../public/rate-limit.ts';
import { refKey, resolve, type InterviewRef } from '../public/candidate-session.ts';
import { alternativeRecipients } from './alternative.repository.ts';
import type { AlternativeRequestBody } from './alternative.schemas.ts';
import { renderAlternativeAlert } from './hr-email.ts';

/**
 * The candidate asks for another way to be interviewed. The request is recorded once per interview: the first one
 * tells HR (an e-mail to each recipient, the `interview.alternative_requested` webhook) in the same transaction, so
 * HR hears of it exactly when it exists; a second one changes nothing and says so. The interview itself is left as it
 * is: only HR cancels or reschedules. Any status is accepted, so the Done page can ask too.
 */
export async function requestAlternative(
  deps: AppDeps,
  ref: InterviewRef,
  body: AlternativeRequestBody,
  actor: AuditActor,
): Promise<{ requestedAt: Date; alreadyRecorded: boolean }> {
  const { config } = deps;
  await consumeRateLimits(
    deps.db,
    [
      { key: `alternative:ip:${actor.ip}`, limit: config.rateLimits.perIp },
      { key: `alternative:${refKey(ref)}`, limit: config.rateLimits.perCode },
    ],
    config.rateLimits.windowSeconds,
    deps.now(),
  );
  const interview = await resolve(deps, ref);
  if (!interview) throw new AppError('not_found', 'No interview matches this code or link.');
  const now = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('alternativeRequests')
      .values({
        interviewId: interview.id,
        companyId: interview.companyId,
        reason: body.reason || null,
        contact: body.contact || null,
        requestedAt: now,
      })
      .onConflict((oc) => oc.column('interviewId').doNothing())
      .returning('requestedAt')
      .executeTakeFirst();
    if (!inserted) {
      const existing = await trx
        .selectFrom('alternativeRequests')
        .select('requestedAt')
        .where('interviewId', '=', interview.id)
        .executeTakeFirstOrThrow();
      return { requestedAt: existing.requestedAt, alreadyRecorded: true };
    }
    await recordAudit(trx, actor, {
      companyId: interview.companyId,
      action: 'interview.alternative_requested',
      targetType: 'interview',
      targetId: interview.id,
      // The fact, never the candidate's words.
      details: { withReason: Boolean(body.reason), withContact: Boolean(body.contact) },
    });
    await recordEvent(trx, {
      companyId: interview.companyId,
      type: 'interview.alternative_requested',
      payload: {
        interviewId: interview.id,
        jobId: interview.jobId,
        candidateId: interview.candidateId,
        requestedAt: inserted.requestedAt.toISOString(),
        links: { interview: `/v1/interviews/${interview.id}` },
      },
    });
    await notifyHr(trx, deps, { ...interview, ...body }, now);
    return { requestedAt: inserted.requestedAt, alreadyRecorded: false };
  });
}

async function notifyHr(
  trx: Kysely<Database>,
  deps: AppDeps,
  request: {
    id: string;
    companyId: string;
    candidateId: string;
    companyName: string;
    jobTitle: string;
    scheduledStart: Date;
    reason?: string | undefined;
    contact?: string | undefined;
  },
  now: Date,
): Promise<void> {
  const recipients = await alternativeRecipients(trx, request.companyId);
  if (recipients.length === 0) return;
  const candidate = await trx
    .selectFrom('candidates')
    .select(['firstName', 'lastName', 'email'])
    .where('id', '=', request.candidateId)
    .executeTakeFirstOrThrow();
  const company = await trx
    .selectFrom('companies')
    .select(['defaultLanguage', 'timezone'])
    .where('id', '=', request.companyId)
    .executeTakeFirstOrThrow();
  const { subject, text, html } = renderAlternativeAlert({
    locale: company.defaultLanguage === 'ar' ? 'ar' : 'en',
    candidateName: `${candidate.firstName} ${candidate.lastName}`,
    jobTitle: request.jobTitle,
    scheduledStart: request.scheduledStart,
    companyTimezone: company.timezone,
    reason: request.reason || null,
    contact: request.contact || null,
    link: `${deps.config.publicBaseUrl}/hr/interviews/${request.id}`,
  });
  for (const to of recipients) {
    await enqueueEmail(trx, {
      companyId: request.companyId,
      interviewId: request.id,
      kind: 'hr.alternative_requested',
      to,
      // A reply goes to the candidate when they gave an address HR can write to.
      replyTo: candidate.email,
      subject,
      text,
      html,
      sendAt: now,
    });
  }
}
