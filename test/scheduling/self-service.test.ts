import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, expectOk, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { emailWorker, seedJobAndCandidates, weekly } from './support.ts';

// Candidate self-scheduling: an invitation e-mailed (here: to the local outbox) with a signed token; the candidate
// lists slots, books, moves and cancels through the public API, within the notice and reschedule limits.

let api: TestApi;
let call: ReturnType<typeof client>;
const pub = () => client(api.url);

beforeAll(async () => {
  api = await startTestApi({ env: { SELF_SERVICE_MIN_NOTICE_MINUTES: '120', SELF_SERVICE_MAX_RESCHEDULES: '1' } });
  api.setNow(new Date('2027-03-01T00:00:00Z'));
  const { key } = await seedCompany(api.db, 'Self Co');
  call = client(api.url, key);
  await call('PUT', '/v1/scheduling/settings', { body: { timezone: 'Asia/Dubai' } });
  await call('POST', '/v1/scheduling/configs', { body: weekly({ timezone: 'Asia/Dubai', capacity: 1 }) });
  await call('POST', '/v1/scheduling/configs', {
    body: weekly({ timezone: 'Asia/Dubai', interviewType: 'BEHAVIORAL' }),
  });
});
afterAll(() => api?.stop());

describe('self-scheduling', () => {
  it('invite by e-mail, list, book, reschedule once, refuse changes near the start, cancel', async () => {
    const { jobId, candidates } = await seedJobAndCandidates(call, 1);
    const invited = await call('POST', '/v1/scheduling/invitations', {
      body: { candidateId: candidates[0]!.id, jobId, interviewType: 'TECHNICAL' },
    });
    expectStatus(invited, 201);
    expect(invited.body.url).toMatch(/^http:\/\/interviews\.test\/schedule\?invitation=si1\./);
    const worker = emailWorker(api);
    expect(await worker.runOnce()).toBe(1);
    const outbox = await call('GET', '/v1/email/messages?status=local');
    expectOk(outbox);
    const invitation = outbox.body.items.find((m: any) => m.kind === 'self_schedule')!;
    expect(invitation.textBody).toContain(invited.body.url);
    expect(invitation.subject).toBe('Pick a time for your interview for Backend Engineer at Self Co');
    const token = new URL(invitation.textBody.match(/Choose a time: (\S+)/)![1]!).searchParams.get('invitation')!;

    const view = await pub()('GET', `/v1/public/scheduling/${token}?tz=Asia/Dubai&limit=5`);
    expectStatus(view, 200);
    expect(view.body).toMatchObject({
      companyName: 'Self Co',
      companyTimezone: 'Asia/Dubai',
      language: 'en',
      jobTitle: 'Backend Engineer',
      interviewType: 'TECHNICAL',
      booking: null,
      limits: { minNoticeMinutes: 120, maxReschedules: 1 },
    });
    // What a candidate needs to pick a time, not the company's capacity or configuration.
    expect(Object.keys(view.body.slots[0]!).sort()).toEqual(
      ['endsAt', 'id', 'interviewType', 'localEnd', 'localStart', 'startsAt', 'timezone'].sort(),
    );
    expect(view.body.slots).toHaveLength(5);
    expect(view.body.slots.every((s: any) => s.interviewType === 'TECHNICAL' && s.localStart.endsWith('+04:00'))).toBe(
      true,
    );
    expect(view.body.nextCursor).toBeTruthy();

    // A slot of another type is not bookable with this invitation.
    const behavioral = await call(
      'GET',
      '/v1/scheduling/slots?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z&interviewType=BEHAVIORAL',
    );
    expectOk(behavioral);
    const wrongType = await pub()('POST', `/v1/public/scheduling/${token}/book`, {
      body: { slotId: behavioral.body.items[0]!.id },
    });
    expectStatus(wrongType, 404);

    // The view holds five slots (asserted above).
    const [first, second, third] = [view.body.slots[0]!, view.body.slots[1]!, view.body.slots[2]!];
    const booked = await pub()('POST', `/v1/public/scheduling/${token}/book`, {
      body: { slotId: first.id, timezone: 'Europe/Paris' },
    });
    expectStatus(booked, 201);
    expect(booked.body.booking).toMatchObject({
      startsAt: first.startsAt,
      status: 'booked',
      reschedules: 0,
      reschedulesLeft: 1,
    });
    expect(booked.body.booking!.roomCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(booked.body.canChange).toBe(true);
    const hrView = await call('GET', `/v1/scheduling/bookings/${booked.body.booking!.id}`);
    expect(hrView.body).toMatchObject({ source: 'candidate', candidateTimezone: 'Europe/Paris' });
    // The booking's e-mail (and its reminders) lead back to the page where the candidate can move or cancel it.
    const confirmation = (
      await api.db
        .selectFrom('emailMessages')
        .select(['kind', 'textBody', 'htmlBody'])
        .where('bookingId', '=', booked.body.booking!.id)
        .execute()
    ).filter((m) => m.kind === 'invitation' || m.kind.startsWith('reminder'));
    expect(confirmation.length).toBeGreaterThan(0);
    for (const m of confirmation) {
      const manage = m.textBody.match(/Move or cancel it here: (\S+)/)?.[1];
      expect(manage).toBe(invited.body.url);
      expect(m.htmlBody).toContain('Move or cancel it here');
    }
    // The slot (capacity 1) is gone from the offer; a second booking through the same invitation is refused.
    const again = await pub()('POST', `/v1/public/scheduling/${token}/book`, { body: { slotId: second.id } });
    expectStatus(again, 409);

    // Moved from another place: the booking (and the update e-mail) follow the candidate's timezone.
    const moved = await pub()('POST', `/v1/public/scheduling/${token}/reschedule`, {
      body: { slotId: second.id, timezone: 'America/New_York' },
    });
    expectStatus(moved, 200);
    expect(moved.body.booking).toMatchObject({ startsAt: second.startsAt, reschedules: 1, reschedulesLeft: 0 });
    expect(okBody(await call('GET', `/v1/scheduling/bookings/${booked.body.booking!.id}`)).candidateTimezone).toBe(
      'America/New_York',
    );
    const update = await api.db
      .selectFrom('emailMessages')
      .select('textBody')
      .where('bookingId', '=', booked.body.booking!.id)
      .where('kind', '=', 'update')
      .executeTakeFirstOrThrow();
    expect(update.textBody).toContain('(America/New_York)');
    const tooMany = await pub()('POST', `/v1/public/scheduling/${token}/reschedule`, { body: { slotId: third.id } });
    expectStatus(tooMany, 409);
    expect(tooMany.body.code).toBe('reschedule_limit');
    expect(tooMany.body.detail).toMatch(/already moved 1 times/);

    // Within two hours of the start: no self-service change; HR still can.
    api.setNow(new Date(Date.parse(second.startsAt) - 60 * 60_000));
    const late = await pub()('POST', `/v1/public/scheduling/${token}/cancel`, { body: { reason: 'sick' } });
    expectStatus(late, 409);
    expect(late.body.code).toBe('too_late_to_change');
    expect(late.body.detail).toMatch(/within 120 minutes/);
    expect(okBody(await pub()('GET', `/v1/public/scheduling/${token}`)).canChange).toBe(false);

    api.setNow(new Date('2027-03-01T00:00:00Z'));
    const cancelled = await pub()('POST', `/v1/public/scheduling/${token}/cancel`, {
      body: { reason: 'found another job' },
    });
    expectStatus(cancelled, 200);
    expect(cancelled.body.booking).toBeNull();
    const detail = await call('GET', `/v1/scheduling/bookings/${booked.body.booking!.id}`);
    expect(detail.body).toMatchObject({ status: 'cancelled', cancelReason: 'found another job' });
    const cancellation = await api.db
      .selectFrom('emailMessages')
      .select(['textBody', 'htmlBody'])
      .where('bookingId', '=', booked.body.booking!.id)
      .where('kind', '=', 'cancellation')
      .executeTakeFirstOrThrow();
    expect(cancellation.textBody).toContain('Reason: You cancelled this interview.');
    expect(cancellation.htmlBody).toContain('You cancelled this interview.');
    const audit = await api.db
      .selectFrom('auditLog')
      .select(['action', 'actorType'])
      .where('targetId', '=', booked.body.booking!.id)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'booking.create', actorType: 'candidate' },
      { action: 'booking.reschedule', actorType: 'candidate' },
      { action: 'booking.cancel', actorType: 'candidate' },
    ]);
  });

  it("opens the page, and books, in the invitation's language, not the company's", async () => {
    const { jobId, candidates } = await seedJobAndCandidates(call, 2);
    const inviteIn = async (candidateId: string, locale?: 'ar' | 'en') =>
      okBody(
        await call('POST', '/v1/scheduling/invitations', {
          body: { candidateId, jobId, interviewType: 'BEHAVIORAL', ...(locale ? { locale } : {}) },
        }),
      );
    // The company writes in English; this candidate is invited in Arabic.
    const arabic = await inviteIn(candidates[0]!.id, 'ar');
    const english = await inviteIn(candidates[1]!.id);
    const worker = emailWorker(api);
    while ((await worker.runOnce()) > 0);
    const sent = await api.db
      .selectFrom('emailMessages')
      .select(['subject', 'textBody'])
      .where('kind', '=', 'self_schedule')
      .execute();
    const subjectFor = (url: string) => sent.find((m) => m.textBody.includes(url))?.subject;
    expect(subjectFor(arabic.url)).toBe('اختر موعد مقابلتك لوظيفة Backend Engineer لدى Self Co');
    expect(subjectFor(english.url)).toMatch(/^Pick a time/);

    const view = okBody(await pub()('GET', `/v1/public/scheduling/${arabic.token}?from=2027-03-15T00:00:00Z&limit=5`));
    expect(view.language).toBe('ar');
    expect(okBody(await pub()('GET', `/v1/public/scheduling/${english.token}?limit=1`)).language).toBe('en');
    // The invitation keeps its language when the company's default changes later.
    await call('PUT', '/v1/scheduling/settings', { body: { locale: 'ar' } });
    try {
      expect(okBody(await pub()('GET', `/v1/public/scheduling/${english.token}?limit=1`)).language).toBe('en');
      const arabicDefault = await inviteIn(candidates[1]!.id);
      expect(okBody(await pub()('GET', `/v1/public/scheduling/${arabicDefault.token}?limit=1`)).language).toBe('ar');
    } finally {
      await call('PUT', '/v1/scheduling/settings', { body: { locale: 'en' } });
    }

    // A booking made on the Arabic page is an Arabic booking: its e-mails follow.
    const booked = await pub()('POST', `/v1/public/scheduling/${arabic.token}/book`, {
      body: { slotId: view.slots[0]!.id },
    });
    expectStatus(booked, 201);
    expect(booked.body.language).toBe('ar');
    expect(okBody(await call('GET', `/v1/scheduling/bookings/${booked.body.booking!.id}`)).locale).toBe('ar');
    const confirmation = await api.db
      .selectFrom('emailMessages')
      .select('subject')
      .where('bookingId', '=', booked.body.booking!.id)
      .where('kind', '=', 'invitation')
      .executeTakeFirstOrThrow();
    expect(confirmation.subject).toBe('مقابلتك لوظيفة Backend Engineer لدى Self Co');
  });

  it('refuses forged, tampered and expired tokens alike with 404', async () => {
    const { jobId, candidates } = await seedJobAndCandidates(call, 1, { email: () => undefined });
    const invited = await call('POST', '/v1/scheduling/invitations', {
      body: { candidateId: candidates[0]!.id, jobId, interviewType: 'TECHNICAL', expiresInDays: 2 },
    });
    expectOk(invited);
    const token: string = invited.body.token;
    expect((await pub()('GET', `/v1/public/scheduling/${token}`)).status).toBe(200);
    const tampered = token.slice(0, -3) + (token.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await pub()('GET', `/v1/public/scheduling/${tampered}`)).status).toBe(404);
    expect((await pub()('GET', `/v1/public/scheduling/v1.${token.split('.')[1]}.${token.split('.')[2]}`)).status).toBe(
      404,
    );
    api.setNow(new Date('2027-03-03T00:00:01Z'));
    expect((await pub()('GET', `/v1/public/scheduling/${token}`)).status).toBe(404);
    api.setNow(new Date('2027-03-01T00:00:00Z'));
    // Another company's candidate cannot be invited by this key.
    const other = await seedCompany(api.db, 'Other');
    const o = client(api.url, other.key);
    expect(
      (
        await o('POST', '/v1/scheduling/invitations', {
          body: { candidateId: candidates[0]!.id, jobId, interviewType: 'TECHNICAL' },
        })
      ).status,
    ).toBe(404);
  });

  it('lets an expired invitation manage its booking until the interview starts, but never book anew', async () => {
    const { jobId, candidates } = await seedJobAndCandidates(call, 2, { email: () => undefined });
    const invite = async (candidateId: string) =>
      okBody(
        await call('POST', '/v1/scheduling/invitations', {
          body: { candidateId, jobId, interviewType: 'TECHNICAL', expiresInDays: 1 },
        }),
      ).token;
    const booker = await invite(candidates[0]!.id);
    const idle = await invite(candidates[1]!.id);
    const offer = await pub()('GET', `/v1/public/scheduling/${booker}?from=2027-03-06T00:00:00Z&limit=5`);
    expectOk(offer);
    const [first, second, third] = [offer.body.slots[0]!, offer.body.slots[1]!, offer.body.slots[2]!];
    expect((await pub()('POST', `/v1/public/scheduling/${booker}/book`, { body: { slotId: first.id } })).status).toBe(
      201,
    );

    try {
      api.setNow(new Date('2027-03-03T00:00:00Z'));
      const view = await pub()('GET', `/v1/public/scheduling/${booker}`);
      expectStatus(view, 200);
      expect(view.body.booking).toMatchObject({ startsAt: first.startsAt });
      const moved = await pub()('POST', `/v1/public/scheduling/${booker}/reschedule`, { body: { slotId: second.id } });
      expectStatus(moved, 200);
      expect(moved.body.booking?.startsAt).toBe(second.startsAt);
      // Without a booking, an expired invitation is just expired: nothing to see, nothing to book.
      expect((await pub()('GET', `/v1/public/scheduling/${idle}`)).status).toBe(404);
      expect((await pub()('POST', `/v1/public/scheduling/${idle}/book`, { body: { slotId: third.id } })).status).toBe(
        404,
      );
      // Once the interview has started, the invitation has nothing left to manage.
      api.setNow(new Date(Date.parse(second.startsAt) + 60_000));
      expect((await pub()('GET', `/v1/public/scheduling/${booker}`)).status).toBe(404);
    } finally {
      api.setNow(new Date('2027-03-01T00:00:00Z'));
    }
  });
});
