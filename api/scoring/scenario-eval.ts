import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { CodingLanguage } from '../../shared/coding/coding.schema.ts';
import type { Competency, InterviewType } from '../../shared/db/schema.ts';
import type { Logger } from '../../shared/logger.ts';
import type { LlmSettings } from '../llm/client.ts';
import { generatePlan, planInputOf } from '../plans/plan-generator.ts';
import { createEvaluator } from './evaluator.ts';
import { applyIntegrity, overallScore, type Turn } from './integrity.ts';

// Scores the shared interview scenarios with a real model, without the voice pipeline: each scenario's answers are
// laid against its plan as a transcript (first answer to the consent, then one answer per question). It answers
// the two questions that matter before trusting a model: does the strong candidate outrank the weak one, and how
// many of the model's evidence quotes survive the verbatim check.

interface Scenario {
  id: string;
  job: { title: string; description: string; codingLanguage?: CodingLanguage; competencies: Competency[] };
  candidate: { resume?: string };
  interview: { type: InterviewType; maxDurationSeconds: number; language?: string };
  answers: string[];
}

export interface ScenarioResult {
  id: string;
  overallScore: number | null;
  recommendation: string | null;
  quotesReturned: number;
  quotesValid: number;
}

export function loadScenarios(dir: string): Scenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Scenario);
}

export async function evaluateScenario(settings: LlmSettings, scenario: Scenario, log: Logger): Promise<ScenarioResult> {
  const evaluator = createEvaluator(settings, log);
  if (!evaluator) throw new Error('GOOGLE_API_KEY is required for the scenario eval');
  const plan = await generatePlan(
    settings,
    planInputOf(
      { ...scenario.job, codingLanguage: scenario.job.codingLanguage ?? null },
      { resumeText: scenario.candidate.resume ?? null },
      {
        type: scenario.interview.type,
        maxDurationMinutes: Math.max(5, Math.round(scenario.interview.maxDurationSeconds / 60)),
        language: scenario.interview.language ?? 'en',
      },
    ),
    log,
  );
  const turns: Turn[] = [{ seq: 1, speaker: 'interviewer', text: 'Do you agree to continue?', questionId: null }];
  const [consent, ...answers] = scenario.answers;
  if (consent) turns.push({ seq: 2, speaker: 'candidate', text: consent, questionId: null });
  plan.questions.forEach((q, i) => {
    turns.push({ seq: turns.length + 1, speaker: 'interviewer', text: q.text, questionId: q.questionId });
    const answer = answers[i];
    if (answer) turns.push({ seq: turns.length + 1, speaker: 'candidate', text: answer, questionId: q.questionId });
  });
  const evaluation = await evaluator.evaluate({
    jobTitle: scenario.job.title,
    jobDescription: scenario.job.description,
    interviewType: scenario.interview.type,
    competencies: scenario.job.competencies,
    plan: plan.questions,
    turns,
    language: scenario.interview.language ?? 'en',
  });
  const { result, integrity } = applyIntegrity({ plan: plan.questions, competencies: scenario.job.competencies, turns, evaluation });
  const quotesReturned =
    evaluation.questions.reduce((n, q) => n + q.evidence.length, 0) + evaluation.competencies.reduce((n, c) => n + c.evidence.length, 0);
  return {
    id: scenario.id,
    overallScore: overallScore(result),
    recommendation: result.overall?.recommendation ?? null,
    quotesReturned,
    quotesValid: quotesReturned - integrity.droppedQuotes,
  };
}
