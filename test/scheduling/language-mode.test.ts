import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyOf, client, expectStatus, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { seedJobAndCandidates, weekly } from './support.ts';

// A slot can book an interview whose candidate chooses its language, as POST /v1/interviews can: an availability
// configuration or a one-off slot says `settings.languageMode`, the booking (HR's or the candidate's own) copies it
// onto the interview, and the join page then offers the company's enabled languages. The language the interview
// would be held in meanwhile passes the same voice check as every other path.

let api: TestApi;
let hr: ReturnType<typeof client>;
const pub = () => client(api.url);
const monday = new Date('2027-03-01T00:00:00Z');

beforeAll(async () => {
  api = await startTestApi({ env: { AGENT_NAME: `interviewer-slot-lang-${process.pid}` } });
  api.setNow(monday);
  const { key } = await seedCompany(api.db, 'Choice Slots Co');
  hr = client(api.url, key);
  bodyOf(await hr('PATCH', '/v1/company', { body: { enabledLanguages: ['en', 'ar'] } }), 200);
});
afterAll(() => api?.stop());

async function slotsOf(interviewType: string) {
  const slots = await hr(
    'GET',
    `/v1/scheduling/slots?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z&interviewType=${interviewType}`,
  );
  expectStatus(slots, 200);
  return slots.body.items as { id: string; startsAt: string }[];
}

const interviewOf = async (interviewId: string) => bodyOf(await hr('GET', `/v1/interviews/${interviewId}`), 200);

describe('slots in a language mode', () => {
  it('refuses a mode that is not fixed or candidate, naming the field', async () => {
    const config = await hr('POST', '/v1/scheduling/configs', {
      body: weekly({ settings: { languageMode: 'follow' } }),
    });
    expectStatus(config, 400);
    expect(config.body.errors?.map((e: { path: string }) => e.path)).toEqual(['body.settings.languageMode']);
    const slot = await hr('POST', '/v1/scheduling/slots', {
      body: {
        interviewType: 'GENERAL',
        startsAt: '2027-03-01T12:00:00Z',
        endsAt: '2027-03-01T12:30:00Z',
        capacity: 1,
        settings: { languageMode: 'any' },
      },
    });
    expectStatus(slot, 400);
    expect(slot.body.errors?.map((e: { path: string }) => e.path)).toEqual(['body.settings.languageMode']);
  });

  it("a candidate-choice configuration books interviews the candidate's first join puts in their language; a fixed one does not offer a choice", async () => {
    const candidateMode = bodyOf(
      await hr('POST', '/v1/scheduling/configs', { body: weekly({ settings: { languageMode: 'candidate' } }) }),
      201,
    );
    expect(candidateMode.settings).toEqual({ languageMode: 'candidate' });
    bodyOf(await hr('POST', '/v1/scheduling/configs', { body: weekly({ interviewType: 'BEHAVIORAL' }) }), 201);
    const { jobId, candidates } = await seedJobAndCandidates(hr, 2);

    // HR books the candidate-choice slot.
    const [slot] = await slotsOf('TECHNICAL');
    const booking = bodyOf(
      await hr('POST', '/v1/scheduling/bookings', {
        body: { slotId: slot!.id, candidateId: candidates[0]!.id, jobId },
      }),
      201,
    );
    const chosen = await interviewOf(booking.interviewId);
    expect(chosen).toMatchObject({ languageMode: 'candidate', language: 'en' });
    const info = bodyOf(await pub()('GET', `/v1/public/rooms/${chosen.roomCode}`), 200);
    expect(info.languageChoices).toEqual(['en', 'ar']);

    // The join opens at the slot; the candidate picks Arabic and the interview is held in it.
    api.setNow(new Date(slot!.startsAt));
    try {
      const joined = bodyOf(
        await pub()('POST', `/v1/public/rooms/${chosen.roomCode}/join`, {
          body: { phone: candidates[0]!.phone, firstName: 'Cand0', lastName: 'Test', language: 'ar' },
        }),
        200,
      );
      expect(joined.language).toBe('ar');
      expect(await interviewOf(booking.interviewId)).toMatchObject({ languageMode: 'candidate', language: 'ar' });
    } finally {
      api.setNow(monday);
    }

    // The fixed configuration (no mode said) books a fixed interview: no choice on the join page.
    const [behavioral] = await slotsOf('BEHAVIORAL');
    const fixedBooking = bodyOf(
      await hr('POST', '/v1/scheduling/bookings', {
        body: { slotId: behavioral!.id, candidateId: candidates[1]!.id, jobId },
      }),
      201,
    );
    const fixed = await interviewOf(fixedBooking.interviewId);
    expect(fixed).toMatchObject({ languageMode: 'fixed', language: 'en' });
    expect(bodyOf(await pub()('GET', `/v1/public/rooms/${fixed.roomCode}`), 200).languageChoices).toBeNull();
  });

  it('a one-off candidate-choice slot booked by the candidate themselves; its language still passes the voice check', async () => {
    const slot = bodyOf(
      await hr('POST', '/v1/scheduling/slots', {
        body: {
          interviewType: 'CUSTOM',
          startsAt: '2027-03-03T09:00:00Z',
          endsAt: '2027-03-03T09:30:00Z',
          capacity: 1,
          settings: { language: 'ar', languageMode: 'candidate' },
        },
      }),
      201,
    );
    const { jobId, candidates } = await seedJobAndCandidates(hr, 1);
    const invited = bodyOf(
      await hr('POST', '/v1/scheduling/invitations', {
        body: { candidateId: candidates[0]!.id, jobId, interviewType: 'CUSTOM' },
      }),
      201,
    );
    const booked = bodyOf(
      await pub()('POST', `/v1/public/scheduling/${invited.token}/book`, { body: { slotId: slot.id } }),
      201,
    );
    const hrView = bodyOf(await hr('GET', `/v1/scheduling/bookings/${booked.booking!.id}`), 200);
    const interview = await interviewOf(hrView.interviewId);
    expect(interview).toMatchObject({ languageMode: 'candidate', language: 'ar' });
    expect(bodyOf(await pub()('GET', `/v1/public/rooms/${interview.roomCode}`), 200).languageChoices).toEqual([
      'en',
      'ar',
    ]);

    // A language this deployment has no voice for is refused on a candidate-choice slot too, at the field.
    const unvoiced = await hr('POST', '/v1/scheduling/slots', {
      body: {
        interviewType: 'CUSTOM',
        startsAt: '2027-03-03T10:00:00Z',
        endsAt: '2027-03-03T10:30:00Z',
        capacity: 1,
        settings: { language: 'fr', languageMode: 'candidate' },
      },
    });
    expectStatus(unvoiced, 400);
    expect(unvoiced.body.errors).toEqual([
      { path: 'body.settings.language', message: expect.stringContaining('no interviewer voice for "fr"') },
    ]);
  });
});
