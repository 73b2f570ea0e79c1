import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedUser, signIn } from '../auth/support.ts';
import { client, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { seedJobAndCandidates, weekly } from './support.ts';

// GET /v1/scheduling/agenda: a week of slots and active bookings in the company's timezone, each marked with the
// open conflicts it is part of (the calendar in the HR workspace draws from it).

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  api.setNow(new Date('2027-03-01T00:00:00Z'));
});
afterAll(() => api?.stop());

async function company(name: string, timezone = 'Asia/Dubai') {
  const { key, companyId } = await seedCompany(api.db, name);
  const call = client(api.url, key);
  okBody(await call('PUT', '/v1/scheduling/settings', { body: { timezone } }));
  return { call, companyId, key };
}

describe('the agenda of a week', () => {
  it('slots and bookings of the week in local time, overlaps and blocked bookings marked with their conflicts', async () => {
    const co = await company('Agenda Co');
    // Mondays 09:00–10:00 in Dubai, 30-minute slots; a second configuration 09:15–10:15 overlaps it.
    const a = okBody(
      await co.call('POST', '/v1/scheduling/configs', { body: weekly({ timezone: 'Asia/Dubai', capacity: 1 }) }),
    );
    expect(a.generation.overlapConflicts).toBe(0);
    // Wednesdays, no overlap with either.
    okBody(await co.call('POST', '/v1/scheduling/configs', { body: weekly({ timezone: 'Asia/Dubai', weekday: 3 }) }));
    const b = okBody(
      await co.call('POST', '/v1/scheduling/configs', {
        body: weekly({ timezone: 'Asia/Dubai', startTime: '09:15', endTime: '10:15' }),
      }),
    );
    expect(b.generation.overlapConflicts).toBe(1);

    const week = okBody(await co.call('GET', '/v1/scheduling/agenda?from=2027-03-01&to=2027-03-07'));
    expect(week.timezone).toBe('Asia/Dubai');
    expect(week.truncated).toBe(false);
    // 2 + 2 on Monday, 2 on Wednesday, in time order, local times in Dubai.
    expect(week.slots.map((s) => s.localStart.slice(0, 16))).toEqual([
      '2027-03-01T09:00',
      '2027-03-01T09:15',
      '2027-03-01T09:30',
      '2027-03-01T09:45',
      '2027-03-03T09:00',
      '2027-03-03T09:30',
    ]);
    expect(week.conflicts).toHaveLength(1);
    const overlap = week.conflicts[0]!;
    expect(overlap).toMatchObject({ kind: 'overlapping_slots', status: 'open' });
    // Every Monday slot overlaps one of the other configuration's; Wednesday's do not.
    expect(week.slots.map((s) => s.conflictIds)).toEqual([
      [overlap.id],
      [overlap.id],
      [overlap.id],
      [overlap.id],
      [],
      [],
    ]);

    // A booking in the first Monday slot: the candidate's name and the job, and the overlap it sits in.
    const { jobId, candidates } = await seedJobAndCandidates(co.call, 2);
    const first = week.slots[0]!;
    const booking = okBody(
      await co.call('POST', '/v1/scheduling/bookings', {
        body: { slotId: first.id, candidateId: candidates[0]!.id, jobId },
      }),
    );
    // A booking on Wednesday, then cancelled: not on the calendar.
    const cancelled = okBody(
      await co.call('POST', '/v1/scheduling/bookings', {
        body: { slotId: week.slots[4]!.id, candidateId: candidates[1]!.id, jobId },
      }),
    );
    okBody(await co.call('POST', `/v1/scheduling/bookings/${cancelled.id}/cancel`, { body: {} }));

    const booked = okBody(await co.call('GET', '/v1/scheduling/agenda?from=2027-03-01&to=2027-03-07'));
    expect(booked.bookings).toHaveLength(1);
    expect(booked.bookings[0]).toMatchObject({
      id: booking.id,
      slotId: first.id,
      candidateName: 'Cand0 Test',
      jobTitle: 'Backend Engineer',
      interviewStatus: 'scheduled',
      startsAt: '2027-03-01T05:00:00.000Z',
      conflictIds: [overlap.id],
    });
    expect(booked.slots[0]).toMatchObject({ booked: 1, available: 0 });

    // Blocking the booked slot makes the booking a conflict of its own, on the booking and on its slot.
    const block = okBody(
      await co.call('POST', '/v1/scheduling/blocks', { body: { slotId: first.id, reason: 'Away' } }),
    );
    expect(block.affectedBookings).toEqual([booking.id]);
    const blocked = okBody(await co.call('GET', '/v1/scheduling/agenda?from=2027-03-01&to=2027-03-07'));
    const onBlocked = blocked.conflicts.find((c) => c.kind === 'booking_on_blocked_slot')!;
    expect(onBlocked.bookingId).toBe(booking.id);
    expect(new Set(blocked.bookings[0]!.conflictIds)).toEqual(new Set([overlap.id, onBlocked.id]));
    expect(new Set(blocked.slots[0]!.conflictIds)).toEqual(new Set([overlap.id, onBlocked.id]));
    expect(blocked.slots[0]!.status).toBe('blocked');

    // A dismissed overlap no longer marks anything; the blocked booking still does.
    okBody(await co.call('POST', `/v1/scheduling/conflicts/${overlap.id}/resolve`, { body: { action: 'dismiss' } }));
    const dismissed = okBody(await co.call('GET', '/v1/scheduling/agenda?from=2027-03-01&to=2027-03-07'));
    expect(dismissed.conflicts.map((c) => c.id)).toEqual([onBlocked.id]);
    expect(dismissed.slots.map((s) => s.conflictIds)).toEqual([[onBlocked.id], [], [], [], [], []]);
    expect(dismissed.bookings[0]!.conflictIds).toEqual([onBlocked.id]);

    // The next week has its own slots and nothing else.
    const next = okBody(await co.call('GET', '/v1/scheduling/agenda?from=2027-03-08&to=2027-03-14'));
    expect(next.slots).toHaveLength(6);
    expect(next.bookings).toEqual([]);
    expect(next.conflicts).toEqual([]);
  });

  it('days are local to the company: a Dubai Monday starts at 20:00 UTC on Sunday', async () => {
    const co = await company('Early Co');
    // A one-off slot at 21:00 UTC on Sunday 7 March is 01:00 on Monday 8 March in Dubai.
    okBody(
      await co.call('POST', '/v1/scheduling/slots', {
        body: {
          interviewType: 'TECHNICAL',
          startsAt: '2027-03-07T21:00:00Z',
          endsAt: '2027-03-07T21:30:00Z',
          capacity: 1,
        },
      }),
    );
    const sunday = okBody(await co.call('GET', '/v1/scheduling/agenda?from=2027-03-07&to=2027-03-07'));
    expect(sunday.slots).toEqual([]);
    const monday = okBody(await co.call('GET', '/v1/scheduling/agenda?from=2027-03-08&to=2027-03-08'));
    expect(monday.slots.map((s) => s.localStart)).toEqual(['2027-03-08T01:00:00.000+04:00']);
  });

  it('refuses a range backwards, longer than six weeks or not a date, and another company gets nothing of this one', async () => {
    const co = await company('Strict Co');
    okBody(await co.call('POST', '/v1/scheduling/configs', { body: weekly({ timezone: 'Asia/Dubai' }) }));
    for (const query of [
      'from=2027-03-07&to=2027-03-01',
      'from=2027-03-01&to=2027-04-30',
      'from=2027-02-30&to=2027-03-07',
      'to=2027-03-07',
    ]) {
      const r = await co.call('GET', `/v1/scheduling/agenda?${query}`);
      expectStatus(r, 400);
      expect(r.body.code, query).toBe('validation_failed');
    }
    const other = await company('Other Co');
    const theirs = okBody(await other.call('GET', '/v1/scheduling/agenda?from=2027-03-01&to=2027-03-07'));
    expect(theirs.slots).toEqual([]);
    // Naming this company's id with the other's key is a 404, as everywhere.
    expectStatus(
      await other.call('GET', `/v1/scheduling/agenda?from=2027-03-01&to=2027-03-07&companyId=${co.companyId}`),
      404,
    );

    // A reviewer reads the schedule (a GET is read access), through a session.
    const reviewer = await seedUser(api, co.companyId, 'reviewer');
    const session = await signIn(api, reviewer.email, reviewer.password);
    const seen = await session.call('GET', '/v1/scheduling/agenda?from=2027-03-01&to=2027-03-07');
    expectStatus(seen, 200);
    expect(seen.body.slots).toHaveLength(2);
  });
});
