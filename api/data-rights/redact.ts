import { scorecardResultSchema, type ScorecardResult } from '../scoring/evaluation.schemas.ts';

/**
 * A scorecard without a word of the candidate's or about them: the scores, statuses and recommendation stay (the
 * fact of the judgement, and what the audit of a decision needs), the question texts (written from the résumé),
 * rationales, evidence quotes, code lines, summary, strengths and concerns go. Still valid against the scorecard
 * schema, so every reader keeps working. Anything unreadable becomes an empty result.
 */
export function redactScorecardResult(stored: unknown): ScorecardResult {
  const parsed = scorecardResultSchema.safeParse(stored);
  if (!parsed.success) return { questions: [], competencies: [], overall: null };
  const result = parsed.data;
  return {
    questions: result.questions.map((q) => ({
      ...q,
      text: '',
      rationale: null,
      evidence: [],
      ...(q.codeEvidence ? { codeEvidence: [] } : {}),
    })),
    competencies: result.competencies.map((c) => ({ ...c, rationale: null, evidence: [] })),
    overall: result.overall ? { ...result.overall, summary: '', strengths: [], concerns: [] } : null,
  };
}
