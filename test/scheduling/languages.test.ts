import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { seedJobAndCandidates, weekly } from './support.ts';

// Interviews made from the scheduling side follow the rule POST /v1/interviews follows: a language this deployment
// has no interviewer voice for is refused when it is chosen (a configuration, a slot, an invitation, a booking),
// never found out when the candidate is in the call. This deployment offers English only.

let api: TestApi;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  api = await startTestApi({ env: { SPEECH_LANGUAGES: 'en' } });
  api.setNow(new Date('2027-03-01T00:00:00Z'));
  const { key } = await seedCompany(api.db, 'English only Co');
  call = client(api.url, key);
});
afterAll(() => api?.stop());

async function firstSlot(interviewType = 'TECHNICAL') {
  const slots = await call(
    'GET',
    `/v1/scheduling/slots?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z&interviewType=${interviewType}`,
  );
  expectStatus(slots, 200);
  return slots.body.items[0]! as { id: string };
}

describe('scheduling and the interviewer voice', () => {
  it('refuses a configuration or a one-off slot in a language with no voice, naming the field', async () => {
    const config = await call('POST', '/v1/scheduling/configs', {
      body: weekly({ settings: { language: 'ar' } }),
    });
    expectStatus(config, 400);
    expect(config.body.errors).toEqual([
      { path: 'body.settings.language', message: expect.stringContaining('no interviewer voice for "ar"; offered: en') },
    ]);
    const slot = await call('POST', '/v1/scheduling/slots', {
      body: {
        interviewType: 'TECHNICAL',
        startsAt: '2027-03-02T09:00:00Z',
        endsAt: '2027-03-02T09:30:00Z',
        capacity: 1,
        settings: { language: 'ar' },
      },
    });
    expectStatus(slot, 400);
    expect(slot.body.errors?.[0]?.path).toBe('body.settings.language');
    // Nothing was written.
    expect(okBody(await call('GET', '/v1/scheduling/configs')).items).toEqual([]);
    // The same configuration in English is accepted.
    const english = await call('POST', '/v1/scheduling/configs', {
      body: weekly({ interviewType: 'BEHAVIORAL', settings: { language: 'en' } }),
    });
    expectStatus(english, 201);
  });

  it("refuses an invitation or an HR booking for a job whose language has no voice; a candidate's booking gets a refusal meant for them", async () => {
    const { jobId, candidates } = await seedJobAndCandidates(call, 3);
    expectStatus(await call('PATCH', `/v1/jobs/${jobId}`, { body: { language: 'ar' } }), 200);

    const invitation = await call('POST', '/v1/scheduling/invitations', {
      body: { candidateId: candidates[0]!.id, jobId, interviewType: 'TECHNICAL' },
    });
    expectStatus(invitation, 400);
    expect(invitation.body.errors).toEqual([
      { path: 'body.jobId', message: expect.stringContaining(`no interviewer voice for "ar" (the job's language)`) },
    ]);

    // Slots that follow the job's language.
    expectStatus(await call('POST', '/v1/scheduling/configs', { body: weekly() }), 201);
    const slot = await firstSlot();
    const hrBooking = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: slot.id, candidateId: candidates[1]!.id, jobId },
    });
    expectStatus(hrBooking, 400);
    expect(hrBooking.body.errors?.[0]?.message).toContain('no interviewer voice for "ar"');

    // An invitation sent while the job was in English, then the job switched to Arabic: the candidate cannot fix
    // that, so they are told to contact the company, not shown the deployment's settings; the seat stays free.
    expectStatus(await call('PATCH', `/v1/jobs/${jobId}`, { body: { language: 'en' } }), 200);
    const invited = await call('POST', '/v1/scheduling/invitations', {
      body: { candidateId: candidates[2]!.id, jobId, interviewType: 'TECHNICAL' },
    });
    expectStatus(invited, 201);
    expectStatus(await call('PATCH', `/v1/jobs/${jobId}`, { body: { language: 'ar' } }), 200);
    const refused = await client(api.url)('POST', `/v1/public/scheduling/${invited.body.token}/book`, {
      body: { slotId: slot.id },
    });
    expectStatus(refused, 409);
    expect(refused.body.detail).toBe(
      'This interview cannot be booked online at the moment. Please contact the company that invited you.',
    );
    expect(refused.body.errors).toBeUndefined();
    expect(JSON.stringify(refused.body)).not.toContain('SPEECH_LANGUAGES');

    expect(okBody(await call('GET', '/v1/scheduling/bookings')).items).toEqual([]);
    expect(okBody(await call('GET', `/v1/interviews?jobId=${jobId}`)).items).toEqual([]);

    // Back in English, the same booking goes through.
    expectStatus(await call('PATCH', `/v1/jobs/${jobId}`, { body: { language: 'en' } }), 200);
    expectStatus(
      await client(api.url)('POST', `/v1/public/scheduling/${invited.body.token}/book`, { body: { slotId: slot.id } }),
      201,
    );
  });
});
