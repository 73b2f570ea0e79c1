import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFailedInterviews, releaseCancelledInterviews } from '../../api/scheduling/maintenance.ts';
import { candidateArrived, endInterview } from '../../shared/interview-lifecycle.ts';
import {
  client,
  expectOk,
  expectStatus,
  okBody,
  seedAdminKey,
  seedCompany,
  startTestApi,
  type TestApi,
} from '../support/harness.ts';
import { seedJobAndCandidates, weekly } from './support.ts';

let api: TestApi;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  api = await startTestApi();
  api.setNow(new Date('2027-03-01T00:00:00Z'));
});
afterAll(() => api?.stop());

async function company(name: string) {
  const { key, companyId } = await seedCompany(api.db, name);
  return { call: client(api.url, key), companyId, key };
}

async function oneOffSlot(
  c: ReturnType<typeof client>,
  startsAt: string,
  capacity: number,
  minutes = 30,
  type = 'TECHNICAL',
) {
  const end = new Date(Date.parse(startsAt) + minutes * 60_000).toISOString();
  const r = await c('POST', '/v1/scheduling/slots', { body: { interviewType: type, startsAt, endsAt: end, capacity } });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body;
}

const linkToken = (url: string) => new URL(url).searchParams.get('link')!;

describe('booking under concurrency', () => {
  it('50 parallel bookings of a capacity-3 slot: exactly 3 succeed, 47 get a clear 409, nothing half-made', async () => {
    const co = await company('Rush');
    const slot = await oneOffSlot(co.call, '2027-03-10T09:00:00Z', 3);
    const { jobId, candidates } = await seedJobAndCandidates(co.call, 50);
    const results = await Promise.all(
      candidates.map((c) =>
        co.call('POST', '/v1/scheduling/bookings', { body: { slotId: slot.id, candidateId: c.id, jobId } }),
      ),
    );
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(47);
    for (const r of refused)
      expect(r.body).toMatchObject({ status: 409, code: 'conflict', detail: 'This slot is full.' });
    const after = await co.call('GET', `/v1/scheduling/slots/${slot.id}`);
    expect(after.body).toMatchObject({ booked: 3, available: 0, capacity: 3 });
    // Refused bookings rolled back whole: no stray interviews, bookings or e-mails.
    const counts = await Promise.all(
      (['interviews', 'bookings', 'emailMessages'] as const).map((t) =>
        api.db
          .selectFrom(t)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('companyId', '=', co.companyId)
          .executeTakeFirstOrThrow(),
      ),
    );
    expect(counts.map((c) => Number(c.n))).toEqual([3, 3, 3 * 3]); // invitation + 2 reminders each
  });

  it('a candidate racing for ten slots at once holds exactly one booking for the job', async () => {
    const co = await company('Greedy');
    const slots = [];
    for (let i = 0; i < 10; i++)
      slots.push(await oneOffSlot(co.call, `2027-03-11T${String(8 + i).padStart(2, '0')}:00:00Z`, 5));
    const { jobId, candidates } = await seedJobAndCandidates(co.call, 1);
    const results = await Promise.all(
      slots.map((s) =>
        co.call('POST', '/v1/scheduling/bookings', { body: { slotId: s.id, candidateId: candidates[0]!.id, jobId } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.body).toMatchObject({ status: 409, code: 'conflict' });
      expect(r.body.detail).toMatch(/already holds an active booking/);
    }
    const booked = await co.call('GET', '/v1/scheduling/bookings?status=booked');
    expectOk(booked);
    expect(booked.body.items).toHaveLength(1);
    const seats = await api.db
      .selectFrom('slots')
      .select((eb) => eb.fn.sum<string>('bookedCount').as('n'))
      .where('companyId', '=', co.companyId)
      .executeTakeFirstOrThrow();
    expect(Number(seats.n)).toBe(1);
  });
});

describe('schedules', () => {
  it('booking creates the interview from slot, job and candidate; the link follows the schedule', async () => {
    const co = await company('Flow');
    const config = await co.call('POST', '/v1/scheduling/configs', {
      body: weekly({ settings: { maxDurationMinutes: 25, instructions: 'Focus on ledgers' }, capacity: 1 }),
    });
    const slots = await co.call('GET', '/v1/scheduling/slots?from=2027-03-08T00:00:00Z&to=2027-03-09T00:00:00Z');
    expectOk(slots);
    const slot = slots.body.items[0]!;
    const { jobId, candidates } = await seedJobAndCandidates(co.call, 1);
    const booked = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: slot.id, candidateId: candidates[0]!.id, jobId, candidateTimezone: 'Asia/Dubai' },
    });
    expectStatus(booked, 201);
    expect(booked.body).toMatchObject({
      status: 'booked',
      source: 'hr',
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      icsSequence: 0,
    });
    expect(booked.body.signedLink).toMatchObject({ version: 1, validFrom: '2027-03-08T08:45:00.000Z' });
    const interview = await co.call('GET', `/v1/interviews/${booked.body.interviewId}`);
    expect(interview.body).toMatchObject({
      status: 'scheduled',
      type: 'TECHNICAL',
      candidateId: candidates[0]!.id,
      jobId,
      language: 'en',
      maxDurationMinutes: 25,
      instructions: 'Focus on ledgers',
      scheduledStart: slot.startsAt,
      scheduledEnd: slot.endsAt,
    });
    const events = await api.db
      .selectFrom('webhookEvents')
      .select(['type', 'payload'])
      .where('companyId', '=', co.companyId)
      .execute();
    expect(events.map((e) => [e.type, (e.payload as any).interviewId])).toEqual([
      ['interview.created', booked.body.interviewId],
    ]);
    expectStatus(config, 201);

    const confirmed = await co.call('POST', `/v1/scheduling/bookings/${booked.body.id}/confirm`, { body: {} });
    expectOk(confirmed);
    expect(confirmed.body).toMatchObject({ status: 'confirmed' });
    expect(confirmed.body.confirmedAt).toBeTruthy();

    // Reschedule: a new time, a new link version; the old link stops working.
    const oldToken = linkToken(booked.body.signedLink.url);
    expect((await co.call('GET', `/v1/public/links/${oldToken}`, { key: null })).status).toBe(200);
    const next = okBody(await co.call('GET', '/v1/scheduling/slots?from=2027-03-15T00:00:00Z&to=2027-03-16T00:00:00Z'))
      .items[0]!;
    const moved = await co.call('POST', `/v1/scheduling/bookings/${booked.body.id}/reschedule`, {
      body: { slotId: next.id },
    });
    expectStatus(moved, 200);
    expect(moved.body).toMatchObject({ slotId: next.id, startsAt: next.startsAt, icsSequence: 1, reschedules: 1 });
    expect(moved.body.signedLink.version).toBe(2);
    expect((await co.call('GET', `/v1/public/links/${oldToken}`, { key: null })).status).toBe(404);
    expect(
      (await co.call('GET', `/v1/public/links/${linkToken(moved.body.signedLink.url)}`, { key: null })).status,
    ).toBe(200);
    expect(okBody(await co.call('GET', `/v1/scheduling/slots/${slot.id}`)).booked).toBe(0);
    expect(okBody(await co.call('GET', `/v1/scheduling/slots/${next.id}`)).booked).toBe(1);

    // Into a full slot: 409 and nothing moves.
    const other = await seedJobAndCandidates(co.call, 1);
    const later = okBody(await co.call('GET', '/v1/scheduling/slots?from=2027-03-22T00:00:00Z&to=2027-03-23T00:00:00Z'))
      .items[0]!;
    await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: later.id, candidateId: other.candidates[0]!.id, jobId: other.jobId },
    });
    const full = await co.call('POST', `/v1/scheduling/bookings/${booked.body.id}/reschedule`, {
      body: { slotId: later.id },
    });
    expectStatus(full, 409);
    expect(okBody(await co.call('GET', `/v1/scheduling/bookings/${booked.body.id}`)).slotId).toBe(next.id);

    // Cancel: frees the seat, cancels the interview with the reason; twice is a 409.
    const cancelled = await co.call('POST', `/v1/scheduling/bookings/${booked.body.id}/cancel`, {
      body: { reason: 'candidate withdrew' },
    });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', cancelReason: 'candidate withdrew', icsSequence: 2 });
    expect(okBody(await co.call('GET', `/v1/scheduling/slots/${next.id}`)).booked).toBe(0);
    const after = await co.call('GET', `/v1/interviews/${booked.body.interviewId}`);
    expectOk(after);
    // HR cancelled it; HR's words are the timeline step's note.
    expect(after.body).toMatchObject({ status: 'cancelled', endReason: 'cancelled_by_hr' });
    expect(after.body.timeline.at(-1)).toMatchObject({ reason: 'cancelled_by_hr', note: 'candidate withdrew' });
    expect((await co.call('POST', `/v1/scheduling/bookings/${booked.body.id}/cancel`, { body: {} })).status).toBe(409);
    // The candidate may book again once the earlier booking is cancelled.
    const again = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: next.id, candidateId: candidates[0]!.id, jobId },
    });
    expectStatus(again, 201);
    const audit = await api.db
      .selectFrom('auditLog')
      .select('action')
      .where('targetId', '=', booked.body.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'booking.create',
      'booking.confirm',
      'booking.reschedule',
      'booking.cancel',
    ]);
  });

  it('attaches an existing interview instead of creating one, and refuses a second active booking for it', async () => {
    const co = await company('Attach');
    const a = await oneOffSlot(co.call, '2027-04-01T09:00:00Z', 2);
    const b = await oneOffSlot(co.call, '2027-04-02T09:00:00Z', 2, 30, 'BEHAVIORAL');
    const { jobId, candidates } = await seedJobAndCandidates(co.call, 1);
    const created = await co.call('POST', '/v1/interviews', {
      body: { candidateId: candidates[0]!.id, jobId, type: 'TECHNICAL' },
    });
    expectOk(created);
    const booked = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: a.id, candidateId: candidates[0]!.id, jobId, interviewId: created.body.id },
    });
    expectStatus(booked, 201);
    expect(booked.body.interviewId).toBe(created.body.id);
    expect(booked.body.signedLink.version).toBe(2);
    const second = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: b.id, candidateId: candidates[0]!.id, jobId, interviewId: created.body.id },
    });
    expectStatus(second, 409);
    expect(second.body.detail).toMatch(/already has an active booking/);
    expect(okBody(await co.call('GET', `/v1/scheduling/slots/${b.id}`)).booked).toBe(0);
  });

  it('bad input is a clear 4xx: unknown ids, past slots, malformed bodies', async () => {
    const co = await company('Bad');
    const { jobId, candidates } = await seedJobAndCandidates(co.call, 1);
    const past = await oneOffSlot(co.call, '2027-02-01T09:00:00Z', 1);
    const r1 = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: past.id, candidateId: candidates[0]!.id, jobId },
    });
    expect(r1.body).toMatchObject({ status: 409, detail: 'This slot has already started.' });
    const r2 = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: '00000000-0000-4000-8000-000000000000', candidateId: candidates[0]!.id, jobId },
    });
    expectStatus(r2, 404);
    const r3 = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: 'nope', candidateId: candidates[0]!.id, jobId, extra: 1 },
    });
    expectStatus(r3, 400);
    const r4 = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: past.id, candidateId: candidates[0]!.id, jobId, candidateTimezone: 'Nowhere/City' },
    });
    expectStatus(r4, 400);
    expect(r4.body.errors?.[0]?.path).toBe('body.candidateTimezone');
  });

  it('an interview that could not start becomes a conflict HR can cancel', async () => {
    const co = await company('Failing');
    const slot = await oneOffSlot(co.call, '2027-03-05T09:00:00Z', 1);
    const { jobId, candidates } = await seedJobAndCandidates(co.call, 1);
    const booked = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: slot.id, candidateId: candidates[0]!.id, jobId },
    });
    expectOk(booked);
    await candidateArrived(api.db, booked.body.interviewId, { actor: 'test' });
    await endInterview(api.db, booked.body.interviewId, 'agent_error', { actor: 'agent' });
    expect(await detectFailedInterviews(api.db)).toBeGreaterThanOrEqual(1);
    expect(await detectFailedInterviews(api.db)).toBe(0);
    const conflicts = await co.call('GET', '/v1/scheduling/conflicts?kind=interview_failed_to_start');
    expectOk(conflicts);
    expect(conflicts.body.items).toHaveLength(1);
    expect(conflicts.body.items[0]).toMatchObject({ bookingId: booked.body.id, details: { reason: 'agent_error' } });
    const resolved = await co.call('POST', `/v1/scheduling/conflicts/${conflicts.body.items[0]!.id}/resolve`, {
      body: { action: 'cancel', note: 'offer a new time' },
    });
    expectStatus(resolved, 200);
    expect((await co.call('GET', `/v1/scheduling/bookings/${booked.body.id}`)).body.status).toBe('cancelled');
  });
});

describe('seats follow the interview', () => {
  it('deleting a booked slot keeps it for the booking and records a conflict; an unbooked one is removed', async () => {
    const co = await company('Deleter');
    const booked = await oneOffSlot(co.call, '2027-03-20T09:00:00Z', 2);
    const empty = await oneOffSlot(co.call, '2027-03-20T10:00:00Z', 2);
    const { jobId, candidates } = await seedJobAndCandidates(co.call, 1);
    const booking = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: booked.id, candidateId: candidates[0]!.id, jobId },
    });
    expectOk(booking);
    const r1 = await co.call('DELETE', `/v1/scheduling/slots/${booked.id}`);
    expect(r1.body).toMatchObject({
      removed: 0,
      affectedBookedSlots: [{ id: booked.id, status: 'orphaned', booked: 1 }],
    });
    const conflicts = await co.call('GET', '/v1/scheduling/conflicts?kind=booking_on_removed_slot');
    expectOk(conflicts);
    expect(conflicts.body.items.map((c: any) => [c.bookingId, c.details.change])).toEqual([
      [booking.body.id, 'slot_deleted'],
    ]);
    const r2 = await co.call('DELETE', `/v1/scheduling/slots/${empty.id}`);
    expect(r2.body).toMatchObject({ removed: 1, affectedBookedSlots: [] });
    expect((await co.call('GET', `/v1/scheduling/slots/${empty.id}`)).status).toBe(404);
    expect((await co.call('DELETE', `/v1/scheduling/slots/${empty.id}`)).status).toBe(404);
  });

  it('an interview cancelled through the interviews API frees its seat and sends the calendar cancellation', async () => {
    const co = await company('Elsewhere');
    const slot = await oneOffSlot(co.call, '2027-03-21T09:00:00Z', 1);
    const { jobId, candidates } = await seedJobAndCandidates(co.call, 2);
    const booking = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: slot.id, candidateId: candidates[0]!.id, jobId },
    });
    expectOk(booking);
    expect(
      (await co.call('POST', `/v1/interviews/${booking.body.interviewId}/cancel`, { body: { reason: 'duplicate' } }))
        .status,
    ).toBe(200);
    // Released by the cancel itself; the scheduling chore finds nothing left to do.
    expect(await releaseCancelledInterviews(api.deps, api.deps.now())).toBe(0);
    const after = await co.call('GET', `/v1/scheduling/bookings/${booking.body.id}`);
    expectOk(after);
    expect(after.body).toMatchObject({ status: 'cancelled', cancelReason: 'duplicate', icsSequence: 1 });
    expect(after.body.emails.map((e: any) => [e.kind, e.status])).toEqual([
      ['invitation', 'pending'],
      ['reminder_1440m', 'cancelled'],
      ['reminder_15m', 'cancelled'],
      ['cancellation', 'pending'],
    ]);
    expect(okBody(await co.call('GET', `/v1/scheduling/slots/${slot.id}`)).available).toBe(1);
    const next = await co.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: slot.id, candidateId: candidates[1]!.id, jobId },
    });
    expectStatus(next, 201);
  });
});

describe('tenancy', () => {
  it("every scheduling endpoint answers 404 for another company's records and changes nothing; lists stay empty", async () => {
    const a = await company('Tenant A');
    const b = await company('Tenant B');
    const admin = client(api.url, await seedAdminKey(api.db));
    const config = await a.call('POST', '/v1/scheduling/configs', { body: weekly({ validFrom: '2027-05-03' }) });
    expectOk(config);
    const slot = await oneOffSlot(a.call, '2027-05-01T09:00:00Z', 2);
    const other = await oneOffSlot(a.call, '2027-05-01T10:00:00Z', 2);
    const { jobId, candidates } = await seedJobAndCandidates(a.call, 1);
    const booking = await a.call('POST', '/v1/scheduling/bookings', {
      body: { slotId: slot.id, candidateId: candidates[0]!.id, jobId },
    });
    expectOk(booking);
    const block = await a.call('POST', '/v1/scheduling/blocks', {
      body: { startsAt: '2027-06-01T00:00:00Z', endsAt: '2027-06-02T00:00:00Z' },
    });
    expectOk(block);
    await a.call('POST', '/v1/scheduling/blocks', { body: { slotId: other.id } });
    const conflict = okBody(await a.call('GET', '/v1/scheduling/conflicts')).items[0];
    expect(conflict).toBeUndefined(); // no conflict yet: make one
    await a.call('POST', '/v1/scheduling/blocks', { body: { slotId: slot.id } });
    const conflictId = okBody(await a.call('GET', '/v1/scheduling/conflicts')).items[0]!.id;
    const bJob = await seedJobAndCandidates(b.call, 1);

    const operations: [string, string, unknown?][] = [
      ['GET', `/v1/scheduling/configs/${config.body.id}`],
      ['PUT', `/v1/scheduling/configs/${config.body.id}`, weekly({ startTime: '11:00', endTime: '12:00' })],
      ['DELETE', `/v1/scheduling/configs/${config.body.id}`],
      ['GET', `/v1/scheduling/slots/${slot.id}`],
      ['DELETE', `/v1/scheduling/slots/${slot.id}`],
      ['POST', '/v1/scheduling/invitations', { candidateId: candidates[0]!.id, jobId, interviewType: 'TECHNICAL' }],
      ['POST', '/v1/scheduling/blocks', { slotId: other.id }],
      ['DELETE', `/v1/scheduling/blocks/${block.body.id}`],
      ['GET', `/v1/scheduling/bookings/${booking.body.id}`],
      ['POST', `/v1/scheduling/bookings/${booking.body.id}/confirm`, {}],
      ['POST', `/v1/scheduling/bookings/${booking.body.id}/cancel`, {}],
      ['POST', `/v1/scheduling/bookings/${booking.body.id}/reschedule`, { slotId: other.id }],
      ['POST', '/v1/scheduling/bookings', { slotId: slot.id, candidateId: bJob.candidates[0]!.id, jobId: bJob.jobId }],
      ['POST', `/v1/scheduling/conflicts/${conflictId}/resolve`, { action: 'dismiss' }],
      ['GET', `/v1/interviews/${booking.body.interviewId}/emails`],
      ['POST', '/v1/scheduling/configs', { ...weekly(), companyId: a.companyId }],
      [
        'POST',
        '/v1/scheduling/slots',
        {
          companyId: a.companyId,
          interviewType: 'GENERAL',
          startsAt: '2027-05-01T09:00:00Z',
          endsAt: '2027-05-01T10:00:00Z',
          capacity: 1,
        },
      ],
      ['PUT', '/v1/scheduling/settings', { companyId: a.companyId, timezone: 'Asia/Tokyo' }],
      ['GET', `/v1/scheduling/settings?companyId=${a.companyId}`],
      ['GET', `/v1/scheduling/calendar?companyId=${a.companyId}&from=2027-05-01&to=2027-05-31`],
      ['POST', '/v1/scheduling/slots/generate', { companyId: a.companyId }],
    ];
    for (const [method, path, body] of operations) {
      const r = await b.call(method, path, body === undefined ? {} : { body });
      expectStatus(r, 404, `${method} ${path}`);
      expect(r.body.code).toBe('not_found');
    }
    // B booking A's slot for B's own candidate: 404 too (checked above), and A's records are untouched.
    expect(okBody(await a.call('GET', `/v1/scheduling/configs/${config.body.id}`)).startTime).toBe('09:00');
    expect((await a.call('GET', `/v1/scheduling/bookings/${booking.body.id}`)).body.status).toBe('booked');
    expect((await a.call('GET', `/v1/scheduling/slots/${slot.id}`)).body).toMatchObject({
      booked: 1,
      status: 'blocked',
    });
    expect(okBody(await a.call('GET', '/v1/scheduling/blocks')).items).toHaveLength(3);
    expect(okBody(await a.call('GET', `/v1/scheduling/conflicts?status=open`)).items).toHaveLength(1);
    expect(okBody(await a.call('GET', '/v1/scheduling/settings')).timezone).toBe('UTC');

    for (const path of [
      '/v1/scheduling/configs',
      '/v1/scheduling/slots?from=2027-01-01T00:00:00Z&to=2027-12-31T00:00:00Z&onlyAvailable=false',
      '/v1/scheduling/blocks',
      '/v1/scheduling/bookings',
      '/v1/scheduling/conflicts',
      '/v1/email/messages',
    ]) {
      const r = await b.call('GET', path);
      expectStatus(r, 200, path);
      expect(r.body.items, path).toEqual([]);
    }
    // The admin key sees A's records and must name the company for company-wide operations.
    expect((await admin('GET', `/v1/scheduling/bookings/${booking.body.id}`)).status).toBe(200);
    expect((await admin('GET', `/v1/scheduling/configs/${config.body.id}`)).status).toBe(200);
    expect((await admin('GET', '/v1/scheduling/calendar?from=2027-05-01&to=2027-05-31')).status).toBe(400);
    const doc = await b.call('GET', '/openapi.json');
    for (const path of [
      '/v1/scheduling/bookings',
      '/v1/scheduling/slots/{id}',
      '/v1/public/scheduling/{token}/book',
      '/v1/email/messages',
    ]) {
      expect(doc.body.paths[path], path).toBeTruthy();
    }
    const cal = await admin('GET', `/v1/scheduling/calendar?companyId=${a.companyId}&from=2027-05-01&to=2027-05-31`);
    expectOk(cal);
    expect(cal.body.buckets.length).toBeGreaterThan(0);
  });
});
