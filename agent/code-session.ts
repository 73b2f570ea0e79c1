import type { Text } from '@codemirror/state';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { insertCodeEvents, listCodeEvents } from '../api/coding/code-events.repository.ts';
import { codeBatchSchema, type CodeEvent, type CodingProblem, type TestResult } from '../shared/coding/coding.schema.ts';
import type { Database } from '../shared/db/schema.ts';
import type { PlanQuestion } from '../shared/plans/plan.schema.ts';
import { applyCodeEvent, textOf } from '../shared/coding/replay.ts';

// The candidate's code, as the interviewer knows it. The candidate's editor sends its events in numbered batches on
// the `interview.code` text stream; this module owns what comes of them: each batch is stored as it arrives (the
// reviewer's replay reads them back) and applied to the current code of its question, kept in memory for the
// interviewer's next reply. A batch that does not parse is logged and dropped: a candidate's page can never stop
// the interview.

/** What the interviewer knows of one coding question's code. */
export interface CurrentCode {
  problem: CodingProblem;
  code: string;
  /** The candidate's last run of the visible tests, if any. */
  lastRun: TestResult[] | null;
}

interface QuestionCode {
  problem: CodingProblem;
  doc: Text;
  lastRun: TestResult[] | null;
  /** Events were missed (a gap in the numbers, or a change that does not fit): wrong until the next snapshot. */
  stale: boolean;
}

/**
 * The current code of each coding question, from its starter code and the editor's events in order. Events arrive
 * numbered for the whole interview: numbers already applied (a batch resent after a reconnect) are skipped, a gap
 * leaves the question's code stale until the editor's next snapshot, which also checks that nothing was lost.
 */
export function createCodeTracker(questions: readonly PlanQuestion[], log?: Pick<Logger, 'warn'>) {
  const codes = new Map<string, QuestionCode>();
  for (const q of questions) {
    if (q.coding) codes.set(q.questionId, { problem: q.coding, doc: textOf(q.coding.starterCode), lastRun: null, stale: false });
  }
  let nextSeq = 0;

  function applyOne(questionId: string, state: QuestionCode, seq: number, event: CodeEvent): void {
    switch (event.type) {
      case 'change':
        if (state.stale) return;
        try {
          state.doc = applyCodeEvent(state.doc, event);
        } catch (error) {
          // A change made against another text than ours: something was lost. The next snapshot puts it right.
          state.stale = true;
          log?.warn({ err: error, questionId, seq }, 'a code change does not fit the current code; waiting for a snapshot');
        }
        return;
      case 'snapshot':
        if (!state.stale && state.doc.toString() !== event.code) {
          log?.warn({ questionId, seq }, 'the code differs from the editor snapshot; taking the snapshot');
        }
        state.doc = applyCodeEvent(state.doc, event);
        state.stale = false;
        return;
      case 'run':
        state.lastRun = event.results;
        return;
      case 'paste':
      case 'focus':
        return;
    }
  }

  return {
    /** Whether the question is a coding question of this plan. */
    has(questionId: string): boolean {
      return codes.has(questionId);
    },
    /** Applies events numbered from `firstSeq` to the question's code; returns how many were new. */
    apply(questionId: string, firstSeq: number, events: readonly CodeEvent[]): number {
      const state = codes.get(questionId);
      if (!state) return 0;
      let applied = 0;
      for (const [i, event] of events.entries()) {
        const seq = firstSeq + i;
        if (seq < nextSeq) continue;
        if (seq > nextSeq) {
          state.stale = true;
          log?.warn({ questionId, expected: nextSeq, seq }, 'code events missing; waiting for a snapshot');
        }
        applyOne(questionId, state, seq, event);
        nextSeq = seq + 1;
        applied++;
      }
      return applied;
    },
    current(questionId: string): CurrentCode | undefined {
      const state = codes.get(questionId);
      return state && { problem: state.problem, code: state.doc.toString(), lastRun: state.lastRun };
    },
  };
}

export type CodeTracker = ReturnType<typeof createCodeTracker>;

/**
 * Receives the editor's batches for one interview: parses, stores and applies each. A restarted job (after a crash)
 * first replays what the store already has, so the interviewer sees the code as it was.
 */
export async function createCodeSession(
  db: Kysely<Database>,
  interviewId: string,
  questions: readonly PlanQuestion[],
  log: Logger,
) {
  const tracker = createCodeTracker(questions, log);
  if (questions.some((q) => q.coding)) {
    for (let afterSeq = -1; ; ) {
      const stored = await listCodeEvents(db, interviewId, afterSeq, 1000);
      for (const s of stored) tracker.apply(s.questionId, s.seq, [s.event]);
      if (stored.length < 1000) break;
      afterSeq = stored.at(-1)!.seq;
    }
  }
  // Stored in the order received, one batch at a time, so a resend never races its original.
  let chain: Promise<unknown> = Promise.resolve();

  return {
    tracker,
    /**
     * One batch as the text stream delivered it. Never throws: a bad batch is logged and dropped. Resolves with the
     * batch's numbers once it is done with (stored, or dropped for good), so the editor can forget it; null when it
     * was not stored (the database failed) or cannot be told apart: the editor keeps it and sends it again.
     */
    receive(text: string): Promise<{ questionId: string; firstSeq: number; count: number } | null> {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        log.warn({ chars: text.length }, 'code batch dropped: not JSON');
        return Promise.resolve(null);
      }
      const parsed = codeBatchSchema.safeParse(json);
      if (!parsed.success) {
        log.warn({ issues: parsed.error.issues.slice(0, 5) }, 'code batch dropped: not a valid batch');
        return Promise.resolve(null);
      }
      const batch = parsed.data;
      const done = { questionId: batch.questionId, firstSeq: batch.firstSeq, count: batch.events.length };
      if (!tracker.has(batch.questionId)) {
        log.warn({ questionId: batch.questionId }, 'code batch dropped: not a coding question of this plan');
        return Promise.resolve(done);
      }
      tracker.apply(batch.questionId, batch.firstSeq, batch.events);
      const stored = chain.then(() => insertCodeEvents(db, interviewId, batch.questionId, batch.firstSeq, batch.events));
      chain = stored.then(
        () => done,
        (error: unknown) => {
          log.error({ err: error, firstSeq: batch.firstSeq }, 'code batch not stored');
          return null;
        },
      );
      return chain as Promise<typeof done | null>;
    },
    /** Resolves when every batch so far has been stored (or has failed). */
    flush(): Promise<unknown> {
      return chain;
    },
  };
}

export type CodeSession = Awaited<ReturnType<typeof createCodeSession>>;
