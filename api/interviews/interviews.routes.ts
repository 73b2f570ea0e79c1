import { endInterview } from '../../shared/interview-lifecycle.ts';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { actorLabel, companyScope } from '../auth/principal.ts';
import { findCandidate } from '../candidates/candidates.repository.ts';
import { refuseErasedCandidate } from '../data-rights/erasure.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute } from '../http/route.ts';
import { idParams } from '../http/schemas.ts';
import { findJob } from '../jobs/jobs.repository.ts';
import { insertScheduledInterview, planForNewInterview } from './create-interview.ts';
import { requireInterviewVoice } from './interview-voice.ts';
import { joinWindow, windowState } from './join-window.ts';
import { bumpLinkVersion, findInterview, interviewTimeline, listInterviews } from './interviews.repository.ts';
import {
  cancelInterviewBody,
  createdInterviewSchema,
  createInterviewBody,
  interviewDetailSchema,
  interviewPage,
  interviewLinkSchema,
  interviewSchema,
  interviewWithPlanSchema,
  listInterviewsQuery,
  regeneratedLinkSchema,
  regenerateLinkBody,
  updateInterviewLanguageBody,
} from './interviews.schemas.ts';
import { releaseCancelledInterviews } from '../scheduling/maintenance.ts';
import {
  planQuestionCount,
  readPlan,
  regeneratedPlan,
  writePlan,
  writeRegeneratedPlan,
  type RegeneratedPlan,
} from '../plans/plans.repository.ts';
import { planBody } from '../plans/plans.routes.ts';
import { sendInterviewInvitation } from './invitation-email.ts';
import { interviewToApi, signedLinkFor } from './links.ts';

const tags = ['Interviews'];

export function interviewRoutes({ db, config, livekit, log, now }: AppDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/interviews',
      operationId: 'createInterview',
      summary: 'Create an interview for a candidate and a job; issues its room code and signed link',
      tags,
      auth: 'hr',
      body: createInterviewBody,
      responses: { 201: { description: 'Created', schema: createdInterviewSchema } },
      handler: async ({ body, principal, meta }) => {
        const scope = companyScope(principal);
        const [candidate, job] = await Promise.all([
          findCandidate(db, scope, body.candidateId),
          findJob(db, scope, body.jobId),
        ]);
        if (!candidate) throw new AppError('not_found', 'No such candidate.');
        if (!job) throw new AppError('not_found', 'No such job.');
        await refuseErasedCandidate(db, candidate);
        if (candidate.companyId !== job.companyId) {
          // Only an admin can get here; a company key already saw 404 for the other tenant's record.
          throw new AppError('validation_failed', 'The candidate and the job belong to different companies.', {
            errors: [{ path: 'body.jobId', message: "Not in the candidate's company" }],
          });
        }
        const start = body.scheduledStart ?? now();
        const end = body.scheduledEnd ?? new Date(start.getTime() + body.maxDurationMinutes * 60_000);
        if (end <= start) {
          throw new AppError('validation_failed', 'The interview must end after it starts.', {
            errors: [{ path: 'body.scheduledEnd', message: 'must be after scheduledStart' }],
          });
        }
        // An interview whose join window has already closed could only expire: nobody could ever join it.
        const window = joinWindow({ scheduledStart: start, scheduledEnd: end }, config.links);
        if (windowState(window, now()) === 'closed') {
          // The end is the field to fix; when it was not given it follows from the start.
          const field = body.scheduledEnd ? 'scheduledEnd' : 'scheduledStart';
          throw new AppError('validation_failed', 'The join window for this schedule has already closed.', {
            errors: [
              {
                path: `body.${field}`,
                message: `the join window would have closed at ${window.closesAt.toISOString()} (${config.links.windowAfterMinutes} minutes after the end)`,
              },
            ],
          });
        }
        for (const [i, q] of body.customQuestions.entries()) {
          if (q.competencyKey && !job.competencies.some((c) => c.key === q.competencyKey)) {
            throw new AppError('validation_failed', `The job has no competency "${q.competencyKey}".`, {
              errors: [{ path: `body.customQuestions.${i}.competencyKey`, message: 'Not a competency of the job' }],
            });
          }
        }
        // A language with no voice here is refused now, not discovered when the candidate is in the call.
        const language = body.language ?? job.language;
        requireInterviewVoice(config.speech, language, {
          path: 'body.language',
          ...(body.language ? {} : { inheritedFrom: "the job's language" }),
        });
        // Generated before the transaction: a model call must not hold database locks.
        const plan = await planForNewInterview({ config, log }, job, candidate, { ...body, language }, body.customQuestions);
        const interview = await db.transaction().execute(async (trx) => {
          const created = await insertScheduledInterview(
            trx,
            config.livekit.roomPrefix,
            {
              companyId: job.companyId,
              jobId: job.id,
              candidateId: candidate.id,
              type: body.type,
              maxDurationMinutes: body.maxDurationMinutes,
              instructions: body.instructions,
              language,
              languageMode: body.languageMode ?? 'fixed',
              scheduledStart: start,
              scheduledEnd: end,
            },
            actorLabel(principal),
          );
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: created.companyId,
            action: 'interview.create',
            targetType: 'interview',
            targetId: created.id,
          });
          await writePlan(trx, created.id, plan.questions);
          return created;
        });
        const planRows = await readPlan(db, interview.id);
        const invitation = await sendInterviewInvitation(
          { db, config, log },
          interview,
          candidate,
          job.title,
          { notify: body.notify, scheduled: body.scheduledStart !== undefined },
          now(),
        );
        return {
          status: 201,
          body: {
            ...interviewToApi(interview, config),
            candidateName: `${candidate.firstName} ${candidate.lastName}`,
            jobTitle: job.title,
            signedLink: signedLinkFor(interview, config, now()),
            plan: planBody(interview, planRows, plan.fallbackReason),
            invitation,
          },
          headers: { Location: `/v1/interviews/${interview.id}` },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews',
      operationId: 'listInterviews',
      summary: 'List interviews, newest first, with filters',
      tags,
      auth: 'hr',
      query: listInterviewsQuery,
      responses: { 200: { description: 'A page of interviews', schema: interviewPage } },
      handler: async ({ query, principal }) => {
        const result = await listInterviews(db, companyScope(principal), query);
        return { status: 200, body: { ...result, items: result.items.map((i) => interviewToApi(i, config)) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id',
      operationId: 'getInterview',
      summary: 'Get an interview with its status timeline',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'The interview', schema: interviewDetailSchema } },
      handler: async ({ params, principal }) => {
        const interview = await findInterview(db, companyScope(principal), params.id);
        if (!interview) throw new AppError('not_found', 'No such interview.');
        const timeline = await interviewTimeline(db, interview.id);
        return {
          status: 200,
          body: {
            ...interviewToApi(interview, config),
            timeline: timeline.map((t) => ({
              from: t.fromStatus,
              to: t.toStatus,
              reason: t.reason,
              note: t.note,
              actor: t.actor,
              at: t.at,
            })),
          },
        };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/interviews/:id',
      operationId: 'updateInterviewLanguage',
      summary:
        "Change a scheduled interview's language or language mode. A new language rewrites the question plan in it " +
        "(HR's own questions kept word for word; other edits to the plan are replaced); an invitation already sent " +
        'is not sent again',
      tags,
      auth: 'hr',
      params: idParams,
      body: updateInterviewLanguageBody,
      responses: { 200: { description: 'The interview and its plan', schema: interviewWithPlanSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const scope = companyScope(principal);
        const started = (status: string) =>
          new AppError('invalid_state', `The language is settled: the interview is ${status}.`);
        const existing = await findInterview(db, scope, params.id);
        if (!existing) throw new AppError('not_found', 'No such interview.');
        if (existing.status !== 'scheduled') throw started(existing.status);
        if (body.language !== undefined) {
          const { enabledLanguages } = await db
            .selectFrom('companies')
            .select('enabledLanguages')
            .where('id', '=', existing.companyId)
            .executeTakeFirstOrThrow();
          if (!enabledLanguages.includes(body.language)) {
            throw new AppError('validation_failed', `Your company does not offer "${body.language}".`, {
              errors: [{ path: 'body.language', message: `not one of the company's languages (${enabledLanguages.join(', ')})` }],
            });
          }
          requireInterviewVoice(config.speech, body.language, { path: 'body.language' });
        }
        const language = body.language ?? existing.language;
        // Generated before the transaction: a model call must not hold the interview row.
        const plan =
          language === existing.language
            ? undefined
            : await regeneratedPlan(db, existing.id, { settings: config.scoring, log }, { language });
        if (language !== existing.language && !plan) throw started('closed');
        const interview = await db.transaction().execute(async (trx) => {
          let q = trx.selectFrom('interviews').selectAll().where('id', '=', existing.id).forUpdate();
          if (scope) q = q.where('companyId', '=', scope);
          const row = await q.executeTakeFirst();
          if (!row) throw new AppError('not_found', 'No such interview.');
          // The row is held: a start between the generation and here keeps the language and plan it started with.
          if (row.status !== 'scheduled') throw started(row.status);
          const languageMode = body.languageMode ?? row.languageMode;
          const updated = await trx
            .updateTable('interviews')
            // HR's change starts the candidate's choice over: in 'candidate' mode they pick again on their next join.
            .set({ language, languageMode, languageChosenAt: null, updatedAt: new Date() })
            .where('id', '=', row.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          if (plan) await writeRegeneratedPlan(trx, row.id, plan);
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: row.companyId,
            action: 'interview.language.change',
            targetType: 'interview',
            targetId: row.id,
            details: {
              from: { language: row.language, languageMode: row.languageMode },
              to: { language, languageMode },
              ...(plan ? { questionCount: plan.questions.length } : {}),
            },
          });
          return updated;
        });
        const rows = await readPlan(db, interview.id);
        return {
          status: 200,
          body: { ...interviewToApi(interview, config), plan: planBody(interview, rows, plan?.fallbackReason) },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/interviews/:id/cancel',
      operationId: 'cancelInterview',
      summary: 'Cancel an interview; closes its room if it is open',
      tags,
      auth: 'hr',
      params: idParams,
      body: cancelInterviewBody,
      responses: { 200: { description: 'The cancelled interview', schema: interviewSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const scope = companyScope(principal);
        const existing = await findInterview(db, scope, params.id);
        if (!existing) throw new AppError('not_found', 'No such interview.');
        const { interview: cancelled, ended } = await endInterview(db, existing.id, 'cancelled_by_hr', {
          actor: actorLabel(principal),
          note: body.reason ?? null,
          now: now(),
          alsoInTransaction: (trx, row) =>
            recordAudit(trx, actorFromPrincipal(principal, meta), {
              companyId: row.companyId,
              action: 'interview.cancel',
              targetType: 'interview',
              targetId: row.id,
              details: { reason: body.reason ?? null },
            }),
        });
        if (!ended || !cancelled) {
          throw new AppError('invalid_state', `An interview that is ${cancelled?.status ?? existing.status} cannot be cancelled.`);
        }
        // A booked slot gets its seat back now, and the candidate's calendar a cancellation, rather than on the
        // scheduling chore's next pass.
        await releaseCancelledInterviews({ db, config }, now()).catch((error: unknown) => {
          log.warn({ err: error, interviewId: cancelled.id }, 'seat not released yet; the scheduling chore will');
        });
        if (cancelled.roomCreatedAt) {
          // The status is already final; if LiveKit is down now, the reconciler deletes the room later.
          await livekit.deleteRoom(cancelled.roomName).catch((error: unknown) => {
            log.warn({ err: error, interviewId: cancelled.id }, 'could not delete room of cancelled interview');
          });
        }
        return { status: 200, body: interviewToApi(cancelled, config) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/link',
      operationId: 'getInterviewLink',
      summary: 'Get the current signed link with its validity',
      tags,
      auth: 'hr',
      access: 'recruit',
      params: idParams,
      responses: { 200: { description: 'The signed link', schema: interviewLinkSchema } },
      handler: async ({ params, principal }) => {
        const interview = await findInterview(db, companyScope(principal), params.id);
        if (!interview) throw new AppError('not_found', 'No such interview.');
        const questionCount = await planQuestionCount(db, interview.id);
        return { status: 200, body: { ...signedLinkFor(interview, config, now()), questionCount } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/interviews/:id/link/regenerate',
      operationId: 'regenerateInterviewLink',
      summary: 'Issue a new signed link; every older link stops working. Optionally generate the question plan again',
      tags,
      auth: 'hr',
      params: idParams,
      body: regenerateLinkBody.optional(),
      responses: { 200: { description: 'The new signed link', schema: regeneratedLinkSchema } },
      handler: async ({ params, body, principal, meta }) => {
        const scope = companyScope(principal);
        const frozen = (status: string) =>
          new AppError('invalid_state', `The questions are frozen: the interview is ${status}. The link was not changed.`);
        let plan: RegeneratedPlan | undefined;
        if (body?.regenerateQuestions) {
          const existing = await findInterview(db, scope, params.id);
          if (!existing) throw new AppError('not_found', 'No such interview.');
          if (existing.status !== 'scheduled') throw frozen(existing.status);
          // Generated before the transaction: a model call must not hold the interview row.
          plan = await regeneratedPlan(db, existing.id, { settings: config.scoring, log });
          if (!plan) throw frozen('closed');
        }
        const interview = await db.transaction().execute(async (trx) => {
          let q = trx.selectFrom('interviews').selectAll().where('id', '=', params.id).forUpdate();
          if (scope) q = q.where('companyId', '=', scope);
          const existing = await q.executeTakeFirst();
          if (!existing) throw new AppError('not_found', 'No such interview.');
          // The row is held: a start between the generation and here leaves the plan as it was.
          if (plan && existing.status !== 'scheduled') throw frozen(existing.status);
          const bumped = await bumpLinkVersion(trx, existing.id);
          if (plan) await writeRegeneratedPlan(trx, existing.id, plan);
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: bumped.companyId,
            action: 'interview.link.regenerate',
            targetType: 'interview',
            targetId: bumped.id,
            details: { version: bumped.linkVersion, ...(plan ? { questionCount: plan.questions.length } : {}) },
          });
          return bumped;
        });
        const link = signedLinkFor(interview, config, now());
        if (!plan) return { status: 200, body: { ...link, questionCount: await planQuestionCount(db, interview.id) } };
        const rows = await readPlan(db, interview.id);
        return {
          status: 200,
          body: { ...link, questionCount: rows.length, plan: planBody(interview, rows, plan.fallbackReason) },
        };
      },
    }),
  ];
}
