import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { isRunnable, testResultSchema, type CodeEvent, type TestResult } from '../../shared/coding/coding.schema.ts';
import { replayCode } from '../../shared/coding/replay.ts';
import type { Database } from '../../shared/db/schema.ts';
import { readPlan } from '../plans/plans.repository.ts';
import { listCodeEvents } from './code-events.repository.ts';
import { rerunCode } from './rerun.ts';

// After the interview, before scoring: the server runs the candidate's code itself. The final code of each coding
// question (rebuilt from the stored editor events) against every test, visible and hidden; and the code as it stood
// at each of the candidate's runs against the visible tests, kept beside what the browser reported for that run.
// Scoring and the reviewer read the server's results; the browser's are kept only to show where they disagree.

export interface CodeRerun {
  questionId: string;
  kind: 'final' | 'run';
  /** The run event the code was taken at, or the question's last event (-1: the candidate wrote nothing). */
  seq: number;
  code: string;
  results: TestResult[] | null;
  browserResults: TestResult[] | null;
  error: string | null;
}

const resultsSchema = testResultSchema.array();

async function allEvents(db: Kysely<Database>, interviewId: string) {
  const events: { seq: number; questionId: string; event: CodeEvent }[] = [];
  for (let afterSeq = -1; ; ) {
    const page = await listCodeEvents(db, interviewId, afterSeq, 1000);
    events.push(...page);
    if (page.length < 1000) return events;
    afterSeq = page.at(-1)!.seq;
  }
}

/**
 * Re-runs an interview's coding questions and stores the results, replacing any earlier re-run (a retried scoring
 * job does the work again rather than trust half of it). Returns what it stored.
 */
export async function rerunInterviewCode(db: Kysely<Database>, interviewId: string, log?: Pick<Logger, 'warn'>) {
  const coding = (await readPlan(db, interviewId)).filter((q) => q.coding);
  if (coding.length === 0) return [];
  const events = await allEvents(db, interviewId);
  const reruns: CodeRerun[] = [];
  for (const question of coding) {
    const problem = question.coding!;
    const own = events.filter((e) => e.questionId === question.questionId);
    const frames = replayCode(problem.starterCode, own);
    const run = async (code: string, visibleOnly: boolean) => {
      if (!isRunnable(problem.language)) return { results: null, error: null };
      try {
        const tests = visibleOnly ? problem.tests.filter((t) => t.visible) : problem.tests;
        if (tests.length === 0) return { results: [], error: null };
        return { results: await rerunCode({ problem: { ...problem, tests }, code }), error: null };
      } catch (error) {
        // A sandbox that fails to start says nothing about the candidate's code: recorded, never scored as failing.
        log?.warn({ err: error, interviewId, questionId: question.questionId }, 'server re-run failed');
        return { results: null, error: error instanceof Error ? error.message : String(error) };
      }
    };
    for (const frame of frames) {
      if (frame.event.type !== 'run') continue;
      const { results, error } = await run(frame.code, true);
      reruns.push({ questionId: question.questionId, kind: 'run', seq: frame.seq, code: frame.code, results, browserResults: frame.event.results, error });
    }
    const last = frames.at(-1);
    const code = last?.code ?? problem.starterCode;
    // Nothing written is nothing to run: the starter code's results would only say the stub fails.
    const { results, error } = last ? await run(code, false) : { results: null, error: null };
    reruns.push({ questionId: question.questionId, kind: 'final', seq: last?.seq ?? -1, code, results, browserResults: null, error });
  }
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('codeReruns').where('interviewId', '=', interviewId).execute();
    await trx
      .insertInto('codeReruns')
      .values(
        reruns.map((r) => ({
          interviewId,
          questionId: r.questionId,
          kind: r.kind,
          seq: r.seq,
          code: r.code,
          results: r.results && JSON.stringify(r.results),
          browserResults: r.browserResults && JSON.stringify(r.browserResults),
          error: r.error,
        })),
      )
      .execute();
  });
  return reruns;
}

/** The stored re-runs of an interview, in question and event order. */
export async function listCodeReruns(db: Kysely<Database>, interviewId: string): Promise<CodeRerun[]> {
  const rows = await db
    .selectFrom('codeReruns')
    .select(['questionId', 'kind', 'seq', 'code', 'results', 'browserResults', 'error'])
    .where('interviewId', '=', interviewId)
    .orderBy('questionId')
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    ...r,
    results: r.results === null ? null : resultsSchema.parse(r.results),
    browserResults: r.browserResults === null ? null : resultsSchema.parse(r.browserResults),
  }));
}

/** Test names whose outcome the browser reported differently from the server's run of the same code. */
export function disagreements(rerun: Pick<CodeRerun, 'results' | 'browserResults'>): string[] {
  if (!rerun.results || !rerun.browserResults) return [];
  const server = new Map(rerun.results.map((r) => [r.name, r.passed]));
  const names = new Set([...server.keys(), ...rerun.browserResults.map((r) => r.name)]);
  const browser = new Map(rerun.browserResults.map((r) => [r.name, r.passed]));
  return [...names].filter((n) => server.get(n) !== browser.get(n));
}
