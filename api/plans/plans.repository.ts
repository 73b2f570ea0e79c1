import type { Kysely } from 'kysely';
import type { Database, InterviewStatus } from '../../shared/db/schema.ts';
import { terminalStatuses } from '../../shared/interview-status.ts';
import type { Logger } from '../../shared/logger.ts';
import { codingProblemSchema } from '../../shared/coding/coding.schema.ts';
import { planQuestionSchema, type PlanInput, type PlanQuestion, type QuestionPlan } from '../../shared/plans/plan.schema.ts';
import { AppError } from '../http/problem.ts';
import type { LlmSettings } from '../llm/client.ts';
import { generatePlan, planInputOf, templatePlan } from './plan-generator.ts';

// The one module that writes question plans: the HR API (creating an interview, editing or regenerating its plan),
// a booking's plan written after its commit, and the agent when it finds an interview without a plan all write
// through here, so a stored plan has one shape whoever wrote it.

export async function readPlan(db: Kysely<Database>, interviewId: string): Promise<PlanQuestion[]> {
  const rows = await db
    .selectFrom('interviewPlanQuestions')
    .select(['questionId', 'position', 'text', 'competencyKey', 'timeBudgetSeconds', 'anchors', 'kind', 'verbatim', 'resumeSpecific', 'source', 'coding'])
    .where('interviewId', '=', interviewId)
    .orderBy('position')
    .execute();
  // Written through `writePlan` with the same schema, so a problem that does not parse here is a bug.
  return rows.map(({ coding, ...q }) => (coding == null ? q : { ...q, coding: codingProblemSchema.parse(coding) }));
}

export async function planQuestionCount(db: Kysely<Database>, interviewId: string): Promise<number> {
  const row = await db
    .selectFrom('interviewPlanQuestions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('interviewId', '=', interviewId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const storedQuestions = planQuestionSchema.omit({ position: true }).array();

/**
 * Replaces an interview's plan with these questions, in this order: positions are rewritten from the order, so they
 * stay dense and unique. The caller holds the interview row (the plan may only change while it is scheduled).
 */
export async function writePlan(
  trx: Kysely<Database>,
  interviewId: string,
  questions: readonly Omit<PlanQuestion, 'position'>[],
): Promise<void> {
  // Whoever writes, the stored questions meet the schema the API serves them with; one that does not is a bug.
  const parsed = storedQuestions.parse(questions);
  await trx.deleteFrom('interviewPlanQuestions').where('interviewId', '=', interviewId).execute();
  if (parsed.length === 0) return;
  await trx
    .insertInto('interviewPlanQuestions')
    .values(
      parsed.map((q, position) => ({
        interviewId,
        questionId: q.questionId,
        position,
        competencyKey: q.competencyKey,
        text: q.text,
        timeBudgetSeconds: q.timeBudgetSeconds,
        anchors: JSON.stringify(q.anchors),
        kind: q.kind,
        verbatim: q.verbatim,
        resumeSpecific: q.resumeSpecific,
        source: q.source,
        coding: q.coding ? JSON.stringify(q.coding) : null,
      })),
    )
    .execute();
}

const open = (status: InterviewStatus | undefined) => status !== undefined && !terminalStatuses.includes(status);

/** A model for the plan, or none: then the plan comes from the template bank. */
export type PlanModel = { settings: LlmSettings; log: Logger } | null;

/**
 * The interview's plan. One that has none yet (its plan is normally written when it is created or booked) gets one
 * now, generated from the interview as it stands, and written only while it is open and still has none: whoever
 * comes first writes, the others read that plan back. The model is never called while the interview row is held.
 */
export async function ensurePlan(
  db: Kysely<Database>,
  interviewId: string,
  model: PlanModel,
): Promise<{ questions: PlanQuestion[]; written: boolean }> {
  const stored = await readPlan(db, interviewId);
  if (stored.length > 0) return { questions: stored, written: false };
  const plan = await generateFor(db, interviewId, model);
  if (!plan) return { questions: [], written: false };
  const written = await db.transaction().execute(async (trx) => {
    // The interview row's lock orders this against a start, a cancellation, HR's plan edits and another writer.
    const row = await trx.selectFrom('interviews').select('status').where('id', '=', interviewId).forUpdate().executeTakeFirst();
    if (!open(row?.status)) return false;
    const existing = await trx
      .selectFrom('interviewPlanQuestions')
      .select('questionId')
      .where('interviewId', '=', interviewId)
      .limit(1)
      .executeTakeFirst();
    if (existing) return false;
    await writePlan(trx, interviewId, plan.questions);
    return true;
  });
  return { questions: await readPlan(db, interviewId), written };
}

/** A plan generated again, and HR's own questions as it kept them. */
export type RegeneratedPlan = QuestionPlan & { keptCustom: string };

const customQuestionsKey = (plan: PlanQuestion[]) =>
  JSON.stringify(
    plan.filter((q) => q.kind === 'custom').map((q) => [q.questionId, q.text, q.competencyKey, q.timeBudgetSeconds]),
  );

/**
 * A new plan for an open interview, generated from it as it stands with HR's custom questions kept, for the caller
 * to write with `writeRegeneratedPlan` while it holds the interview row. The model is called here, before any row is
 * held. `change` is what the caller is about to change on the interview (its language), so the plan is the one for
 * the interview as it will be. Undefined for an interview that is gone or closed.
 */
export async function regeneratedPlan(
  db: Kysely<Database>,
  interviewId: string,
  model: PlanModel,
  change: { language?: string } = {},
): Promise<RegeneratedPlan | undefined> {
  const current = await readPlan(db, interviewId);
  const custom = current
    .filter((q) => q.kind === 'custom')
    .map((q) => ({ text: q.text, competencyKey: q.competencyKey, timeBudgetSeconds: q.timeBudgetSeconds }));
  const plan = await generateFor(db, interviewId, model, custom, change);
  return plan && { ...plan, keptCustom: customQuestionsKey(current) };
}

/**
 * The questions of a regenerated plan, as they replace `current` (the plan now, read while the interview row is
 * held). HR's own questions edited during the model call would be lost or brought back by writing it: a 409 instead,
 * and the caller's whole change is refused with it.
 */
export function regeneratedQuestions(current: PlanQuestion[], plan: RegeneratedPlan): QuestionPlan['questions'] {
  if (customQuestionsKey(current) !== plan.keptCustom) {
    throw new AppError('conflict', "HR's own questions changed while the plan was generated; try again.");
  }
  return plan.questions;
}

/** Writes a regenerated plan under the interview row's lock, unless HR's own questions changed meanwhile (409). */
export async function writeRegeneratedPlan(trx: Kysely<Database>, interviewId: string, plan: RegeneratedPlan) {
  await writePlan(trx, interviewId, regeneratedQuestions(await readPlan(trx, interviewId), plan));
}

async function generateFor(
  db: Kysely<Database>,
  interviewId: string,
  model: PlanModel,
  custom: PlanInput['custom'] = [],
  change: { language?: string } = {},
): Promise<QuestionPlan | undefined> {
  const row = await db
    .selectFrom('interviews as i')
    .innerJoin('jobs as j', 'j.id', 'i.jobId')
    .innerJoin('candidates as p', 'p.id', 'i.candidateId')
    .select([
      'i.status',
      'i.type',
      'i.maxDurationMinutes',
      'i.language',
      'j.title',
      'j.description',
      'j.codingLanguage',
      'j.competencies',
      'p.resumeText',
    ])
    .where('i.id', '=', interviewId)
    .executeTakeFirst();
  // A closed interview gets no plan; it is not worth a model call.
  if (!row || !open(row.status)) return undefined;
  const input = planInputOf(row, row, { ...row, ...change }, custom);
  return model ? generatePlan(model.settings, input, model.log) : templatePlan(input);
}
