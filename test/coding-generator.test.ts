import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rerunCode } from '../api/coding/rerun.ts';
import { runnableLanguages } from '../shared/coding/coding.schema.ts';
import { bankProblems } from '../shared/question-bank-coding.ts';
import { bodyOf, client, seedCompany, startTestApi, type TestApi } from './support/harness.ts';
import { isPlanRequest, planBrain, startEvaluationEmulator, type EvaluationRequest } from './scoring/gemini-evaluation-emulator.ts';

// Every coding problem an interview asks has a reference solution that passes all its tests in the server's sandbox:
// the template bank's (checked here), and the model's, accepted only when that holds (the bank's used otherwise).

let api: TestApi;
let emulator: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let hr: ReturnType<typeof client>;
let brokenReference = false;

const reference = 'function ledgerBalance(entries) {\n  return entries.reduce((sum, e) => sum + e, 0);\n}\n';

function problemBrain(request: EvaluationRequest) {
  if (isPlanRequest(request)) return planBrain(request);
  expect(request.systemInstruction).toContain('coding problem');
  return {
    statement: 'Write ledgerBalance(entries) that returns the sum of the ledger entries, in cents; an empty ledger is 0.',
    entry: 'ledgerBalance',
    starterCode: 'function ledgerBalance(entries) {\n}\n',
    sqlSetup: null,
    tests: [
      { name: 'two entries', visible: true, argsJson: '[[100, -40]]', setup: null, expectedJson: '60', ordered: false },
      { name: 'empty ledger', visible: false, argsJson: '[[]]', setup: null, expectedJson: '0', ordered: false },
      { name: 'all withdrawals', visible: false, argsJson: '[[-5, -5]]', setup: null, expectedJson: '-10', ordered: false },
    ],
    // A model that gets its own solution wrong: the sandbox finds out.
    referenceSolution: brokenReference ? reference.replace('sum + e', 'sum - e') : reference,
  };
}

beforeAll(async () => {
  emulator = await startEvaluationEmulator(problemBrain);
  api = await startTestApi({ env: { GOOGLE_API_KEY: 'test-key-for-emulator', GEMINI_BASE_URL: emulator.url } });
  hr = client(api.url, (await seedCompany(api.db, 'Acme')).key);
});
afterAll(async () => {
  await api?.stop();
  await emulator?.close();
});

async function codingPlan() {
  const job = bodyOf(
    await hr('POST', '/v1/jobs', {
      body: { title: 'Ledger Engineer', description: 'Keeps the ledger right.', codingLanguage: 'JAVASCRIPT', competencies: [] },
    }),
    201,
  );
  const candidate = bodyOf(await hr('POST', '/v1/candidates', { body: { firstName: 'Omar', lastName: 'Saleh', phone: '+971501234568' } }), 201);
  const interview = bodyOf(
    await hr('POST', '/v1/interviews', { body: { candidateId: candidate.id, jobId: job.id, type: 'CODING', maxDurationMinutes: 30 } }),
    201,
  );
  return interview.plan.questions.find((q) => q.coding)!;
}

describe('a coding problem written by the model', () => {
  it('is used when its reference solution passes every test in the sandbox', async () => {
    brokenReference = false;
    const question = await codingPlan();
    expect(question.coding).toMatchObject({ language: 'JAVASCRIPT', entry: 'ledgerBalance', referenceSolution: reference });
    expect(question.coding!.tests.map((t) => [t.name, t.visible, t.expected])).toEqual([
      ['two entries', true, 60],
      ['empty ledger', false, 0],
      ['all withdrawals', false, -10],
    ]);
    expect(question.source).toMatch(/problem-prompt:v1$/);
  }, 120_000);

  it("is refused when its reference solution fails its own tests: the template bank's problem is asked instead", async () => {
    brokenReference = true;
    const question = await codingPlan();
    expect(question.coding).toEqual(bankProblems('JAVASCRIPT', 'en')[0]);
    expect(question.source).toMatch(/^template-bank/);
  }, 120_000);
});

describe("the template bank's problems", () => {
  it('pass every test, visible and hidden, with their reference solution in the server sandbox', async () => {
    for (const language of runnableLanguages) {
      for (const problem of bankProblems(language, 'en')) {
        const reference = await rerunCode({ problem, code: problem.referenceSolution! });
        expect(reference.map((r) => [r.name, r.passed, r.error])).toEqual(problem.tests.map((t) => [t.name, true, null]));
      }
    }
  }, 300_000);
});
