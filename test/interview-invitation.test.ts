import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUser, signIn } from './auth/support.ts';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from './support/harness.ts';

// POST /v1/interviews/:id/invitation: the HR workspace creates an interview with notify: false, lets HR edit the
// plan, then sends the invitation with this call. Real app, real Postgres, the e-mail read back from the outbox. An
// interview whose candidate chooses its language offers the choice in each language (issue 17).

let api: TestApi;
let call: ReturnType<typeof client>;
let other: ReturnType<typeof client>;
let companyId: string;
let jobId: string;

async function candidate(email: string | null, phone: string) {
  return bodyOf(
    await call('POST', '/v1/candidates', { body: { firstName: 'Salma', lastName: 'Nour', phone, ...(email ? { email } : {}) } }),
    201,
  );
}

async function interview(candidateId: string) {
  return bodyOf(
    await call('POST', '/v1/interviews', {
      body: { candidateId, jobId, type: 'TECHNICAL', notify: false, scheduledStart: '2030-05-01T09:00:00Z' },
    }),
    201,
  );
}

async function outbox(interviewId: string) {
  return bodyOf(await call('GET', '/v1/email/messages'), 200).items.filter((m) => m.interviewId === interviewId);
}

beforeAll(async () => {
  api = await startTestApi();
  const acme = await seedCompany(api.db, 'Acme');
  companyId = acme.companyId;
  call = client(api.url, acme.key);
  other = client(api.url, (await seedCompany(api.db, 'Other Co')).key);
  jobId = bodyOf(await call('POST', '/v1/jobs', { body: { title: 'Data Analyst', description: 'SQL and reports.' } }), 201).id;
});
afterAll(() => api?.stop());

describe('POST /v1/interviews/:id/invitation', () => {
  it('queues the invitation of an interview created without one, and audits it', async () => {
    const created = await interview((await candidate('salma@example.com', '+971501110001')).id);
    expect(created.invitation).toEqual({ status: 'skipped', reason: 'notify_false' });
    expect(await outbox(created.id)).toEqual([]);

    const sent = bodyOf(await call('POST', `/v1/interviews/${created.id}/invitation`, { body: {} }), 200);
    expect(sent.invitation).toMatchObject({ status: 'queued', to: 'salma@example.com', locale: 'en' });
    const mail = await outbox(created.id);
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ kind: 'invitation', toAddress: 'salma@example.com' });
    expect(mail[0]!.textBody).toContain(created.signedLink.url);
    const audit = bodyOf(await call('GET', `/v1/audit-events?interviewId=${created.id}`), 200).items;
    expect(audit.map((e) => e.action)).toContain('interview.invitation_sent');
  });

  it('says why nothing was sent to a candidate without an address', async () => {
    const created = await interview((await candidate(null, '+971501110002')).id);
    const sent = bodyOf(await call('POST', `/v1/interviews/${created.id}/invitation`, { body: {} }), 200);
    expect(sent.invitation).toEqual({ status: 'skipped', reason: 'no_email' });
    expect(await outbox(created.id)).toEqual([]);
  });

  it('refuses a cancelled interview (409), another company’s (404), and a reviewer (403)', async () => {
    const created = await interview((await candidate('omar@example.com', '+971501110003')).id);
    expectStatus(await other('POST', `/v1/interviews/${created.id}/invitation`, { body: {} }), 404);
    const reviewer = await seedUser(api, companyId, 'reviewer');
    const session = await signIn(api, reviewer.email, reviewer.password);
    expectStatus(await session.call('POST', `/v1/interviews/${created.id}/invitation`, { body: {} }), 403);
    bodyOf(await call('POST', `/v1/interviews/${created.id}/cancel`, { body: {} }), 200);
    const refused = await call('POST', `/v1/interviews/${created.id}/invitation`, { body: {} });
    expectStatus(refused, 409);
    expect(refused.body.code).toBe('conflict');
    expect(await outbox(created.id)).toEqual([]);
  });

  it('offers the choice of language, in each language offered, for an interview the candidate chooses the language of', async () => {
    bodyOf(await call('PATCH', '/v1/company', { body: { enabledLanguages: ['en', 'ar'] } }), 200);
    try {
      const c = await candidate('layla@example.com', '+971501110004');
      const choosing = bodyOf(
        await call('POST', '/v1/interviews', {
          body: {
            candidateId: c.id,
            jobId,
            type: 'TECHNICAL',
            languageMode: 'candidate',
            scheduledStart: '2030-05-02T09:00:00Z',
          },
        }),
        201,
      );
      expect(choosing.invitation).toMatchObject({ status: 'queued', locale: 'en' });
      const [mail] = await outbox(choosing.id);
      // Written in the language it starts in, with the choice said in English and in Arabic.
      expect(mail!.subject).toBe('Your interview for Data Analyst at Acme');
      expect(mail!.textBody).toContain(
        'You can choose the language of your interview when you open the link: English or Arabic.',
      );
      expect(mail!.textBody).toContain('يمكنك اختيار لغة المقابلة عند فتح الرابط: الإنجليزية أو العربية.');
      expect(mail!.htmlBody).toContain(
        '<p lang="ar" dir="rtl">يمكنك اختيار لغة المقابلة عند فتح الرابط: الإنجليزية أو العربية.</p>',
      );

      // A fixed interview of the same company offers no choice.
      const fixed = bodyOf(
        await call('POST', '/v1/interviews', {
          body: { candidateId: c.id, jobId, type: 'TECHNICAL', language: 'ar', scheduledStart: '2030-05-03T09:00:00Z' },
        }),
        201,
      );
      const [arabic] = await outbox(fixed.id);
      expect(arabic!.subject).toBe('مقابلتك لوظيفة Data Analyst لدى Acme');
      expect(arabic!.textBody).not.toContain('يمكنك اختيار لغة المقابلة');
      expect(arabic!.textBody).not.toContain('You can choose the language');
    } finally {
      bodyOf(await call('PATCH', '/v1/company', { body: { enabledLanguages: ['en'] } }), 200);
    }
  });
});
