import { z } from 'zod';
import { customQuestionSchema, planQuestionSchema, questionPlanSchema } from '../../shared/plans/plan.schema.ts';

// The plan as HR reads and edits it, derived from the one plan schema (shared/plans/plan.schema.ts): the same
// fields, the same limits.

const question = planQuestionSchema.shape;

export { planQuestionSchema };

export const planSchema = questionPlanSchema
  .extend({
    interviewId: z.uuid(),
    questionCount: z.number().int(),
    totalSeconds: z.number().int(),
    fitsDuration: z.boolean().meta({ description: 'Whether the questions fit the max duration with greeting and closing' }),
    frozen: z.boolean().meta({ description: 'True once the interview has started; a frozen plan cannot change' }),
  })
  .meta({ id: 'QuestionPlan' });

export const customQuestionInput = customQuestionSchema
  .extend({ competencyKey: question.competencyKey.default(null), timeBudgetSeconds: question.timeBudgetSeconds.default(180) })
  .strict()
  .meta({ id: 'CustomQuestion', description: 'A question HR writes; the interviewer asks it word for word' });

export const addQuestionBody = customQuestionInput
  .extend({ position: z.number().int().min(0).optional().meta({ description: 'Where to insert it; default last' }) })
  .meta({ id: 'AddPlanQuestion' });

export const updateQuestionBody = planQuestionSchema
  .pick({ text: true, competencyKey: true, timeBudgetSeconds: true, anchors: true, verbatim: true })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one field to change')
  .meta({ id: 'UpdatePlanQuestion' });

export const replacePlanBody = z
  .object({
    questions: z
      .array(
        customQuestionInput
          .extend({
            questionId: question.questionId.max(64).optional().meta({ description: 'Keep an existing question (and its anchors)' }),
            anchors: question.anchors.optional(),
            verbatim: question.verbatim.default(true),
          })
          .strict(),
      )
      .min(1)
      .max(20),
  })
  .strict()
  .meta({ id: 'ReplacePlan' });

export const questionParams = z.object({ id: z.uuid(), questionId: z.string().min(1).max(64) });
