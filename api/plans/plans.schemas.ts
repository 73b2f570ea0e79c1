import { z } from 'zod';

const competencyKey = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).nullable();
const anchors = z.array(z.string().trim().min(3).max(400)).length(5).meta({ description: 'Levels 1 to 5, in order' });
const budget = z.number().int().min(30).max(1800);

export const planQuestionSchema = z
  .object({
    questionId: z.string(),
    position: z.number().int(),
    text: z.string(),
    competencyKey: z.string().nullable(),
    timeBudgetSeconds: z.number().int(),
    anchors: z.array(z.string()),
    kind: z.enum(['generated', 'template', 'custom']),
    verbatim: z.boolean().meta({ description: 'Asked word for word' }),
    resumeSpecific: z.boolean(),
    source: z.string(),
  })
  .meta({ id: 'PlanQuestion' });

export const planSchema = z
  .object({
    interviewId: z.uuid(),
    source: z.string().meta({ description: 'Where the plan came from: a model and prompt version, or the template bank version' }),
    questionCount: z.number().int(),
    totalSeconds: z.number().int(),
    fitsDuration: z.boolean().meta({ description: 'Whether the questions fit the max duration with greeting and closing' }),
    frozen: z.boolean().meta({ description: 'True once the interview has started; a frozen plan cannot change' }),
    fallbackReason: z.string().optional(),
    questions: z.array(planQuestionSchema),
  })
  .meta({ id: 'QuestionPlan' });

export const customQuestionInput = z
  .object({
    text: z.string().trim().min(5).max(600),
    competencyKey: competencyKey.default(null),
    timeBudgetSeconds: budget.default(180),
  })
  .strict()
  .meta({ id: 'CustomQuestion', description: 'A question HR writes; the interviewer asks it word for word' });

export const addQuestionBody = customQuestionInput
  .extend({ position: z.number().int().min(0).optional().meta({ description: 'Where to insert it; default last' }) })
  .meta({ id: 'AddPlanQuestion' });

export const updateQuestionBody = z
  .object({ text: z.string().trim().min(5).max(600), competencyKey, timeBudgetSeconds: budget, anchors, verbatim: z.boolean() })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'UpdatePlanQuestion' });

export const replacePlanBody = z
  .object({
    questions: z
      .array(
        z
          .object({
            questionId: z.string().max(64).optional().meta({ description: 'Keep an existing question (and its anchors)' }),
            text: z.string().trim().min(5).max(600),
            competencyKey: competencyKey.default(null),
            timeBudgetSeconds: budget.default(180),
            anchors: anchors.optional(),
            verbatim: z.boolean().default(true),
          })
          .strict(),
      )
      .min(1)
      .max(20),
  })
  .strict()
  .meta({ id: 'ReplacePlan' });

export const questionParams = z.object({ id: z.uuid(), questionId: z.string().min(1).max(64) });
