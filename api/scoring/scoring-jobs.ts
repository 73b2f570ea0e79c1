import { sql } from 'kysely';
import { rerunInterviewCode } from '../coding/server-rerun.ts';
import { enqueueScoring, type JobPayloads } from '../../shared/jobs.ts';
import type { PeriodicDefinition, TaskDefinition } from '../jobs/runner.ts';
import { llmConfigured } from '../llm/client.ts';
import { evaluationTimeoutMs } from './evaluator.ts';
import { candidateErasureAsked } from '../data-rights/erasure.ts';
import { noLlmReason, scoreInterview, type ScoringDeps } from './scorecards.ts';

// Scoring on the job runner. An interview's completion adds its `score-interview` job in the same transaction
// (shared/interview-lifecycle.ts), so scoring starts the moment it ends. The job key allows one job per interview
// at a time, pending or running, so two API processes never evaluate one interview at once; a failing evaluation is
// retried with the runner's backoff and parked after its last attempt, without holding up any other interview.

/** The `score-interview` task. Idempotent: a job for an interview that already has what it asked for does nothing. */
export function scoreInterviewTask(deps: ScoringDeps): TaskDefinition<JobPayloads['score-interview']> {
  return {
    // The model call is bounded by evaluationTimeoutMs; the margin covers reading the material and the write, and
    // the server's re-run of the candidate's code (each run bounded by runLimits, a fresh engine each).
    timeoutMs: evaluationTimeoutMs + 150_000,
    async run({ interviewId, trigger = 'interview_completed' }) {
      const interview = await deps.db.selectFrom('interviews').selectAll().where('id', '=', interviewId).executeTakeFirst();
      if (!interview || interview.status !== 'completed') return;
      // An erased candidate's interviews are not scored (their scorecards keep numbers only); asked for meanwhile,
      // scoreInterview refuses under the interview's lock.
      if (await candidateErasureAsked(deps.db, interview.candidateId)) return;
      const latest = await deps.db
        .selectFrom('scorecards')
        .select(['status', 'pendingReason'])
        .where('interviewId', '=', interviewId)
        .where('isLatest', '=', true)
        .executeTakeFirst();
      if (trigger === 'interview_completed' && latest) return;
      if (trigger === 'llm_configured' && !(latest?.status === 'pending' && latest.pendingReason === noLlmReason)) return;
      if (trigger === 'llm_configured' && !llmConfigured(deps.scoring)) return;
      // Before scoring, never after: the scorecard reads the server's results, not the browser's.
      const rerun = await deps.db.selectFrom('codeReruns').select('seq').where('interviewId', '=', interviewId).limit(1).executeTakeFirst();
      if (!rerun) await rerunInterviewCode(deps.db, interviewId, deps.log);
      const row = await scoreInterview(deps, interview, trigger).catch(async (error: unknown) => {
        if (await candidateErasureAsked(deps.db, interview.candidateId)) return undefined;
        throw error;
      });
      if (!row) {
        deps.log.info({ interviewId }, 'not scored: the candidate is being erased');
        return;
      }
      deps.log.info({ interviewId, version: row.version, status: row.status, trigger }, 'scored interview');
    },
  };
}

/**
 * Every minute: a job for completed interviews that have no scorecard (completed before this version, or by a writer
 * that added no job) and, once a language model is configured, for those whose scorecard is pending for want of one.
 * The job key makes a job already there (or running) absorb the new one.
 */
export function scoringBacklog(deps: ScoringDeps): PeriodicDefinition {
  return {
    everyMs: 60_000,
    timeoutMs: 60_000,
    async run() {
      const unscored = await deps.db
        .selectFrom('interviews')
        .select('id')
        .where('status', '=', 'completed')
        .where('endedAt', '<', new Date(deps.now().getTime() - 60_000))
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('scorecards').select(sql`1`.as('one')).whereRef('scorecards.interviewId', '=', 'interviews.id'))),
        )
        .orderBy('endedAt')
        .limit(200)
        .execute();
      for (const { id } of unscored) await enqueueScoring(deps.db, id, 'interview_completed');
      if (!llmConfigured(deps.scoring)) return;
      const waiting = await deps.db
        .selectFrom('scorecards')
        .select('interviewId')
        .where('isLatest', '=', true)
        .where('status', '=', 'pending')
        .where('pendingReason', '=', noLlmReason)
        .limit(200)
        .execute();
      for (const { interviewId } of waiting) await enqueueScoring(deps.db, interviewId, 'llm_configured');
    },
  };
}
