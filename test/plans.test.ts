import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateArrived } from '../shared/interview-lifecycle.ts';
import { bodyOf, client, expectOk, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from './support/harness.ts';
import { plansOnlyBrain, startEvaluationEmulator } from './scoring/gemini-evaluation-emulator.ts';

// Question plans: from the template bank without a model, from Gemini (emulated) with one.

let plain: TestApi;
let withModel: TestApi;
let emulator: Awaited<ReturnType<typeof startEvaluationEmulator>>;
let brokenPlans = false;
/** While set, the model's plan answers wait for it. */
let held: Promise<void> | undefined;
let hr: ReturnType<typeof client>;
let hrModel: ReturnType<typeof client>;
let other: ReturnType<typeof client>;

const resume = 'Rebuilt the double-entry ledger at Fintech Co, cutting reconciliation from six hours to twelve minutes.';

beforeAll(async () => {
  const plans = plansOnlyBrain(() => brokenPlans);
  emulator = await startEvaluationEmulator(async (request) => {
    await held;
    return plans(request);
  });
  plain = await startTestApi();
  withModel = await startTestApi({ env: { GOOGLE_API_KEY: 'test-key-for-emulator', GEMINI_BASE_URL: emulator.url } });
  hr = client(plain.url, (await seedCompany(plain.db, 'Acme')).key);
  other = client(plain.url, (await seedCompany(plain.db, 'Other')).key);
  hrModel = client(withModel.url, (await seedCompany(withModel.db, 'Acme')).key);
});
afterAll(async () => {
  await plain?.stop();
  await withModel?.stop();
  await emulator?.close();
});

async function create(call: ReturnType<typeof client>, extra: Record<string, unknown> = {}) {
  const job = await call('POST', '/v1/jobs', {
    body: {
      title: 'Backend Engineer',
      description: 'Build payment ledgers in TypeScript and Postgres.',
      codingLanguage: 'TYPESCRIPT',
      competencies: [
        { key: 'system_design', name: 'System design', description: 'Designs robust services.' },
        { key: 'ownership', name: 'Ownership', description: 'Drives work to done.' },
        { key: 'communication', name: 'Communication', description: 'Explains clearly.' },
      ],
    },
  });
  expectOk(job);
  const candidate = await call('POST', '/v1/candidates', {
    body: { firstName: 'Layla', lastName: 'Haddad', phone: '+971501234567', resumeText: resume },
  });
  expectOk(candidate);
  const interview = await call('POST', '/v1/interviews', {
    body: { candidateId: candidate.body.id, jobId: job.body.id, type: 'TECHNICAL', maxDurationMinutes: 20, ...extra },
  });
  expectStatus(interview, 201);
  return interview.body;
}

describe('question plans without a language model', () => {
  it('builds the plan from the versioned template bank, fitted to the duration, every question anchored', async () => {
    const interview = await create(hr);
    const plan = interview.plan;
    expect(plan).toMatchObject({ source: 'template-bank:v3', frozen: false, fitsDuration: true });
    expect(plan.questionCount).toBe(plan.questions.length);
    expect(plan.questionCount).toBeGreaterThanOrEqual(2);
    expect(plan.totalSeconds + 90).toBeLessThanOrEqual(20 * 60);
    for (const q of plan.questions) {
      expect(q.anchors).toHaveLength(5);
      expect(q.kind).toBe('template');
    }
    expect(plan.questions.slice(1).map((q) => q.competencyKey)).toEqual(
      expect.arrayContaining(['system_design']),
    );
    const fetched = await hr('GET', `/v1/interviews/${interview.id}/plan`);
    expect(fetched.body).toEqual(plan);
  });

  it('reads as natural sentences, and an Arabic interview gets its questions and anchors in Arabic', async () => {
    const english = await create(hr);
    const systemDesign = english.plan.questions.find((q) => q.competencyKey === 'system_design')!;
    expect(systemDesign.text).toMatch(/^Next topic: System design\. .*"Designs robust services\." /);

    const arabic = await create(hr, { language: 'ar' });
    expect(arabic.language).toBe('ar');
    const latinOutsideQuotes = (text: string) => /[A-Za-z]/.test(text.replace(/«[^»]*»/g, ''));
    for (const q of arabic.plan.questions) {
      expect(q.text).toMatch(/[\u0600-\u06FF]/);
      expect(latinOutsideQuotes(q.text), q.text).toBe(false);
      for (const anchor of q.anchors) expect(latinOutsideQuotes(anchor), anchor).toBe(false);
    }
    // HR's own question is asked as written, and scored on anchors in the interview's language.
    const added = await hr('POST', `/v1/interviews/${arabic.id}/plan/questions`, {
      body: { text: 'ما الذي يحفّزك في هذا الدور؟', competencyKey: 'communication' },
    });
    expectStatus(added, 201);
    const custom = added.body.questions.at(-1)!;
    expect(custom.text).toBe('ما الذي يحفّزك في هذا الدور؟');
    expect(custom.anchors).toHaveLength(5);
    for (const anchor of custom.anchors) expect(anchor).toMatch(/^[^A-Za-z]+$/);
  });

  it('places HR custom questions after the opening, to be asked word for word', async () => {
    const text = 'Why do you want to work on payments infrastructure?';
    const interview = await create(hr, { customQuestions: [{ text, competencyKey: 'communication', timeBudgetSeconds: 120 }] });
    expect(interview.plan.questions[1]).toMatchObject({ text, kind: 'custom', verbatim: true, competencyKey: 'communication' });
    const bad = await hr('POST', '/v1/interviews', {
      body: {
        candidateId: interview.candidateId,
        jobId: interview.jobId,
        type: 'TECHNICAL',
        customQuestions: [{ text: 'A question about nothing?', competencyKey: 'cooking' }],
      },
    });
    expectStatus(bad, 400);
    expect(bad.body.errors?.[0]?.path).toBe('body.customQuestions.0.competencyKey');
  });

  it('lets HR add, edit, delete and replace questions while scheduled, then freezes the plan once it starts', async () => {
    const interview = await create(hr);
    const path = `/v1/interviews/${interview.id}/plan`;
    const added = await hr('POST', `${path}/questions`, {
      body: { text: 'Describe the hardest bug you fixed this year.', position: 1 },
    });
    expectStatus(added, 201);
    expect(added.body.questions[1]).toMatchObject({ questionId: 'q-custom-1', kind: 'custom', verbatim: true, position: 1 });

    const first = added.body.questions[0];
    const edited = await hr('PATCH', `${path}/questions/${first.questionId}`, { body: { text: 'Tell me about your current role.' } });
    expectStatus(edited, 200);
    expect(edited.body.questions[0]).toMatchObject({ text: 'Tell me about your current role.', kind: 'custom' });
    const budget = await hr('PATCH', `${path}/questions/q-custom-1`, { body: { timeBudgetSeconds: 240 } });
    expect(budget.body.questions[1].timeBudgetSeconds).toBe(240);

    const removed = await hr('DELETE', `${path}/questions/q-custom-1`);
    expect(removed.body.questions.map((q: { questionId: string }) => q.questionId)).not.toContain('q-custom-1');
    expect(removed.body.questions.map((q: { position: number }) => q.position)).toEqual(
      removed.body.questions.map((_: unknown, i: number) => i),
    );

    const replaced = await hr('PUT', path, {
      body: {
        questions: [
          { questionId: removed.body.questions[1].questionId, text: removed.body.questions[1].text },
          { text: 'How would you design an idempotent payments API?', competencyKey: 'system_design', timeBudgetSeconds: 300 },
        ],
      },
    });
    expectStatus(replaced, 200);
    expect(replaced.body.questionCount).toBe(2);
    expect(replaced.body.questions[0].kind).toBe('template');
    expect(replaced.body.questions[1]).toMatchObject({ kind: 'custom', verbatim: true, timeBudgetSeconds: 300 });

    const unknown = await hr('PATCH', `${path}/questions/q-nope`, { body: { text: 'Anything at all here?' } });
    expectStatus(unknown, 404);
    const badKey = await hr('POST', `${path}/questions`, { body: { text: 'What is a monad anyway?', competencyKey: 'cooking' } });
    expectStatus(badKey, 400);

    await candidateArrived(plain.db, interview.id, { actor: 'test' });
    const frozen = await hr('GET', path);
    expect(frozen.body.frozen).toBe(true);
    for (const [method, p, body] of [
      ['POST', `${path}/questions`, { text: 'One more question please?' }],
      ['PATCH', `${path}/questions/${replaced.body.questions[0].questionId}`, { timeBudgetSeconds: 100 }],
      ['DELETE', `${path}/questions/${replaced.body.questions[0].questionId}`, undefined],
      ['PUT', path, { questions: [{ text: 'Only this one question?' }] }],
      ['POST', `${path}/regenerate`, {}],
    ] as const) {
      const r = await hr(method, p, body === undefined ? {} : { body });
      expectStatus(r, 409, `${method} ${p}`);
      expect(r.body.code).toBe('invalid_state');
    }
    expect((await hr('GET', path)).body.questions).toEqual(frozen.body.questions);
  });

  it("answers 404 for another company's plan", async () => {
    const interview = await create(hr);
    expect((await other('GET', `/v1/interviews/${interview.id}/plan`)).status).toBe(404);
    expect((await other('POST', `/v1/interviews/${interview.id}/plan/questions`, { body: { text: 'Sneaky question here?' } })).status).toBe(404);
  });
});

describe('question plans from Gemini (emulated)', () => {
  it('generates a validated plan that fits the duration, with a question specific to the résumé', async () => {
    const interview = await create(hrModel);
    const plan = interview.plan;
    expect(plan.source).toBe('gemini-2.5-flash:plan-prompt:v1');
    expect(plan.fallbackReason).toBeUndefined();
    // 20 minutes less 90 s of greeting and closing, at 180 s a question.
    expect(plan.questionCount).toBe(6);
    expect(plan.fitsDuration).toBe(true);
    const resumeQuestions = plan.questions.filter((q: { resumeSpecific: boolean }) => q.resumeSpecific);
    expect(resumeQuestions.length).toBeGreaterThanOrEqual(1);
    expect(resumeQuestions[0]!.text).toContain('Rebuilt the double-entry ledger at Fintech Co');
    for (const q of plan.questions) {
      expect(q.kind).toBe('generated');
      expect(q.anchors).toHaveLength(5);
      expect(['system_design', 'ownership', 'communication']).toContain(q.competencyKey);
    }
    const request = emulator.requests.at(-1)!;
    expect(request.prompt).toContain('Coding language: TypeScript');
    expect(request.prompt).toContain('Interview language: English (en).');
    expect(request.prompt).toContain(resume);
    expect(request.responseMimeType).toBe('application/json');
  });

  it('keeps HR custom questions when the plan is regenerated', async () => {
    const interview = await create(hrModel, { customQuestions: [{ text: 'What does a good code review look like to you?' }] });
    const regenerated = await hrModel('POST', `/v1/interviews/${interview.id}/plan/regenerate`, { body: {} });
    expectStatus(regenerated, 200);
    const custom = regenerated.body.questions.filter((q: { kind: string }) => q.kind === 'custom');
    expect(custom.map((q: { text: string }) => q.text)).toEqual(['What does a good code review look like to you?']);
    expect(regenerated.body.fitsDuration).toBe(true);
  });

  /** Regenerates the plan with the model's answer held until `meanwhile` has run; the response. */
  function regenerateWhile(interviewId: string, meanwhile: () => Promise<void>) {
    return generatingWhile(() => hrModel('POST', `/v1/interviews/${interviewId}/plan/regenerate`, { body: {} }), meanwhile);
  }

  /** Sends a request that generates a plan, with the model's answer held until `meanwhile` has run; the response. */
  async function generatingWhile<R>(request: () => Promise<R>, meanwhile: () => Promise<void>): Promise<R> {
    const release = Promise.withResolvers<void>();
    held = release.promise;
    try {
      const asked = emulator.requests.length;
      const regenerating = request();
      await expect.poll(() => emulator.requests.length).toBe(asked + 1);
      await meanwhile();
      release.resolve();
      return await regenerating;
    } finally {
      held = undefined;
      release.resolve();
    }
  }

  it('regenerates without holding the interview: a candidate joining meanwhile starts it, and the new plan is refused', async () => {
    const interview = await create(hrModel, { customQuestions: [{ text: 'What does a good code review look like to you?' }] });
    const before = await hrModel('GET', `/v1/interviews/${interview.id}/plan`);
    const refused = await regenerateWhile(interview.id, async () => {
      // The model is thinking; the candidate's arrival takes the interview's row at once (it waited out the model
      // call before) and starts the interview, which freezes its plan.
      const arrival = await candidateArrived(withModel.db, interview.id, { actor: 'test' });
      expect(arrival?.started).toBe(true);
    });
    expectStatus(refused, 409);
    expect(refused.body.detail).toMatch(/frozen: the interview is in_progress/);
    expect((await hrModel('GET', `/v1/interviews/${interview.id}/plan`)).body).toEqual({ ...before.body, frozen: true });
  });

  it("refuses a regenerated plan when HR's own questions changed while it was generated (409), losing nothing", async () => {
    const interview = await create(hrModel);
    const question = 'Which trade-off in your last design would you make differently?';
    const refused = await regenerateWhile(interview.id, async () => {
      expectStatus(await hrModel('POST', `/v1/interviews/${interview.id}/plan/questions`, { body: { text: question } }), 201);
    });
    expectStatus(refused, 409);
    expect(refused.body.detail).toMatch(/changed while the plan was generated/);
    const plan = okBody(await hrModel('GET', `/v1/interviews/${interview.id}/plan`));
    expect(plan.questions.map((q) => q.text)).toContain(question);
  });

  it("refuses a language change or a new link with new questions when HR's own questions changed meanwhile: nothing of either applied", async () => {
    bodyOf(await hrModel('PATCH', '/v1/company', { body: { enabledLanguages: ['en', 'ar'] } }), 200);
    const interview = await create(hrModel);
    const link = (await withModel.db.selectFrom('interviews').select('linkVersion').where('id', '=', interview.id).executeTakeFirstOrThrow()).linkVersion;
    let n = 0;
    const addQuestion = async () => {
      const text = `Which trade-off would you revisit first, case ${++n}?`;
      expectStatus(await hrModel('POST', `/v1/interviews/${interview.id}/plan/questions`, { body: { text } }), 201);
    };

    const language = await generatingWhile(
      () => hrModel('PATCH', `/v1/interviews/${interview.id}`, { body: { language: 'ar' } }),
      addQuestion,
    );
    expectStatus(language, 409);
    expect(language.body.detail).toMatch(/changed while the plan was generated/);
    const newLink = await generatingWhile(
      () => hrModel('POST', `/v1/interviews/${interview.id}/link/regenerate`, { body: { regenerateQuestions: true } }),
      addQuestion,
    );
    expectStatus(newLink, 409);

    const after = await withModel.db
      .selectFrom('interviews')
      .select(['language', 'linkVersion'])
      .where('id', '=', interview.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ language: 'en', linkVersion: link });
    const plan = okBody(await hrModel('GET', `/v1/interviews/${interview.id}/plan`));
    expect(plan.questions.filter((q) => q.kind === 'custom').map((q) => q.text)).toEqual([
      'Which trade-off would you revisit first, case 1?',
      'Which trade-off would you revisit first, case 2?',
    ]);
    // Asked again, each goes through with the questions as they are now.
    const changed = bodyOf(await hrModel('PATCH', `/v1/interviews/${interview.id}`, { body: { language: 'ar' } }), 200);
    expect(changed.plan.questions.filter((q) => q.kind === 'custom')).toHaveLength(2);
  });

  it('falls back to the template bank, and says so, when the model returns a plan that breaks the schema', async () => {
    brokenPlans = true;
    try {
      const interview = await create(hrModel);
      expect(interview.plan.source).toBe('template-bank:v3');
      expect(interview.plan.fallbackReason).toMatch(/template bank/);
    } finally {
      brokenPlans = false;
    }
  });
});
