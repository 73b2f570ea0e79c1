import { z } from 'zod';
import { recommendations } from '../../shared/db/schema.ts';

// What the language model is asked to return (also sent to it as the response JSON schema), and what we keep after
// the integrity rules have been applied in code. Scores are on the 1–5 scale of the rubric's anchors.

const score = z.number().int().min(1).max(5);

export const modelQuote = z.object({
  turnSeq: z.number().int().describe('The seq of the candidate turn the quote comes from'),
  quote: z.string().describe("Verbatim words of the candidate, copied exactly from that turn's text"),
});

export const modelEvaluationSchema = z.object({
  questions: z.array(
    z.object({
      questionId: z.string(),
      score: score.nullable().describe('null when the answer gives no evidence for a score'),
      rationale: z.string().describe('How the evidence maps to the anchors; about what was said only'),
      evidence: z.array(modelQuote),
      codeEvidence: z
        .array(z.string())
        .optional()
        .describe("Coding questions only: lines copied verbatim from the candidate's final code, one or more whole lines each"),
    }),
  ),
  competencies: z.array(
    z.object({
      key: z.string(),
      score: score.nullable(),
      rationale: z.string(),
      evidence: z.array(modelQuote),
    }),
  ),
  overall: z.object({
    recommendation: z.enum(recommendations),
    summary: z.string(),
    strengths: z.array(z.string()),
    concerns: z.array(z.string()),
  }),
});
export type ModelEvaluation = z.infer<typeof modelEvaluationSchema>;

export const evidenceSchema = z
  .object({ turnSeq: z.number().int(), quote: z.string() })
  .meta({ id: 'ScorecardEvidence', description: "A verbatim span of the candidate's own words" });

export const questionResultSchema = z
  .object({
    questionId: z.string(),
    position: z.number().int(),
    text: z.string(),
    competencyKey: z.string().nullable(),
    status: z.enum(['asked', 'not_asked', 'not_answered']),
    score: z.number().int().min(1).max(5).nullable(),
    insufficientEvidence: z.boolean(),
    rationale: z.string().nullable(),
    evidence: z.array(evidenceSchema),
    /** Coding questions: verbatim lines of the stored final code (absent on scorecards written before them). */
    codeEvidence: z.array(z.string()).optional(),
  })
  .meta({ id: 'ScorecardQuestion' });

export const competencyResultSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    score: z.number().int().min(1).max(5).nullable(),
    insufficientEvidence: z.boolean(),
    rationale: z.string().nullable(),
    evidence: z.array(evidenceSchema),
  })
  .meta({ id: 'ScorecardCompetency' });

export const overallResultSchema = z
  .object({
    recommendation: z.enum(recommendations).nullable().meta({ description: 'null when there is nothing to recommend on' }),
    summary: z.string(),
    strengths: z.array(z.string()),
    concerns: z.array(z.string()),
  })
  .meta({ id: 'ScorecardOverall' });

export const scorecardResultSchema = z.object({
  questions: z.array(questionResultSchema),
  competencies: z.array(competencyResultSchema),
  overall: overallResultSchema.nullable(),
});
export type ScorecardResult = z.infer<typeof scorecardResultSchema>;

export const integrityReportSchema = z
  .object({
    droppedQuotes: z.number().int().meta({ description: "Quotes the model gave that are not the candidate's words" }),
    droppedStatements: z
      .number()
      .int()
      .meta({ description: 'Sentences removed for inferring emotion, personality or voice traits' }),
    scoresWithdrawn: z.number().int().meta({ description: 'Scores turned into insufficient evidence' }),
  })
  .meta({ id: 'ScorecardIntegrity' });
export type IntegrityReport = z.infer<typeof integrityReportSchema>;
