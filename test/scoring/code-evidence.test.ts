import { describe, expect, it } from 'vitest';
import type { ModelEvaluation } from '../../api/scoring/evaluation.schemas.ts';
import { buildEvaluationPrompt } from '../../api/scoring/evaluator.ts';
import { applyIntegrity, type FinalCode, type Turn } from '../../api/scoring/integrity.ts';
import type { CodingProblem } from '../../shared/coding/coding.schema.ts';
import type { PlanQuestion } from '../../shared/plans/plan.schema.ts';

// A coding question's scorecard: the scorer is given the final code and the server's test results; code cited as
// evidence must be whole lines of the stored final code (checked like transcript quotes, an invented line is
// dropped); a question whose code was never written is insufficient evidence, whatever the candidate said.

const starterCode = 'def total(xs):\n    pass\n';
const problem: CodingProblem = {
  language: 'PYTHON',
  statement: 'Return the sum of the list.',
  entry: 'total',
  starterCode,
  sqlSetup: null,
  tests: [
    { name: 'sums', visible: true, args: [[1, 2]], expected: 3 },
    { name: 'empty', visible: false, args: [[]], expected: 0 },
  ],
  referenceSolution: 'def total(xs):\n    return sum(xs)\n',
  hintPolicy: 'none',
};
const question: PlanQuestion = {
  questionId: 'q-code-1',
  position: 0,
  text: 'Write total().',
  competencyKey: null,
  timeBudgetSeconds: 900,
  anchors: ['one', 'two', 'three', 'four', 'five'],
  kind: 'template',
  verbatim: false,
  resumeSpecific: false,
  source: 'test',
  coding: problem,
};
const turns: Turn[] = [
  { seq: 1, speaker: 'interviewer', text: 'Write total().', questionId: 'q-code-1' },
  { seq: 2, speaker: 'candidate', text: 'I loop over the list and add each number to a running sum.', questionId: 'q-code-1' },
];
const written: FinalCode = {
  questionId: 'q-code-1',
  code: 'def total(xs):\n    acc = 0\n    for x in xs:\n        acc += x\n    return acc\n',
  written: true,
  results: [
    { name: 'sums', passed: true, actual: '3', output: '', error: null, timedOut: false, durationMs: 2 },
    { name: 'empty', passed: true, actual: '0', output: '', error: null, timedOut: false, durationMs: 1 },
  ],
};

function evaluation(codeEvidence: string[]): ModelEvaluation {
  return {
    questions: [
      {
        questionId: 'q-code-1',
        score: 4,
        rationale: 'Working loop.',
        evidence: [{ turnSeq: 2, quote: 'add each number to a running sum' }],
        codeEvidence,
      },
    ],
    competencies: [],
    overall: { recommendation: 'advance', summary: 'Solved it.', strengths: [], concerns: [] },
  };
}

describe('evidence from code', () => {
  it('keeps whole lines of the final code, stored with their indentation, and drops a line the code does not have', () => {
    const { result, integrity } = applyIntegrity({
      plan: [question],
      competencies: [],
      turns,
      code: [written],
      evaluation: evaluation(['for x in xs:\n        acc += x', '  return acc  ', 'return acc', 'return sum(xs)', 'acc +']),
    });
    const q = result.questions[0]!;
    // Matched whatever the model's indentation; stored as the code has the lines (the same lines twice kept once).
    expect(q.codeEvidence).toEqual(['    for x in xs:\n        acc += x', '    return acc']);
    expect(q.score).toBe(4);
    expect(integrity.droppedQuotes).toBe(2);
  });

  it('is insufficient evidence when nothing was written, whatever was said', () => {
    const { result, integrity } = applyIntegrity({
      plan: [question],
      competencies: [],
      turns,
      code: [{ questionId: 'q-code-1', code: starterCode, written: false, results: null }],
      evaluation: evaluation(['def total(xs):']),
    });
    const q = result.questions[0]!;
    expect(q.score).toBeNull();
    expect(q.insufficientEvidence).toBe(true);
    expect(q.codeEvidence).toEqual([]);
    expect(integrity.scoresWithdrawn).toBe(1);
  });

  it("gives the scorer the final code and the server's results", () => {
    const prompt = buildEvaluationPrompt({
      jobTitle: 'Engineer',
      jobDescription: 'Python.',
      interviewType: 'CODING',
      competencies: [],
      plan: [question],
      turns,
      code: [written],
    });
    expect(prompt).toContain(written.code);
    expect(prompt).toContain('Server test results: 2/2 passed (sums: pass, empty: pass)');
  });
});
