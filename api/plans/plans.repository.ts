import type { Kysely } from 'kysely';
import type { Database } from '../../shared/db/schema.ts';
import type { PlanQuestionDraft } from './plan-generator.ts';

export async function readPlan(db: Kysely<Database>, interviewId: string) {
  return db
    .selectFrom('interviewPlanQuestions')
    .select(['questionId', 'position', 'text', 'competencyKey', 'timeBudgetSeconds', 'anchors', 'kind', 'verbatim', 'resumeSpecific', 'source'])
    .where('interviewId', '=', interviewId)
    .orderBy('position')
    .execute();
}

export type StoredPlanQuestion = Awaited<ReturnType<typeof readPlan>>[number];

/** Replaces an interview's plan: positions are rewritten in the given order, so they stay dense and unique. */
export async function writePlan(
  trx: Kysely<Database>,
  interviewId: string,
  source: string,
  questions: (PlanQuestionDraft & { source?: string })[],
): Promise<void> {
  await trx.deleteFrom('interviewPlanQuestions').where('interviewId', '=', interviewId).execute();
  if (questions.length === 0) return;
  await trx
    .insertInto('interviewPlanQuestions')
    .values(
      questions.map((q, position) => ({
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
        source: q.source ?? (q.kind === 'custom' ? 'hr' : source),
      })),
    )
    .execute();
}
