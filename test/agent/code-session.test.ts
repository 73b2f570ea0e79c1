import { ChangeSet, Text } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { createCodeTracker } from '../../agent/code-session.ts';
import { codingInstructions, currentCodeSection } from '../../agent/coding-prompt.ts';
import type { CodeEvent } from '../../shared/coding/coding.schema.ts';
import { buildQuestionPlan } from '../../shared/question-bank.ts';

// The interviewer's copy of the candidate's code: CodeMirror change sets applied in order to the starter code,
// checked against the editor's snapshots; resent numbers skipped, a gap or a change that does not fit waits for the
// next snapshot.

const plan = buildQuestionPlan({ type: 'CODING', competencies: [], maxDurationMinutes: 30, language: 'en', codingLanguage: 'PYTHON' });
const question = plan.questions.find((q) => q.coding)!;
const starter = question.coding!.starterCode;

function edits(from: string, changes: { from: number; to?: number; insert: string }[]): { events: CodeEvent[]; final: string } {
  let doc = Text.of(from.split('\n'));
  const events: CodeEvent[] = [];
  for (const [i, spec] of changes.entries()) {
    const change = ChangeSet.of(spec, doc.length);
    doc = change.apply(doc);
    events.push({ type: 'change', at: i * 100, changes: change.toJSON() });
  }
  return { events, final: doc.toString() };
}

describe("the interviewer's copy of the code", () => {
  it('starts from the starter code and applies change sets in order; resent numbers are skipped', () => {
    const tracker = createCodeTracker(plan.questions);
    expect(tracker.current(question.questionId)).toMatchObject({ code: starter, lastRun: null });
    expect(tracker.has('q-opening')).toBe(false);
    const { events, final } = edits(starter, [
      { from: starter.length, insert: '# first\n' },
      { from: 0, to: 3, insert: 'async def' },
      { from: 0, to: 9, insert: 'def' },
    ]);
    expect(tracker.apply(question.questionId, 0, events.slice(0, 2))).toBe(2);
    expect(tracker.apply(question.questionId, 0, events)).toBe(1);
    expect(tracker.current(question.questionId)!.code).toBe(final);
    expect(final).toBe(`${starter}# first\n`);
    const results = [{ name: 't', passed: true, actual: '1', output: '', error: null, timedOut: false, durationMs: 1 }];
    tracker.apply(question.questionId, 3, [{ type: 'run', at: 400, results }]);
    expect(tracker.current(question.questionId)!.lastRun).toEqual(results);
  });

  it('after a gap or a change that does not fit, waits for a snapshot, which it takes as the truth', () => {
    const warnings: string[] = [];
    const tracker = createCodeTracker(plan.questions, { warn: (_o: unknown, message?: string) => void warnings.push(message ?? '') } as never);
    const { events } = edits(starter, [{ from: 0, insert: 'x' }, { from: 1, insert: 'y' }]);
    // Event 0 never arrives: event 1 is made against a text this copy does not have.
    tracker.apply(question.questionId, 1, events.slice(1));
    expect(warnings.some((w) => w.includes('missing'))).toBe(true);
    expect(tracker.current(question.questionId)!.code).toBe(starter);
    tracker.apply(question.questionId, 2, [{ type: 'snapshot', at: 300, code: 'def merge_intervals(x):\n    return x\n' }]);
    expect(tracker.current(question.questionId)!.code).toBe('def merge_intervals(x):\n    return x\n');

    // A change whose length does not fit the current text is refused, not applied half-way.
    const misfit = ChangeSet.of({ from: 0, insert: 'z' }, 5).toJSON();
    tracker.apply(question.questionId, 3, [{ type: 'change', at: 400, changes: misfit }]);
    expect(warnings.some((w) => w.includes('does not fit'))).toBe(true);
    expect(tracker.current(question.questionId)!.code).toBe('def merge_intervals(x):\n    return x\n');
  });

  it('tells the LLM the problem, the hint policy and the code, never the reference solution or a hidden test', () => {
    const problem = question.coding!;
    const instructions = codingInstructions(problem);
    expect(instructions).toContain(problem.statement);
    expect(instructions).toContain('Never write the solution');
    const section = currentCodeSection({ problem, code: starter, lastRun: null });
    expect(section).toContain(starter);
    expect(section).toContain('nothing written yet');
    for (const text of [instructions, section]) {
      expect(text).not.toContain(problem.referenceSolution!);
      for (const hidden of problem.tests.filter((t) => !t.visible)) expect(text).not.toContain(hidden.name);
    }
  });
});
