import type { Kysely } from 'kysely';
import type { Competency, Database, InterviewStatus, InterviewType } from '../shared/db/schema.ts';
import { buildQuestionPlan, type PlanInput, type PlannedQuestion } from '../shared/question-bank.ts';

/** Everything the interviewer needs to know about one interview, loaded once when the job starts. */
export interface InterviewContext {
  interviewId: string;
  status: InterviewStatus;
  type: InterviewType;
  language: string;
  maxDurationMinutes: number;
  instructions: string;
  roomName: string;
  candidateIdentity: string | null;
  company: { name: string };
  job: { title: string; description: string; competencies: Competency[] };
  candidate: { firstName: string; lastName: string; resumeText: string | null };
  plan: { source: string; questions: PlannedQuestion[] };
}

export async function loadInterviewContext(db: Kysely<Database>, interviewId: string): Promise<InterviewContext | undefined> {
  const row = await db
    .selectFrom('interviews as i')
    .innerJoin('companies as c', 'c.id', 'i.companyId')
    .innerJoin('jobs as j', 'j.id', 'i.jobId')
    .innerJoin('candidates as p', 'p.id', 'i.candidateId')
    .select([
      'i.id',
      'i.status',
      'i.type',
      'i.language',
      'i.maxDurationMinutes',
      'i.instructions',
      'i.roomName',
      'i.candidateIdentity',
      'c.name as companyName',
      'j.title as jobTitle',
      'j.description as jobDescription',
      'j.competencies',
      'p.firstName',
      'p.lastName',
      'p.resumeText',
    ])
    .where('i.id', '=', interviewId)
    .executeTakeFirst();
  if (!row) return undefined;
  const plan = await loadOrCreatePlan(db, {
    interviewId,
    type: row.type,
    jobTitle: row.jobTitle,
    competencies: row.competencies,
    maxDurationMinutes: row.maxDurationMinutes,
    language: row.language,
  });
  return {
    interviewId,
    status: row.status,
    type: row.type,
    language: row.language,
    maxDurationMinutes: row.maxDurationMinutes,
    instructions: row.instructions,
    roomName: row.roomName,
    candidateIdentity: row.candidateIdentity,
    company: { name: row.companyName },
    job: { title: row.jobTitle, description: row.jobDescription, competencies: row.competencies },
    candidate: { firstName: row.firstName, lastName: row.lastName, resumeText: row.resumeText },
    plan,
  };
}

/**
 * The plan is frozen per interview the first time a job starts; a restarted job (after a crash or a rejoin)
 * reads the same questions back, so question links in the transcript never point at a different plan.
 */
async function loadOrCreatePlan(
  db: Kysely<Database>,
  input: PlanInput & { interviewId: string },
): Promise<{ source: string; questions: PlannedQuestion[] }> {
  const existing = await db
    .selectFrom('interviewPlanQuestions')
    .select('questionId')
    .where('interviewId', '=', input.interviewId)
    .limit(1)
    .execute();
  // A plan made for this interview beforehand (by the API's question-plan step) is used as it is; the template
  // bank only fills in for an interview that has none.
  if (existing.length === 0) await insertTemplatePlan(db, input);
  const stored = await db
    .selectFrom('interviewPlanQuestions')
    .selectAll()
    .where('interviewId', '=', input.interviewId)
    .orderBy('position')
    .execute();
  const fallback = buildQuestionPlan(input);
  return {
    source: stored[0]?.source ?? fallback.source,
    questions: stored.map((q) => ({
      id: q.questionId,
      text: q.text,
      competencyKey: q.competencyKey,
      timeBudgetSeconds: q.timeBudgetSeconds,
    })),
  };
}

async function insertTemplatePlan(
  db: Kysely<Database>,
  input: PlanInput & { interviewId: string },
): Promise<void> {
  const fresh = buildQuestionPlan(input);
  await db
    .insertInto('interviewPlanQuestions')
    .values(
      fresh.questions.map((q, position) => ({
        interviewId: input.interviewId,
        questionId: q.id,
        position,
        competencyKey: q.competencyKey,
        text: q.text,
        timeBudgetSeconds: q.timeBudgetSeconds,
        anchors: JSON.stringify(q.anchors),
        source: fresh.source,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
