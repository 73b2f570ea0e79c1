// Creating an interview, one way for every caller: HR's POST /v1/interviews and a booked slot (HR's booking or the
// candidate's own). The row, its first timeline entry and the interview.created event go into the caller's
// transaction; the question plan comes from Gemini (or the template bank), which must never run while the caller
// holds locks.
import type { Kysely } from 'kysely';
import type { Candidate, Database, Interview, Job } from '../../shared/db/schema.ts';
import { interviewCreatedEvent, recordEvent } from '../../shared/events/outbox.ts';
import type { PlanInput, QuestionPlan } from '../../shared/plans/plan.schema.ts';
import type { AppDeps } from '../deps.ts';
import type { TaskDefinition } from '../jobs/runner.ts';
import { generatePlan, planInputOf } from '../plans/plan-generator.ts';
import { ensurePlan } from '../plans/plans.repository.ts';
import { insertInterview, type NewInterview } from './interviews.repository.ts';

/** The plan for a new interview; generate it before (or after) the transaction that creates the interview. */
export function planForNewInterview(
  deps: Pick<AppDeps, 'config' | 'log'>,
  job: Job,
  candidate: Candidate,
  interview: Pick<NewInterview, 'type' | 'maxDurationMinutes' | 'language'>,
  custom: PlanInput['custom'] = [],
): Promise<QuestionPlan> {
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
 * The `generate-plan` job a booking adds in its transaction: the plan is written once the booking has committed, so
 * the slot's seat is never held while a model writes it, and only while the interview is open and has none. A model
 * failure gives the template bank; any other failure is retried by the runner, and an interview that starts before
 * its plan is written gets the template plan from the agent, through the same `ensurePlan`.
 */
export function generatePlanTask(deps: Pick<AppDeps, 'db' | 'config' | 'log'>): TaskDefinition<{ interviewId: string }> {
  return {
    // The bound is for a model that hangs.
    timeoutMs: 120_000,
    async run({ interviewId }) {
      const { written } = await ensurePlan(deps.db, interviewId, { settings: deps.config.scoring, log: deps.log });
      if (!written) deps.log.info({ interviewId }, 'question plan not written: already there, or the interview closed');
    },
  };
}
