import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import { actorLabel, companyScope } from '../auth/principal.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute, type RequestMeta } from '../http/route.ts';
import { idParams } from '../http/schemas.ts';
import { findInterview } from '../interviews/interviews.repository.ts';
import { codeParams, linkParams } from '../public/public.schemas.ts';
import type { InterviewRef } from '../public/candidate-session.ts';
import { findAlternativeRequest } from './alternative.repository.ts';
import {
  alternativeRecordedSchema,
  alternativeRequestBody,
  alternativeRequestSchema,
  interviewAlternativeSchema,
  type AlternativeRequestBody,
} from './alternative.schemas.ts';
import { requestAlternative } from './request-alternative.ts';

const candidateActor = (meta: RequestMeta) => ({ type: 'candidate' as const, id: null, ip: meta.ip, userAgent: meta.userAgent });

const recordedResponses = {
  201: { description: 'Recorded; HR is told by e-mail and webhook', schema: alternativeRecordedSchema },
  200: { description: 'Already recorded for this interview; nothing new was sent', schema: alternativeRecordedSchema },
};

export function alternativeRoutes(deps: AppDeps) {
  const { db } = deps;

  async function recorded(ref: InterviewRef, body: AlternativeRequestBody, meta: RequestMeta) {
    const result = await requestAlternative(deps, ref, body, candidateActor(meta));
    return {
      status: result.alreadyRecorded ? (200 as const) : (201 as const),
      body: result,
      headers: { 'Cache-Control': 'no-store' },
    };
  }

  async function ownInterview(principal: Parameters<typeof companyScope>[0], id: string) {
    const interview = await findInterview(db, companyScope(principal), id);
    if (!interview) throw new AppError('not_found', 'No such interview.');
    return interview;
  }

  const publicTags = ['Candidate (public)'];
  const summary =
    'The candidate asks for another way to be interviewed; cancels nothing (HR decides). Once per interview: a second ' +
    'request answers 200 with the first one';
  return [
    defineRoute({
      method: 'post',
      path: '/v1/public/rooms/:code/alternative',
      operationId: 'requestAlternativeByCode',
      summary,
      tags: publicTags,
      auth: 'public',
      params: codeParams,
      body: alternativeRequestBody,
      responses: recordedResponses,
      handler: ({ params, body, meta }) => recorded({ kind: 'code', code: params.code }, body, meta),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/public/links/:token/alternative',
      operationId: 'requestAlternativeByLink',
      summary,
      tags: publicTags,
      auth: 'public',
      params: linkParams,
      body: alternativeRequestBody,
      responses: recordedResponses,
      handler: ({ params, body, meta }) => recorded({ kind: 'link', token: params.token }, body, meta),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/alternative-request',
      operationId: 'getAlternativeRequest',
      summary: "The candidate's request for another way to be interviewed, if they made one",
      tags: ['Interviews'],
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'The request, or null', schema: interviewAlternativeSchema } },
      handler: async ({ params, principal }) => {
        const interview = await ownInterview(principal, params.id);
        return { status: 200, body: { request: (await findAlternativeRequest(db, interview.id)) ?? null } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/interviews/:id/alternative-request/handled',
      operationId: 'markAlternativeHandled',
      summary:
        'Mark the request handled (HR arranged the alternative or answered the candidate); the interview itself is not changed. ' +
        'Marking it again keeps the first time and person',
      tags: ['Interviews'],
      auth: 'hr',
      access: 'recruit',
      params: idParams,
      responses: { 200: { description: 'The request', schema: alternativeRequestSchema } },
      handler: async ({ params, principal, meta }) => {
        const interview = await ownInterview(principal, params.id);
        await db.transaction().execute(async (trx) => {
          const marked = await trx
            .updateTable('alternativeRequests')
            .set({ handledAt: deps.now(), handledBy: actorLabel(principal), handledByUserId: principal.userId })
            .where('interviewId', '=', interview.id)
            .where('handledAt', 'is', null)
            .returning('interviewId')
            .executeTakeFirst();
          if (!marked) return;
          await recordAudit(trx, actorFromPrincipal(principal, meta), {
            companyId: interview.companyId,
            action: 'interview.alternative_handled',
            targetType: 'interview',
            targetId: interview.id,
          });
        });
        const request = await findAlternativeRequest(db, interview.id);
        if (!request) throw new AppError('not_found', 'The candidate has not asked for another way to be interviewed.');
        return { status: 200, body: request };
      },
    }),
  ];
}
