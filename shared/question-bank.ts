import type { Competency, InterviewType } from './db/schema.ts';

// A stand-in for the question-plan issue: a small curated bank of template questions, versioned, turned into a
// plan deterministically (same interview type, competencies and duration → same plan). It is named as such in
// everything it produces (`source`), so nobody mistakes it for a plan tailored to the candidate.

export const questionBankVersion = 'template-bank:v1';

export interface PlannedQuestion {
  /** Stable within a plan; transcript turns link to it. */
  id: string;
  text: string;
  /** The competency the question probes; null for warm-up questions. */
  competencyKey: string | null;
  /** How long the question may take with its follow-ups. */
  timeBudgetSeconds: number;
}

export interface QuestionPlan {
  source: string;
  questions: PlannedQuestion[];
}

export interface PlanInput {
  type: InterviewType;
  jobTitle: string;
  competencies: Competency[];
  maxDurationMinutes: number;
}

const openingByType: Record<InterviewType, string> = {
  TECHNICAL: 'To start, tell me about a system you built recently that you are proud of, and what your part in it was.',
  SYSTEM_DESIGN: 'To start, tell me about the largest system you have designed, and the constraint that shaped it most.',
  CODING: 'To start, tell me about a piece of code you wrote recently that you are proud of, and why.',
  BEHAVIORAL: 'To start, tell me about a recent piece of work you are proud of, and what your part in it was.',
  GENERAL: 'To start, tell me briefly about your background and what brings you to this role.',
  AI_SCREENING: 'To start, tell me briefly about your background and what brings you to this role.',
  FINAL: 'To start, tell me what you would want to achieve in your first six months in this role.',
  CUSTOM: 'To start, tell me briefly about your background and what brings you to this role.',
};

/** One template per competency; `{name}` and `{description}` come from the job's competency. */
const competencyTemplate =
  'Let us talk about {name}. Tell me about a time your work depended on it: {description} What did you do, and what was the result?';

/** Seconds a question gets; the closing and greeting take the rest. */
const openingBudget = 120;
const competencyBudget = 180;
/** Greeting, consent and closing, which every interview spends whatever its plan. */
export const fixedOverheadSeconds = 90;

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0]!.toLowerCase() + text.slice(1) : text;
}

/**
 * The plan: an opening question for the interview type, then one question per competency in the job's order,
 * cut to what fits in the duration (the opening always stays).
 */
export function buildQuestionPlan(input: PlanInput): QuestionPlan {
  const questions: PlannedQuestion[] = [
    { id: 'q-opening', text: openingByType[input.type], competencyKey: null, timeBudgetSeconds: openingBudget },
  ];
  for (const competency of input.competencies) {
    const description = competency.description.trim().replace(/\.?$/, '.');
    questions.push({
      id: `q-${competency.key}`,
      text: competencyTemplate.replace('{name}', lowerFirst(competency.name)).replace('{description}', description),
      competencyKey: competency.key,
      timeBudgetSeconds: competencyBudget,
    });
  }
  let available = input.maxDurationMinutes * 60 - fixedOverheadSeconds;
  const fitted: PlannedQuestion[] = [];
  for (const question of questions) {
    if (fitted.length > 0 && question.timeBudgetSeconds > available) break;
    fitted.push(question);
    available -= question.timeBudgetSeconds;
  }
  return { source: questionBankVersion, questions: fitted };
}
