import type { Kysely } from 'kysely';
import { ensurePlan } from '../api/plans/plans.repository.ts';
import type { Competency, Database, InterviewStatus, InterviewType } from '../shared/db/schema.ts';
import { planSource, type QuestionPlan } from '../shared/plans/plan.schema.ts';

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
  /** The audio is recorded (the company records, and HR did not turn it off for this interview). */
  recorded?: boolean;
  /** Local mode: nothing recognises speech, so answers are typed (the interviewer says so). Set by the worker. */
  typedAnswers?: boolean;
  company: { name: string };
  /** `codingVoiceOnly`: HR lets a candidate on a phone take a coding interview's voice part alone. */
  job: { title: string; description: string; competencies: Competency[]; codingVoiceOnly?: boolean };
  candidate: { firstName: string; lastName: string; resumeText: string | null };
  plan: QuestionPlan;
}

export async function loadInterviewContext(db: Kysely<Database>, interviewId: string): Promise<InterviewContext | undefined> {
  // The plan is normally written when the interview is created or booked. One that has none gets it here, through
  // the same function and writer the API uses, from the template bank: a model call would keep the candidate
  // waiting for the greeting. The first job's plan is the interview's for good; a restarted job (after a crash or a
  // rejoin) reads the same questions back, so question links in the transcript never point at a different plan.
  const [row, plan] = await Promise.all([
    db
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
        'c.recordingEnabled',
        'i.recordingOff',
        'j.title as jobTitle',
        'j.description as jobDescription',
        'j.competencies',
        'j.codingVoiceOnly',
        'p.firstName',
        'p.lastName',
        'p.resumeText',
      ])
      .where('i.id', '=', interviewId)
      .executeTakeFirst(),
    ensurePlan(db, interviewId, null),
  ]);
  if (!row) return undefined;
  return {
    interviewId,
    status: row.status,
    type: row.type,
    language: row.language,
    maxDurationMinutes: row.maxDurationMinutes,
    instructions: row.instructions,
    roomName: row.roomName,
    candidateIdentity: row.candidateIdentity,
    recorded: row.recordingEnabled && !row.recordingOff,
    company: { name: row.companyName },
    job: {
      title: row.jobTitle,
      description: row.jobDescription,
      competencies: row.competencies,
      codingVoiceOnly: row.codingVoiceOnly,
    },
    candidate: { firstName: row.firstName, lastName: row.lastName, resumeText: row.resumeText },
    plan: { source: planSource(plan.questions), questions: plan.questions },
  };
}
