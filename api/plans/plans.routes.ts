import { z } from 'zod';
import type { Competency, Interview } from '../../shared/db/schema.ts';
import { planSource, type PlanQuestion } from '../../shared/plans/plan.schema.ts';
import { fixedOverheadSeconds, templateAnchors } from '../../shared/question-bank.ts';
import { actorFromPrincipal, recordAudit } from '../audit/audit-log.ts';
import type { Principal } from '../auth/principal.ts';
import { companyScope } from '../auth/principal.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../http/problem.ts';
import { defineRoute, type RequestMeta } from '../http/route.ts';
import { idParams } from '../http/schemas.ts';
import { findInterview } from '../interviews/interviews.repository.ts';
import { readPlan, regeneratedPlan, regeneratedQuestions, writePlan } from './plans.repository.ts';
import { addQuestionBody, planSchema, questionParams, replacePlanBody, updateQuestionBody } from './plans.schemas.ts';

const tags = ['Question plans'];

export function planBody(interview: Interview, rows: PlanQuestion[], fallbackReason?: string) {
  const totalSeconds = rows.reduce((t, q) => t + q.timeBudgetSeconds, 0);
  return {
    interviewId: interview.id,
    source: planSource(rows),
    questionCount: rows.length,
    totalSeconds,
    fitsDuration: totalSeconds + fixedOverheadSeconds <= interview.maxDurationMinutes * 60,
    frozen: interview.status !== 'scheduled',
    ...(fallbackReason ? { fallbackReason } : {}),
    questions: rows,
  };
}

export function planRoutes(deps: AppDeps) {
  const { db, config, log } = deps;

  /**
   * Changes a plan inside one transaction that holds the interview row, so the plan cannot change under an
   * interview that is starting: once it leaves `scheduled` the plan is frozen.
   */
  async function changePlan(
    principal: Principal,
    meta: RequestMeta,
    id: string,
    action: string,
    change: (questions: PlanQuestion[], interview: Interview) => Promise<Omit<PlanQuestion, 'position'>[]>,
  ) {
    return db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('interviews').selectAll().where('id', '=', id).forUpdate();
      const scope = companyScope(principal);
      if (scope) q = q.where('companyId', '=', scope);
      const interview = await q.executeTakeFirst();
      if (!interview) throw new AppError('not_found', 'No such interview.');
      if (interview.status !== 'scheduled') {
        throw new AppError('invalid_state', `The plan is frozen: the interview is ${interview.status}.`);
      }
      const current = await readPlan(trx, interview.id);
      const next = await change(current, interview);
      const ids = next.map((n) => n.questionId);
      if (new Set(ids).size !== ids.length) throw new AppError('validation_failed', 'Question ids must be unique.');
      await writePlan(trx, interview.id, next);
      await recordAudit(trx, actorFromPrincipal(principal, meta), {
        companyId: interview.companyId,
        action,
        targetType: 'interview',
        targetId: interview.id,
        details: { questionCount: next.length },
      });
      return planBody(interview, await readPlan(trx, interview.id));
    });
  }

  const nextCustomId = (questions: { questionId: string }[]) => {
    let n = questions.filter((q) => q.questionId.startsWith('q-custom-')).length + 1;
    while (questions.some((q) => q.questionId === `q-custom-${n}`)) n++;
    return `q-custom-${n}`;
  };

  async function assertCompetency(interview: Interview, key: string | null): Promise<void> {
    if (!key) return;
    const job = await db.selectFrom('jobs').select('competencies').where('id', '=', interview.jobId).executeTakeFirstOrThrow();
    const competency = (job.competencies as Competency[]).find((c) => c.key === key);
    if (!competency) {
      throw new AppError('validation_failed', `The job has no competency "${key}".`, {
        errors: [{ path: 'body.competencyKey', message: 'Not a competency of the job' }],
      });
    }
  }

  /** The bank's anchors for HR's question, in the interview's language; the key must be one of the job's. */
  async function anchorsFor(interview: Interview, key: string | null): Promise<string[]> {
    await assertCompetency(interview, key);
    return templateAnchors(interview.type, interview.language, key ? 'competency' : 'general');
  }

  return [
    defineRoute({
      method: 'get',
      path: '/v1/interviews/:id/plan',
      operationId: 'getPlan',
      summary: 'The question plan, with each question\'s competency, anchors and time budget',
      tags,
      auth: 'hr',
      params: idParams,
      responses: { 200: { description: 'The plan', schema: planSchema } },
      handler: async ({ params, principal }) => {
        const interview = await findInterview(db, companyScope(principal), params.id);
        if (!interview) throw new AppError('not_found', 'No such interview.');
        return { status: 200, body: planBody(interview, await readPlan(db, interview.id)) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/interviews/:id/plan',
      operationId: 'replacePlan',
      summary: 'Replace the plan with HR\'s questions (existing ones may be kept by id)',
      tags,
      auth: 'hr',
      params: idParams,
      body: replacePlanBody,
      responses: { 200: { description: 'The new plan', schema: planSchema } },
      handler: async ({ params, body, principal, meta }) => ({
        status: 200,
        body: await changePlan(principal, meta, params.id, 'plan.replace', async (current, interview) => {
          const result: Omit<PlanQuestion, 'position'>[] = [];
          for (const q of body.questions) {
            const kept = q.questionId ? current.find((c) => c.questionId === q.questionId) : undefined;
            if (q.questionId && !kept) throw new AppError('validation_failed', `No question "${q.questionId}" in this plan.`);
            const anchors = await anchorsFor(interview, q.competencyKey);
            const unchanged = kept && kept.text === q.text;
            result.push({
              questionId: kept?.questionId ?? nextCustomId([...current, ...result]),
              text: q.text,
              competencyKey: q.competencyKey,
              timeBudgetSeconds: q.timeBudgetSeconds,
              anchors: q.anchors ?? (unchanged ? kept.anchors : anchors),
              kind: unchanged ? kept.kind : 'custom',
              verbatim: unchanged ? kept.verbatim : q.verbatim,
              resumeSpecific: unchanged ? kept.resumeSpecific : false,
              source: unchanged ? kept.source : 'hr',
              // A kept coding question keeps its problem, whatever HR makes of the words introducing it.
              ...(kept?.coding ? { coding: kept.coding } : {}),
            });
          }
          return result;
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/interviews/:id/plan/questions',
      operationId: 'addPlanQuestion',
      summary: 'Attach a custom question, asked word for word',
      tags,
      auth: 'hr',
      params: idParams,
      body: addQuestionBody,
      responses: { 201: { description: 'The plan with the new question', schema: planSchema } },
      handler: async ({ params, body, principal, meta }) => ({
        status: 201,
        body: await changePlan(principal, meta, params.id, 'plan.question.add', async (current, interview) => {
          const question: Omit<PlanQuestion, 'position'> = {
            questionId: nextCustomId(current),
            text: body.text,
            competencyKey: body.competencyKey,
            timeBudgetSeconds: body.timeBudgetSeconds,
            anchors: await anchorsFor(interview, body.competencyKey),
            kind: 'custom',
            verbatim: true,
            resumeSpecific: false,
            source: 'hr',
          };
          const at = Math.min(body.position ?? current.length, current.length);
          return [...current.slice(0, at), question, ...current.slice(at)];
        }),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/interviews/:id/plan/questions/:questionId',
      operationId: 'updatePlanQuestion',
      summary: 'Edit one question; edited wording becomes HR\'s own',
      tags,
      auth: 'hr',
      params: questionParams,
      body: updateQuestionBody,
      responses: { 200: { description: 'The updated plan', schema: planSchema } },
      handler: async ({ params, body, principal, meta }) => ({
        status: 200,
        body: await changePlan(principal, meta, params.id, 'plan.question.update', async (current, interview) => {
          const existing = current.find((q) => q.questionId === params.questionId);
          if (!existing) throw new AppError('not_found', 'No such question in this plan.');
          if (body.competencyKey !== undefined) await assertCompetency(interview, body.competencyKey);
          const reworded = body.text !== undefined && body.text !== existing.text;
          return current.map((q) =>
            q.questionId === existing.questionId
              ? { ...q, ...body, ...(reworded ? { kind: 'custom' as const, source: 'hr', resumeSpecific: false } : {}) }
              : q,
          );
        }),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/interviews/:id/plan/questions/:questionId',
      operationId: 'deletePlanQuestion',
      summary: 'Remove one question from the plan',
      tags,
      auth: 'hr',
      params: questionParams,
      responses: { 200: { description: 'The plan without the question', schema: planSchema } },
      handler: async ({ params, principal, meta }) => ({
        status: 200,
        body: await changePlan(principal, meta, params.id, 'plan.question.delete', async (current) => {
          if (!current.some((q) => q.questionId === params.questionId)) throw new AppError('not_found', 'No such question in this plan.');
          if (current.length === 1) throw new AppError('conflict', 'A plan needs at least one question.');
          return current.filter((q) => q.questionId !== params.questionId);
        }),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/interviews/:id/plan/regenerate',
      operationId: 'regeneratePlan',
      summary: 'Generate the plan again from the job, résumé, type and duration; HR\'s custom questions are kept',
      tags,
      auth: 'hr',
      params: idParams,
      body: z.object({}).strict().optional(),
      responses: { 200: { description: 'The new plan', schema: planSchema } },
      handler: async ({ params, principal, meta }) => {
        const existing = await findInterview(db, companyScope(principal), params.id);
        if (!existing) throw new AppError('not_found', 'No such interview.');
        if (existing.status !== 'scheduled') {
          throw new AppError('invalid_state', `The plan is frozen: the interview is ${existing.status}.`);
        }
        // Generated before the transaction: a model call (seconds) must not hold the interview row, which a
        // candidate joining waits on.
        const plan = await regeneratedPlan(db, existing.id, { settings: config.scoring, log });
        if (!plan) throw new AppError('invalid_state', 'The plan is frozen: the interview is closed.');
        const body = await changePlan(principal, meta, params.id, 'plan.regenerate', async (current) =>
          regeneratedQuestions(current, plan),
        );
        return { status: 200, body: plan.fallbackReason ? { ...body, fallbackReason: plan.fallbackReason } : body };
      },
    }),
  ];
}
