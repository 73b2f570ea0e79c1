import { z } from 'zod';
import { codingLanguageSchema, codingProblemSchema } from '../coding/coding.schema.ts';
import { interviewTypes, type Competency } from '../db/schema.ts';

// The question plan, one definition for everything that touches it: the template bank and the Gemini generator
// produce it, api/plans/plans.repository.ts stores and reads it, the HR API serves and edits it (its OpenAPI schemas
// derive from these), the agent asks it and scoring scores against it. The limits here are the ones every stored
// question meets: the one writer parses what it stores with this schema.

export const planQuestionSchema = z
  .object({
    /** Stable within a plan; transcript turns link to it. */
    questionId: z.string().min(1),
    /** The question's place in the plan, from 0; dense and unique within the plan. */
    position: z.number().int().min(0),
    text: z.string().trim().min(5).max(600),
    competencyKey: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/)
      .nullable()
      .meta({ description: "The job's competency the question probes; null for a general question" }),
    timeBudgetSeconds: z
      .number()
      .int()
      .min(30)
      .max(1800)
      .meta({ description: 'How long the question may take with its follow-ups' }),
    anchors: z
      .array(z.string().trim().min(3).max(400))
      .length(5)
      .meta({ description: 'What an answer at levels 1 to 5 contains, in order' }),
    kind: z.enum(['generated', 'template', 'custom']),
    verbatim: z.boolean().meta({ description: 'Asked word for word' }),
    resumeSpecific: z.boolean(),
    source: z
      .string()
      .min(1)
      .meta({
        description: "Where the question came from: a model and prompt version, the template bank version, or 'hr'",
      }),
    /**
     * A coding question's problem; the candidate's browser gets only its `candidateView` (no hidden tests, no
     * reference solution).
     */
    coding: codingProblemSchema
      .nullable()
      .optional()
      .meta({ description: 'The coding problem the candidate solves in the editor; null for a spoken question' }),
  })
  .meta({ id: 'PlanQuestion' });

export type PlanQuestion = z.infer<typeof planQuestionSchema>;

/** A plan as generated: its questions in the order they are asked. */
export const questionPlanSchema = z.object({
  source: z
    .string()
    .meta({ description: 'Where the plan came from: a model and prompt version, or the template bank version' }),
  questions: z.array(planQuestionSchema),
  /** Set when a model was configured but its plan could not be used; the template bank was used instead. */
  fallbackReason: z.string().optional(),
});

export type QuestionPlan = z.infer<typeof questionPlanSchema>;

/** HR's own question, asked word for word; it keeps its place and its time when the plan is generated again. */
export const customQuestionSchema = planQuestionSchema.pick({
  text: true,
  competencyKey: true,
  timeBudgetSeconds: true,
});

/** Everything a plan is generated from. */
export const planInputSchema = z.object({
  type: z.enum(interviewTypes),
  jobTitle: z.string(),
  jobDescription: z.string(),
  codingLanguage: codingLanguageSchema.nullable(),
  // The job's own competencies, validated where jobs are written (api/jobs/jobs.schemas.ts).
  competencies: z.array(z.custom<Competency>()),
  resumeText: z.string().nullable(),
  maxDurationMinutes: z.number().int().min(1),
  /** The interview's language code (`en`, `ar`, `ar-AE`, …): questions and anchors are written in it. */
  language: z.string(),
  custom: z.array(customQuestionSchema),
});

export type PlanInput = z.infer<typeof planInputSchema>;

/** The plan's source as HR sees it: where its questions came from, apart from HR's own. */
export function planSource(questions: readonly Pick<PlanQuestion, 'kind' | 'source'>[]): string {
  return [...new Set(questions.filter((q) => q.kind !== 'custom').map((q) => q.source))].join('+') || 'hr';
}
