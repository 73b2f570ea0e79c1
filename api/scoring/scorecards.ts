import type { Kysely } from 'kysely';
import type { Competency, Database, Interview } from '../../shared/db/schema.ts';
import { recordEvent } from '../../shared/events/outbox.ts';
import type { Logger } from '../../shared/logger.ts';
import { AppError } from '../http/problem.ts';
import { recordingExists } from '../../shared/recordings/repository.ts';
import { readPlan } from '../plans/plans.repository.ts';
import type { ScorecardResult } from './evaluation.schemas.ts';
import { createEvaluator, scoringPromptVersion, type ScoringSettings } from './evaluator.ts';
import { scorecardTexts } from './texts/index.ts';
import { applyIntegrity, overallScore, questionStatuses, type FinalCode, type Turn } from './integrity.ts';
import { listCodeReruns } from '../coding/server-rerun.ts';
import { candidateErasureAsked } from '../data-rights/erasure.ts';

export type ScoreTrigger = 'interview_completed' | 're_score' | 'llm_configured';

export interface ScoringDeps {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  scoring: ScoringSettings;
}

export const noLlmReason =
  'No language model is configured (set GOOGLE_API_KEY). The interview will be scored once one is; nothing is estimated meanwhile.';

async function loadMaterial(db: Kysely<Database>, interview: Interview) {
  const [job, plan, turns] = await Promise.all([
    db.selectFrom('jobs').select(['title', 'description', 'competencies']).where('id', '=', interview.jobId).executeTakeFirstOrThrow(),
    readPlan(db, interview.id),
    db
      .selectFrom('transcriptTurns')
      .select(['seq', 'speaker', 'text', 'questionId'])
      .where('interviewId', '=', interview.id)
      .orderBy('seq')
      .execute(),
  ]);
  return { job, plan, turns: turns as Turn[] };
}

/** What every result event says about its interview: ids, and where to fetch the full records. */
export function resultEventBase(interview: Interview) {
  return {
    interviewId: interview.id,
    jobId: interview.jobId,
    candidateId: interview.candidateId,
    links: {
      interview: `/v1/interviews/${interview.id}`,
      transcript: `/v1/interviews/${interview.id}/transcript`,
      scorecard: `/v1/interviews/${interview.id}/scorecard`,
    },
  };
}

/** A short summary for the webhook payload; scores on the rubric's 1–5 scale. */
export function scorecardSummary(
  row: { overallScore: number | null; recommendation: string | null; status: string; pendingReason: string | null },
  result: ScorecardResult | null,
  language?: string,
) {
  return {
    overallScore: row.overallScore,
    recommendation: row.recommendation,
    summary: (row.status === 'pending' ? (row.pendingReason ?? scorecardTexts(language).pending) : (result?.overall?.summary ?? '')).slice(0, 2000),
    competencies: (result?.competencies ?? []).map((c) => ({ key: c.key, name: c.name, score: c.score })),
  };
}

/**
 * Evaluates a finished interview and stores the outcome as a new scorecard version, with its result event in the
 * same transaction (interview.completed for the first version, scorecard.updated after). Without a language model
 * the version is stored as pending with its reason; an interview with no answers is stored with no scores and
 * without calling a model. A failing model call stores nothing and throws, so the caller can retry.
 */
export async function scoreInterview(deps: ScoringDeps, interview: Interview, trigger: ScoreTrigger) {
  if (interview.status !== 'completed') {
    throw new AppError('invalid_state', `Only completed interviews are scored; this one is ${interview.status}.`);
  }
  const { job, plan, turns } = await loadMaterial(deps.db, interview);
  const competencies = job.competencies as Competency[];
  const planVersion = [...new Set(plan.map((q) => q.source))].join('+') || 'no-plan';
  const statuses = questionStatuses(plan, turns);
  const anythingAnswered = [...statuses.values()].some((s) => s === 'asked');
  const evaluator = createEvaluator(deps.scoring, deps.log);
  const code: FinalCode[] = (await listCodeReruns(deps.db, interview.id))
    .filter((r) => r.kind === 'final')
    .map((r) => {
      const starter = plan.find((q) => q.questionId === r.questionId)?.coding?.starterCode;
      return { questionId: r.questionId, code: r.code, written: r.code.trim() !== (starter ?? '').trim(), results: r.results };
    });

  let stored: { status: 'pending' | 'complete'; pendingReason: string | null; model: string | null; result: ScorecardResult; integrity: object };
  if (!anythingAnswered) {
    // Silence, a declined consent or non-answers: there is nothing to score and nothing to ask a model about.
    const { result, integrity } = applyIntegrity({ plan, competencies, turns, evaluation: null, language: interview.language });
    result.overall = {
      recommendation: null,
      summary: scorecardTexts(interview.language).noAnswers,
      strengths: [],
      concerns: [],
    };
    stored = { status: 'complete', pendingReason: null, model: null, result, integrity };
  } else if (!evaluator) {
    const { result, integrity } = applyIntegrity({ plan, competencies, turns, evaluation: null, language: interview.language });
    stored = { status: 'pending', pendingReason: noLlmReason, model: null, result, integrity };
  } else {
    const evaluation = await evaluator.evaluate({
      jobTitle: job.title,
      jobDescription: job.description,
      interviewType: interview.type,
      competencies,
      plan,
      turns,
      code,
      language: interview.language,
    });
    const { result, integrity } = applyIntegrity({
      plan,
      competencies,
      turns,
      code,
      evaluation,
      language: interview.language,
      // The quote itself is the candidate's words; the log gets where it was claimed, not what.
      onDroppedQuote: (where, quote) =>
        deps.log.warn({ interviewId: interview.id, where, turnSeq: quote.turnSeq }, 'dropped an evidence quote that is not verbatim'),
    });
    stored = { status: 'complete', pendingReason: null, model: evaluator.model, result, integrity };
  }

  const score = stored.status === 'complete' ? overallScore(stored.result) : null;
  const recommendation = stored.status === 'complete' ? (stored.result.overall?.recommendation ?? null) : null;
  return deps.db.transaction().execute(async (trx) => {
    // Serialises versions of one interview: two evaluations at once cannot both become version N. The erasure's
    // scorecard step takes the same lock, so an evaluation that read the transcript before an erasure either lands
    // before that step (which strips it) or finds the erasure here.
    await trx.selectFrom('interviews').select('id').where('id', '=', interview.id).forUpdate().executeTakeFirstOrThrow();
    if (await candidateErasureAsked(trx, interview.candidateId)) {
      throw new AppError('invalid_state', 'This candidate was erased (or is being erased); their interviews are not scored.');
    }
    const previous = await trx
      .selectFrom('scorecards')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('interviewId', '=', interview.id)
      .executeTakeFirst();
    const version = Number(previous?.version ?? 0) + 1;
    await trx.updateTable('scorecards').set({ isLatest: false }).where('interviewId', '=', interview.id).where('isLatest', '=', true).execute();
    const row = await trx
      .insertInto('scorecards')
      .values({
        interviewId: interview.id,
        version,
        isLatest: true,
        status: stored.status,
        pendingReason: stored.pendingReason,
        trigger,
        model: stored.model,
        promptVersion: scoringPromptVersion,
        planVersion,
        overallScore: score,
        recommendation,
        result: JSON.stringify(stored.result),
        integrity: JSON.stringify(stored.integrity),
        evaluatedAt: deps.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const base = resultEventBase(interview);
    const summary = scorecardSummary(row, stored.result, interview.language);
    if (version === 1) {
      const recorded = await recordingExists(trx, interview.id);
      await recordEvent(trx, {
        companyId: interview.companyId,
        type: 'interview.completed',
        payload: {
          ...base,
          status: 'completed',
          completedAt: (interview.endedAt ?? deps.now()).toISOString(),
          scorecard: summary,
          recording: { exists: recorded, info: recorded ? `/v1/interviews/${interview.id}/recording/info` : null },
        },
      });
    } else {
      const decision = await trx
        .selectFrom('hiringDecisions')
        .select('decision')
        .where('interviewId', '=', interview.id)
        .orderBy('id', 'desc')
        .executeTakeFirst();
      await recordEvent(trx, {
        companyId: interview.companyId,
        type: 'scorecard.updated',
        payload: { ...base, reason: 're_score', decision: decision?.decision ?? null, updatedAt: deps.now().toISOString(), scorecard: summary },
      });
    }
    return row;
  });
}
