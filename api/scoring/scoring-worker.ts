import { sql } from 'kysely';
import { acquireLease } from '../../shared/db/lease.ts';
import type { Interview } from '../../shared/db/schema.ts';
import { noLlmReason, scoreInterview, type ScoringDeps } from './scorecards.ts';

/** The interviewer writes its last turns before it completes the interview; this margin covers stragglers. */
const settleMs = 3_000;

/**
 * One pass: score completed interviews that have no scorecard yet, and, once a language model is configured,
 * interviews whose latest scorecard is pending for want of one. The work lives in the database (a completed
 * interview without a scorecard), so a crash loses nothing: the next pass finds it again.
 */
export async function scorePending(deps: ScoringDeps, limit = 10): Promise<number> {
  if (!(await acquireLease(deps.db, 'scoring', 60_000))) return 0;
  const settled = new Date(deps.now().getTime() - settleMs);
  const unscored = await deps.db
    .selectFrom('interviews')
    .selectAll('interviews')
    .where('status', '=', 'completed')
    .where('endedAt', '<=', settled)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('scorecards').select(sql`1`.as('one')).whereRef('scorecards.interviewId', '=', 'interviews.id'))),
    )
    .orderBy('endedAt')
    .limit(limit)
    .execute();
  let waiting: Interview[] = [];
  if (deps.scoring.googleApiKey) {
    waiting = await deps.db
      .selectFrom('interviews')
      .innerJoin('scorecards', 'scorecards.interviewId', 'interviews.id')
      .selectAll('interviews')
      .where('scorecards.isLatest', '=', true)
      .where('scorecards.status', '=', 'pending')
      .where('scorecards.pendingReason', '=', noLlmReason)
      .limit(limit)
      .execute();
  }
  let done = 0;
  for (const [interview, trigger] of [
    ...unscored.map((i) => [i, 'interview_completed'] as const),
    ...waiting.map((i) => [i, 'llm_configured'] as const),
  ]) {
    try {
      await scoreInterview(deps, interview, trigger);
      done++;
    } catch (error) {
      deps.log.warn({ err: error, interviewId: interview.id }, 'scoring failed; will retry');
    }
  }
  return done;
}

export function startScoringWorker(deps: ScoringDeps, intervalMs: number): { stop: () => Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = scorePending(deps)
      .then((n) => {
        if (n > 0) deps.log.info({ scored: n }, 'scored interviews');
      })
      .catch((error: unknown) => deps.log.warn({ err: error }, 'scoring pass failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs).unref();
      });
  };
  timer = setTimeout(tick, intervalMs).unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
