import { ChangeSet, Text } from '@codemirror/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCodeEvents } from '../../api/coding/code-events.repository.ts';
import { disagreements, listCodeReruns, rerunInterviewCode } from '../../api/coding/server-rerun.ts';
import type { CodeEvent, CodingProblem } from '../../shared/coding/coding.schema.ts';
import { finalCode } from '../../shared/coding/replay.ts';
import { bodyOf, client, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';

// After the interview the server rebuilds each coding question's code from the stored editor events and runs it in
// its own sandboxes: the final code against every test (hidden ones too), the code at each of the candidate's runs
// against the visible tests. What the browser claimed is kept beside the server's results, never instead of them.

let api: TestApi;
let hr: ReturnType<typeof client>;

beforeAll(async () => {
  api = await startTestApi();
  hr = client(api.url, (await seedCompany(api.db, 'Rerun Co')).key);
});
afterAll(() => api?.stop());

async function codingInterview() {
  const job = await hr('POST', '/v1/jobs', {
    body: { title: 'Backend Engineer', description: 'Build payment ledgers in Python.', codingLanguage: 'PYTHON', competencies: [] },
  });
  if (job.status !== 201) throw new Error(`job: ${job.status}`);
  const person = await hr('POST', '/v1/candidates', {
    body: { firstName: 'Layla', lastName: 'Haddad', phone: '+971501234567', email: 'layla@example.com' },
  });
  if (person.status !== 201) throw new Error(`candidate: ${person.status}`);
  const created = await hr('POST', '/v1/interviews', {
    body: { candidateId: person.body.id, jobId: job.body.id, type: 'CODING', maxDurationMinutes: 30 },
  });
  if (created.status !== 201) throw new Error(`interview: ${created.status}`);
  const question = created.body.plan.questions.find((q) => q.coding)!;
  return { interviewId: created.body.id, questionId: question.questionId, problem: question.coding as CodingProblem };
}

/** Replaces the whole text with `code`, as one CodeMirror change set. */
function rewrite(doc: Text, code: string, at: number): { doc: Text; event: CodeEvent } {
  const change = ChangeSet.of({ from: 0, to: doc.length, insert: code }, doc.length);
  return { doc: change.apply(doc), event: { type: 'change', at, changes: change.toJSON() } };
}

describe('the server re-run after the interview', () => {
  it('rebuilds the final code, runs hidden tests too, re-runs each candidate run and shows where the browser disagrees', async () => {
    const { interviewId, questionId, problem } = await codingInterview();
    expect(problem.tests.some((t) => !t.visible)).toBe(true);
    const visible = problem.tests.filter((t) => t.visible);
    const wrong = `${problem.starterCode.trimEnd()}\n    return None\n`;

    let doc = Text.of(problem.starterCode.split('\n'));
    const events: CodeEvent[] = [];
    const first = rewrite(doc, wrong, 1000);
    doc = first.doc;
    events.push(first.event);
    // A browser that claims the wrong code passed: the server's re-run of that run says otherwise.
    const claimed = visible.map((t) => ({ name: t.name, passed: true, actual: 'null', output: '', error: null, timedOut: false, durationMs: 1 }));
    events.push({ type: 'run', at: 2000, results: claimed });
    events.push({ type: 'paste', at: 2500, chars: problem.referenceSolution!.length });
    const second = rewrite(doc, problem.referenceSolution!, 3000);
    doc = second.doc;
    events.push(second.event);
    events.push({ type: 'focus', at: 3500, state: 'lost' });
    await insertCodeEvents(api.db, interviewId, questionId, 0, events);

    const stored = events.map((event, seq) => ({ seq, event }));
    expect(finalCode(problem.starterCode, stored)).toBe(doc.toString());

    await rerunInterviewCode(api.db, interviewId);
    const reruns = await listCodeReruns(api.db, interviewId);
    expect(reruns.map((r) => [r.kind, r.seq])).toEqual([
      ['run', 1],
      ['final', 4],
    ]);
    const [run, final] = reruns as [(typeof reruns)[0], (typeof reruns)[0]];
    expect(run.code).toBe(wrong);
    expect(run.results!.map((r) => r.name)).toEqual(visible.map((t) => t.name));
    expect(run.results!.every((r) => !r.passed)).toBe(true);
    expect(disagreements(run)).toEqual(visible.map((t) => t.name));

    expect(final.code).toBe(problem.referenceSolution);
    expect(final.results!.map((r) => r.name)).toEqual(problem.tests.map((t) => t.name));
    expect(final.results!.every((r) => r.passed)).toBe(true);
    expect(final.browserResults).toBeNull();

    // The reviewer's view: the browser's claim beside the server's results, with the tests where they disagree.
    const page = bodyOf(await hr('GET', `/v1/interviews/${interviewId}/code-reruns`), 200);
    expect(page.items.map((i) => i.disagreements)).toEqual([visible.map((t) => t.name), []]);
    const other = client(api.url, (await seedCompany(api.db, 'Other Co')).key);
    expect((await other('GET', `/v1/interviews/${interviewId}/code-reruns`)).status).toBe(404);

    // Run again (a retried job): replaced, not doubled.
    await rerunInterviewCode(api.db, interviewId);
    expect((await listCodeReruns(api.db, interviewId)).length).toBe(2);
    // Two re-runs, each starting Pyodide in fresh workers: tens of seconds on a busy 2-core machine.
  }, 180_000);

  it('stores the starter code and no results when nothing was written', async () => {
    const { interviewId, questionId, problem } = await codingInterview();
    await rerunInterviewCode(api.db, interviewId);
    expect(await listCodeReruns(api.db, interviewId)).toEqual([
      { questionId, kind: 'final', seq: -1, code: problem.starterCode, results: null, browserResults: null, error: null },
    ]);
  });
});
