import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from './support/harness.ts';

// Language choice: a company enables the languages its candidates may pick from; an interview in 'candidate' mode
// lists them on the public room information, and the candidate's first join sets the interview's language (and its
// plan) before the interviewer is dispatched. A fixed interview, or a later join, keeps the language it has.

let api: TestApi;
let hr: ReturnType<typeof client>;
let pub: ReturnType<typeof client>;
const person = { phone: '+971501234567', firstName: 'Layla', lastName: 'Haddad' };

beforeAll(async () => {
  api = await startTestApi({ env: { AGENT_NAME: `interviewer-lang-${process.pid}` } });
  const { key } = await seedCompany(api.db, 'Choice Co');
  hr = client(api.url, key);
  pub = client(api.url);
});
afterAll(() => api?.stop());

async function interviewIn(languageMode: 'fixed' | 'candidate', phone: string) {
  const job = bodyOf(
    await hr('POST', '/v1/jobs', { body: { title: 'Backend Engineer', description: 'Ledgers in TypeScript.', language: 'en' } }),
    201,
  );
  const candidate = bodyOf(
    await hr('POST', '/v1/candidates', { body: { firstName: 'Layla', lastName: 'Haddad', phone } }),
    201,
  );
  return bodyOf(
    await hr('POST', '/v1/interviews', {
      body: { candidateId: candidate.id, jobId: job.id, type: 'TECHNICAL', maxDurationMinutes: 30, languageMode },
    }),
    201,
  );
}

describe('language choice', () => {
  it("keeps the company's languages to those with a voice, the default among them", async () => {
    const company = bodyOf(await hr('GET', '/v1/company'), 200);
    expect(company).toMatchObject({ defaultLanguage: 'en', enabledLanguages: ['en'] });
    const unknown = await hr('PATCH', '/v1/company', { body: { enabledLanguages: ['en', 'fr'] } });
    expectStatus(unknown, 400);
    expect(unknown.body.errors?.[0]?.path).toBe('body.enabledLanguages.1');
    const defaultNotEnabled = await hr('PATCH', '/v1/company', { body: { defaultLanguage: 'ar' } });
    expectStatus(defaultNotEnabled, 400);
    expect(defaultNotEnabled.body.errors).toEqual([
      { path: 'body.defaultLanguage', message: '"ar" is not in the enabled languages (en)' },
    ]);
    const both = bodyOf(await hr('PATCH', '/v1/company', { body: { enabledLanguages: ['en', 'ar'], defaultLanguage: 'ar' } }), 200);
    expect(both).toMatchObject({ defaultLanguage: 'ar', enabledLanguages: ['en', 'ar'] });
    const dropDefault = await hr('PATCH', '/v1/company', { body: { enabledLanguages: ['en'] } });
    expectStatus(dropDefault, 400);
    expect(dropDefault.body.errors?.[0]?.path).toBe('body.enabledLanguages');
    // The default is what a job gets when it names no language (and so its interviews).
    const arabicJob = bodyOf(await hr('POST', '/v1/jobs', { body: { title: 'Dispatcher', description: 'Routes trucks.' } }), 201);
    expect(arabicJob.language).toBe('ar');
    bodyOf(await hr('PATCH', '/v1/company', { body: { defaultLanguage: 'en' } }), 200);
    const englishJob = bodyOf(await hr('POST', '/v1/jobs', { body: { title: 'Dispatcher', description: 'Routes trucks.' } }), 201);
    expect(englishJob.language).toBe('en');
  });

  it("lets the candidate choose on their first join, before the interviewer is dispatched; then the choice is settled", async () => {
    const chosen = await interviewIn('candidate', '+971501234567');
    expect(chosen).toMatchObject({ languageMode: 'candidate', language: 'en' });
    const info = bodyOf(await pub('GET', `/v1/public/rooms/${chosen.roomCode}`), 200);
    expect(info.languageChoices).toEqual(['en', 'ar']);

    const bad = await pub('POST', `/v1/public/rooms/${chosen.roomCode}/join`, { body: { ...person, language: 'fr' } });
    expectStatus(bad, 400);
    expect(bad.body.errors?.[0]?.path).toBe('body.language');

    const joined = bodyOf(
      await pub('POST', `/v1/public/rooms/${chosen.roomCode}/join`, { body: { ...person, language: 'ar' } }),
      200,
    );
    expect(joined.language).toBe('ar');
    const row = await api.db
      .selectFrom('interviews')
      .select(['language', 'languageChosenAt', 'agentDispatchedAt'])
      .where('id', '=', chosen.id)
      .executeTakeFirstOrThrow();
    expect(row.language).toBe('ar');
    expect(row.languageChosenAt).toBeInstanceOf(Date);
    // The plan the interviewer will read exists, written after the choice.
    const plan = await api.db.selectFrom('interviewPlanQuestions').select('createdAt').where('interviewId', '=', chosen.id).execute();
    expect(plan.length).toBeGreaterThan(0);
    for (const q of plan) expect(q.createdAt.getTime()).toBeGreaterThanOrEqual(row.languageChosenAt!.getTime());
    // Settled: no more choices on the page, and HR sees the language it will be held in.
    expect(bodyOf(await pub('GET', `/v1/public/rooms/${chosen.roomCode}`), 200).languageChoices).toBeNull();
    expect(bodyOf(await hr('GET', `/v1/interviews/${chosen.id}`), 200).language).toBe('ar');
  });

  it('ignores a language sent for a fixed interview', async () => {
    const fixed = await interviewIn('fixed', '+971501234568');
    expect(bodyOf(await pub('GET', `/v1/public/rooms/${fixed.roomCode}`), 200).languageChoices).toBeNull();
    const joined = bodyOf(
      await pub('POST', `/v1/public/rooms/${fixed.roomCode}/join`, {
        body: { ...person, phone: '+971501234568', language: 'ar' },
      }),
      200,
    );
    expect(joined.language).toBe('en');
    expect(bodyOf(await hr('GET', `/v1/interviews/${fixed.id}`), 200)).toMatchObject({ language: 'en', languageMode: 'fixed' });
  });
});
