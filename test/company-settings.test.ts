import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUser, signIn } from './auth/support.ts';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from './support/harness.ts';

// The company's settings as the HR workspace's Settings tab edits them (issues 15 and 17): the time zone (one value,
// read by the workspace's session, scheduling and invitation e-mails alike), the languages, typed interviews.

let api: TestApi;
let hr: ReturnType<typeof client>;
let companyId: string;

beforeAll(async () => {
  api = await startTestApi();
  const company = await seedCompany(api.db, 'Zone Co');
  companyId = company.companyId;
  hr = client(api.url, company.key);
});
afterAll(() => api?.stop());

describe('company settings', () => {
  it('keeps a time zone: UTC by default, a known zone saved and read back everywhere the company has one', async () => {
    expect(bodyOf(await hr('GET', '/v1/company'), 200).timezone).toBe('UTC');
    const saved = bodyOf(await hr('PATCH', '/v1/company', { body: { timezone: 'Asia/Dubai' } }), 200);
    expect(saved.timezone).toBe('Asia/Dubai');
    expect(bodyOf(await hr('GET', '/v1/company'), 200).timezone).toBe('Asia/Dubai');
    // Scheduling reads the same value: one time zone per company, not one per feature.
    expect(bodyOf(await hr('GET', '/v1/scheduling/settings'), 200).timezone).toBe('Asia/Dubai');
    // And the workspace's session carries it, for the dates it shows.
    const admin = await seedUser(api, companyId, 'admin');
    const session = await signIn(api, admin.email, admin.password);
    expect(session.body.company.timezone).toBe('Asia/Dubai');

    // Setting it through scheduling changes the company's.
    bodyOf(await hr('PUT', '/v1/scheduling/settings', { body: { timezone: 'Europe/London' } }), 200);
    expect(bodyOf(await hr('GET', '/v1/company'), 200).timezone).toBe('Europe/London');
    const again = await session.call('GET', '/v1/auth/session');
    expect(bodyOf(again, 200).company.timezone).toBe('Europe/London');
  });

  it('stores another spelling of a known zone under the name Intl gives it', async () => {
    expect(bodyOf(await hr('PATCH', '/v1/company', { body: { timezone: 'asia/dubai' } }), 200).timezone).toBe('Asia/Dubai');
    expect(bodyOf(await hr('PATCH', '/v1/company', { body: { timezone: 'Etc/UTC' } }), 200).timezone).toBe('UTC');
  });

  it('refuses an unknown time zone with a 400 that names the field and changes nothing', async () => {
    bodyOf(await hr('PATCH', '/v1/company', { body: { timezone: 'Asia/Dubai' } }), 200);
    for (const zone of ['Mars/Olympus', 'Dubai', '+04:00', '']) {
      const refused = await hr('PATCH', '/v1/company', { body: { name: 'Renamed', timezone: zone } });
      expectStatus(refused, 400);
      expect(refused.body.code).toBe('validation_failed');
      expect(refused.body.errors).toEqual([
        { path: 'body.timezone', message: `unknown time zone "${zone}": must be an IANA time zone such as Asia/Dubai or Europe/London` },
      ]);
    }
    expect(bodyOf(await hr('GET', '/v1/company'), 200)).toMatchObject({ name: 'Zone Co', timezone: 'Asia/Dubai' });
    // Scheduling applies the same rule.
    const scheduling = await hr('PUT', '/v1/scheduling/settings', { body: { timezone: 'Mars/Olympus' } });
    expectStatus(scheduling, 400);
    expect(scheduling.body.errors?.[0]?.path).toBe('body.timezone');
  });

  it('gives invitation e-mails the company time zone when the interview names none', async () => {
    bodyOf(await hr('PATCH', '/v1/company', { body: { timezone: 'Asia/Dubai' } }), 200);
    const job = bodyOf(await hr('POST', '/v1/jobs', { body: { title: 'Dispatcher', description: 'Routes trucks.' } }), 201);
    const candidate = bodyOf(
      await hr('POST', '/v1/candidates', {
        body: { firstName: 'Omar', lastName: 'Nasser', phone: '+971501110001', email: 'omar.zone@example.com' },
      }),
      201,
    );
    // 06:00 UTC is 10:00 in Dubai.
    const start = new Date(Date.now() + 3 * 86_400_000);
    start.setUTCHours(6, 0, 0, 0);
    const created = bodyOf(
      await hr('POST', '/v1/interviews', {
        body: { candidateId: candidate.id, jobId: job.id, type: 'GENERAL', scheduledStart: start.toISOString() },
      }),
      201,
    );
    expect(created.invitation.status).toBe('queued');
    const messages = bodyOf(await hr('GET', '/v1/email/messages'), 200).items;
    const invitation = messages.find((m) => m.toAddress === 'omar.zone@example.com' && m.kind === 'invitation');
    expect(invitation?.textBody).toMatch(/10:00.*\(Asia\/Dubai\)/);
  });

  it('saves the languages and typed interviews in one request and reads them back', async () => {
    const saved = bodyOf(
      await hr('PATCH', '/v1/company', {
        body: { enabledLanguages: ['en', 'ar'], defaultLanguage: 'ar', allowTypedInterviews: true, timezone: 'Asia/Riyadh' },
      }),
      200,
    );
    expect(saved).toMatchObject({ enabledLanguages: ['en', 'ar'], defaultLanguage: 'ar', allowTypedInterviews: true, timezone: 'Asia/Riyadh' });
    expect(bodyOf(await hr('GET', '/v1/company'), 200)).toMatchObject({
      enabledLanguages: ['en', 'ar'],
      defaultLanguage: 'ar',
      allowTypedInterviews: true,
      timezone: 'Asia/Riyadh',
    });
  });

  it('refuses a language this deployment has no voice for, naming it, and changes nothing', async () => {
    const englishOnly = await startTestApi({ env: { SPEECH_LANGUAGES: 'en' } });
    try {
      const company = await seedCompany(englishOnly.db, 'English Only Co');
      const call = client(englishOnly.url, company.key);
      const refused = await call('PATCH', '/v1/company', { body: { enabledLanguages: ['en', 'ar'], timezone: 'Asia/Dubai' } });
      expectStatus(refused, 400);
      expect(refused.body.errors).toEqual([
        { path: 'body.enabledLanguages.1', message: 'no interviewer voice for "ar"; offered: en (SPEECH_LANGUAGES)' },
      ]);
      expect(bodyOf(await call('GET', '/v1/company'), 200)).toMatchObject({ enabledLanguages: ['en'], timezone: 'UTC' });
    } finally {
      await englishOnly.stop();
    }
  });
});
