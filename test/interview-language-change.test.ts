import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidateArrived } from '../shared/interview-lifecycle.ts';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from './support/harness.ts';

// PATCH /v1/interviews/:id: HR changes a scheduled interview's language or language mode after creating it. A new
// language rewrites the question plan in that language through the plan's one writer (HR's own question kept word
// for word); a language the company does not offer is a 400 naming the field; once the interview has started or
// ended the language is settled (409); another company's interview is a 404. Real app, real Postgres.

let api: TestApi;
let call: ReturnType<typeof client>;
let other: ReturnType<typeof client>;
let jobId: string;
let candidateId: string;

const arabic = /[\u0600-\u06FF]/;
const latinWord = /[A-Za-z]{3,}/;

async function interview(extra: Record<string, unknown> = {}) {
  return bodyOf(
    await call('POST', '/v1/interviews', {
      body: { candidateId, jobId, type: 'BEHAVIORAL', notify: false, scheduledStart: '2030-05-01T09:00:00Z', ...extra },
    }),
    201,
  );
}

const patch = (client: typeof call, id: string, body: unknown) => client('PATCH', `/v1/interviews/${id}`, { body });

beforeAll(async () => {
  api = await startTestApi();
  const acme = await seedCompany(api.db, 'Acme');
  call = client(api.url, acme.key);
  other = client(api.url, (await seedCompany(api.db, 'Other Co')).key);
  bodyOf(await call('PATCH', '/v1/company', { body: { enabledLanguages: ['en', 'ar'] } }), 200);
  jobId = bodyOf(
    await call('POST', '/v1/jobs', { body: { title: 'Data Analyst', description: 'SQL and reports.', language: 'en' } }),
    201,
  ).id;
  candidateId = bodyOf(
    await call('POST', '/v1/candidates', { body: { firstName: 'Salma', lastName: 'Nour', phone: '+971501110071' } }),
    201,
  ).id;
});
afterAll(() => api?.stop());

describe('PATCH /v1/interviews/:id (language)', () => {
  it('rewrites the plan in the new language, keeps HR’s question, and audits the change', async () => {
    const custom = 'Tell us about the report you are proudest of.';
    const created = await interview({ customQuestions: [{ text: custom }] });
    expect(created.plan.questions.every((q) => !arabic.test(q.text))).toBe(true);

    const changed = bodyOf(await patch(call, created.id, { language: 'ar' }), 200);
    expect(changed).toMatchObject({ id: created.id, language: 'ar', languageMode: 'fixed', status: 'scheduled' });
    const generated = changed.plan.questions.filter((q) => q.kind !== 'custom');
    expect(generated.length).toBeGreaterThan(0);
    // The bank's questions and anchors are now Arabic, with no English sentence left.
    for (const q of generated) {
      expect(q.text).toMatch(arabic);
      expect(q.text).not.toMatch(latinWord);
      for (const anchor of q.anchors) expect(anchor).toMatch(arabic);
    }
    // HR's own question is asked word for word, as written.
    expect(changed.plan.questions.filter((q) => q.kind === 'custom').map((q) => q.text)).toEqual([custom]);
    // What the API serves afterwards is what it answered.
    expect(bodyOf(await call('GET', `/v1/interviews/${created.id}`), 200)).toMatchObject({ language: 'ar' });
    expect(bodyOf(await call('GET', `/v1/interviews/${created.id}/plan`), 200).questions).toEqual(changed.plan.questions);

    const audit = bodyOf(await call('GET', `/v1/audit-events?interviewId=${created.id}`), 200).items;
    const entry = audit.find((e) => e.action === 'interview.language.change');
    expect(entry?.details).toMatchObject({
      from: { language: 'en', languageMode: 'fixed' },
      to: { language: 'ar', languageMode: 'fixed' },
    });
  });

  it('changes the mode alone without touching the plan', async () => {
    const created = await interview();
    const changed = bodyOf(await patch(call, created.id, { languageMode: 'candidate' }), 200);
    expect(changed).toMatchObject({ language: 'en', languageMode: 'candidate' });
    expect(changed.plan.questions).toEqual(created.plan.questions);
    // And back, with a language: both at once.
    const fixed = bodyOf(await patch(call, created.id, { languageMode: 'fixed', language: 'ar' }), 200);
    expect(fixed).toMatchObject({ language: 'ar', languageMode: 'fixed' });
    expect(fixed.plan.questions[0]!.text).toMatch(arabic);
  });

  it('refuses a language the company does not offer, and an empty change, naming the field', async () => {
    const created = await interview();
    const french = await patch(call, created.id, { language: 'fr' });
    expectStatus(french, 400);
    expect(french.body.errors).toEqual([
      { path: 'body.language', message: "not one of the company's languages (en, ar)" },
    ]);
    const empty = await patch(call, created.id, {});
    expectStatus(empty, 400);
    const unknownMode = await patch(call, created.id, { languageMode: 'follow' });
    expectStatus(unknownMode, 400);
    expect(unknownMode.body.errors?.map((e: { path: string }) => e.path)).toEqual(['body.languageMode']);
    // Nothing changed.
    expect(bodyOf(await call('GET', `/v1/interviews/${created.id}`), 200)).toMatchObject({
      language: 'en',
      languageMode: 'fixed',
    });
  });

  it('is settled once the interview has started or ended (409), and the plan is kept', async () => {
    const started = await interview();
    await candidateArrived(api.db, started.id, { actor: 'livekit' });
    const late = await patch(call, started.id, { language: 'ar' });
    expectStatus(late, 409);
    expect(late.body.detail).toBe('The language is settled: the interview is in_progress.');
    expect(bodyOf(await call('GET', `/v1/interviews/${started.id}/plan`), 200).questions).toEqual(
      started.plan.questions,
    );

    const cancelled = await interview();
    bodyOf(await call('POST', `/v1/interviews/${cancelled.id}/cancel`, { body: {} }), 200);
    expectStatus(await patch(call, cancelled.id, { languageMode: 'candidate' }), 409);
  });

  it("another company's interview is a 404, and stays as it was", async () => {
    const created = await interview();
    expectStatus(await patch(other, created.id, { language: 'ar' }), 404);
    expect(bodyOf(await call('GET', `/v1/interviews/${created.id}`), 200).language).toBe('en');
  });
});
