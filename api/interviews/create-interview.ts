// Creating an interview, one way for every caller: HR's POST /v1/interviews and a booked slot (HR's booking or the
// candidate's own). The row, its first timeline entry and the interview.created event go into the caller's
// transaction; the question plan comes from Gemini (or the template bank), which must never run while the caller
// holds locks.
import type { Kysely } from 'kysely';
import type { Candidate, Database, Interview, Job } from '../../shared/db/schema.ts';
import { interviewCreatedEvent, recordEvent } from '../../shared/events/outbox.ts';
import type { AppDeps } from '../deps.ts';
import type { TaskDefinition } from '../jobs/runner.ts';
import { generatePlan, type GeneratedPlan, type PlanInput } from '../plans/plan-generator.ts';
import { writePlan } from '../plans/plans.repository.ts';
import { insertInterview, type NewInterview } from './interviews.repository.ts';

/** Everything a plan is generated from. */
export function planInputOf(
  job: Pick<Job, 'title' | 'description' | 'codingLanguage' | 'competencies'>,
  candidate: Pick<Candidate, 'resumeText'>,
  interview: Pick<NewInterview, 'type' | 'maxDurationMinutes' | 'language'>,
  custom: PlanInput['custom'] = [],
): PlanInput {
  return {
    type: interview.type,
    jobTitle: job.title,
    jobDescription: job.description,
    codingLanguage: job.codingLanguage,
    competencies: job.competencies,
    resumeText: candidate.resumeText,
    maxDurationMinutes: interview.maxDurationMinutes,
    language: interview.language,
    custom,
  };
}

/** The plan for a new interview; generate it before (or after) the transaction that creates the interview. */
export function planForNewInterview(
  deps: Pick<AppDeps, 'config' | 'log'>,
  job: Job,
  candidate: Candidate,
  interview: Pick<NewInterview, 'type' | 'maxDurationMinutes' | 'language'>,
  custom: PlanInput['custom'] = [],
): Promise<GeneratedPlan> {
  return generatePlan(deps.config.scoring, planInputOf(job, candidate, interview, custom), deps.log);
}

/**
 * Inserts a scheduled interview (fresh room code), its first timeline entry and the interview.created event, in the
 * caller's transaction. `actor` is the timeline's actor: `api_key:<id>` or `candidate`.
 */
export async function insertScheduledInterview(
  trx: Kysely<Database>,
  roomPrefix: string,
  values: NewInterview,
  actor: string,
): Promise<Interview> {
  const created = await insertInterview(trx, values, roomPrefix);
  await trx
    .insertInto('interviewStatusEvents')
    .values({ interviewId: created.id, fromStatus: null, toStatus: 'scheduled', actor })
    .execute();
  await recordEvent(trx, interviewCreatedEvent(created));
  return created;
}

/**
 * For interviews created under a lock that must not wait on a model (a booking holds its slot's seat): generates
 * the plan after the caller's transaction committed and writes it while the interview is still scheduled and has
 * no plan yet. Never throws: a failure is logged and the interview keeps the agent's template-bank fallback.
 */
export async function writePlanAfterCommit(
  deps: Pick<AppDeps, 'db' | 'config' | 'log'>,
  interview: Interview,
  job: Job,
  candidate: Candidate,
): Promise<boolean> {
  try {
    const plan = await planForNewInterview(deps, job, candidate, interview);
    const written = await deps.db.transaction().execute(async (trx) => {
      // The interview row's lock orders this against a start (which freezes the plan) and HR's plan edits.
      const row = await trx
        .selectFrom('interviews')
        .select('status')
        .where('id', '=', interview.id)
        .forUpdate()
        .executeTakeFirst();
      if (row?.status !== 'scheduled') return false;
      const existing = await trx
        .selectFrom('interviewPlanQuestions')
        .select('questionId')
        .where('interviewId', '=', interview.id)
        .limit(1)
        .executeTakeFirst();
      if (existing) return false;
      await writePlan(trx, interview.id, plan.source, plan.questions);
      return true;
    });
    if (!written) deps.log.info({ interviewId: interview.id }, 'question plan not written: already there or started');
    return written;
  } catch (error) {
    deps.log.error(
      { err: error, interviewId: interview.id },
      'question plan not written; the agent will use the template bank',
    );
    return false;
  }
}

/** The `generate-plan` job a booking adds in its transaction: the plan is written once the booking has committed. */
export function generatePlanTask(deps: Pick<AppDeps, 'db' | 'config' | 'log'>): TaskDefinition<{ interviewId: string }> {
  return {
    // Plan generation falls back to the template bank on a model failure; the bound is for a model that hangs.
    timeoutMs: 120_000,
    async run({ interviewId }) {
      const interview = await deps.db.selectFrom('interviews').selectAll().where('id', '=', interviewId).executeTakeFirst();
      if (!interview) return;
      const [job, candidate] = await Promise.all([
        deps.db.selectFrom('jobs').selectAll().where('id', '=', interview.jobId).executeTakeFirstOrThrow(),
        deps.db.selectFrom('candidates').selectAll().where('id', '=', interview.candidateId).executeTakeFirstOrThrow(),
      ]);
      await writePlanAfterCommit(deps, interview, job, candidate);
    },
  };
}
