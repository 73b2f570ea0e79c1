import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from './support/harness.ts';
import { seedUser, signIn } from './auth/support.ts';

// Typed interviews (issue 18): a candidate with no working microphone may type every answer, only when the company
// says so. Off by default; only an admin changes it; the room information and the join answer tell the candidate's page.

let api: TestApi;
let hr: ReturnType<typeof client>;
let pub: ReturnType<typeof client>;
let companyId: string;

beforeAll(async () => {
  api = await startTestApi({ env: { AGENT_NAME: `interviewer-typed-${process.pid}` } });
  const seeded = await seedCompany(api.db, 'Typed Co');
  companyId = seeded.companyId;
  hr = client(api.url, seeded.key);
  pub = client(api.url);
});
afterAll(() => api?.stop());

describe('typed interviews setting', () => {
  it('is off by default, changed by an admin only, and reaches the room information and the join answer', async () => {
    expect(bodyOf(await hr('GET', '/v1/company'), 200).allowTypedInterviews).toBe(false);

    const job = bodyOf(await hr('POST', '/v1/jobs', { body: { title: 'Support Lead', description: 'Tickets.', language: 'en' } }), 201);
    const candidate = bodyOf(
      await hr('POST', '/v1/candidates', { body: { firstName: 'Omar', lastName: 'Nasser', phone: '+971501112233' } }),
      201,
    );
    const interview = bodyOf(
      await hr('POST', '/v1/interviews', { body: { candidateId: candidate.id, jobId: job.id, type: 'GENERAL', maxDurationMinutes: 20 } }),
      201,
    );
    expect(bodyOf(await pub('GET', `/v1/public/rooms/${interview.roomCode}`), 200).typedAnswersAllowed).toBe(false);

    // A recruiter may read the company but not change it.
    const recruiterUser = await seedUser(api, companyId, 'recruiter');
    const recruiter = await signIn(api, recruiterUser.email, recruiterUser.password);
    expect(bodyOf(await recruiter.call('GET', '/v1/company'), 200).allowTypedInterviews).toBe(false);
    expectStatus(await recruiter.call('PATCH', '/v1/company', { body: { allowTypedInterviews: true } }), 403);

    const wrongType = await hr('PATCH', '/v1/company', { body: { allowTypedInterviews: 'yes' } });
    expectStatus(wrongType, 400);
    expect(wrongType.body.errors?.[0]?.path).toBe('body.allowTypedInterviews');

    const adminUser = await seedUser(api, companyId, 'admin');
    const admin = await signIn(api, adminUser.email, adminUser.password);
    expect(bodyOf(await admin.call('PATCH', '/v1/company', { body: { allowTypedInterviews: true } }), 200).allowTypedInterviews).toBe(true);
    expect(bodyOf(await hr('GET', '/v1/company'), 200).allowTypedInterviews).toBe(true);
    const audit = await api.db
      .selectFrom('auditLog')
      .select('details')
      .where('action', '=', 'company.update')
      .where('companyId', '=', companyId)
      .executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ fields: ['allowTypedInterviews'] });

    expect(bodyOf(await pub('GET', `/v1/public/rooms/${interview.roomCode}`), 200).typedAnswersAllowed).toBe(true);
    const joined = bodyOf(
      await pub('POST', `/v1/public/rooms/${interview.roomCode}/join`, {
        body: { phone: '+971501112233', firstName: 'Omar', lastName: 'Nasser' },
      }),
      200,
    );
    expect(joined.typedAnswersAllowed).toBe(true);
  });
});
