import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { client, expectOk, expectStatus, okBody, seedCompany, startTestApi, type TestApi } from '../support/harness.ts';
import { seedJobAndCandidates, weekly } from './support.ts';

// Availability: configurations, idempotent and DST-correct slot generation, one-off slots, blocks, conflicts.
// Each test works in its own company, so they cannot see each other's slots.

let api: TestApi;
let call: ReturnType<typeof client>;

beforeAll(async () => {
  api = await startTestApi({ env: { SLOT_HORIZON_WEEKS: '8' } });
});
afterAll(() => api?.stop());

beforeEach(async () => {
  const { key } = await seedCompany(api.db, `Co ${Math.random()}`);
  call = client(api.url, key);
  api.setNow(new Date('2027-03-01T00:00:00Z'));
});

async function allSlots(query: string) {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const r: any = await call('GET', `/v1/scheduling/slots?${query}&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    expectStatus(r, 200);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
  } while (cursor);
  return items;
}

describe('slot generation', () => {
  it('Europe/London: the same local time before and after the March change, one UTC hour apart', async () => {
    const created = await call('POST', '/v1/scheduling/configs', { body: weekly() });
    expectStatus(created, 201);
    // Mondays 1 March … 19 April 2027 inside 8 weeks: 8 days × 2 slots.
    expect(created.body.generation.created).toBe(16);
    const slots = await allSlots(
      'from=2027-03-01T00:00:00Z&to=2027-05-01T00:00:00Z&tz=Europe/London&interviewType=TECHNICAL',
    );
    expect(slots).toHaveLength(16);
    // Paging in time order, no duplicates across pages.
    expect(new Set(slots.map((s) => s.id)).size).toBe(16);
    expect(slots.map((s) => s.startsAt)).toEqual([...slots.map((s) => s.startsAt)].sort());
    const starts = slots.filter((s) => s.localStart.includes('T09:00'));
    expect(starts).toHaveLength(8);
    // 22 March is GMT, 29 March (after 28 March, 01:00 UTC) is BST.
    const byDay = Object.fromEntries(starts.map((s) => [s.localStart.slice(0, 10), s]));
    expect(byDay['2027-03-22']).toMatchObject({
      startsAt: '2027-03-22T09:00:00.000Z',
      localStart: '2027-03-22T09:00:00.000+00:00',
    });
    expect(byDay['2027-03-29']).toMatchObject({
      startsAt: '2027-03-29T08:00:00.000Z',
      localStart: '2027-03-29T09:00:00.000+01:00',
    });
    expect(slots.every((s) => /T09:(00|30):00\.000\+0[01]:00$/.test(s.localStart))).toBe(true);
    expect(slots.every((s) => s.capacity === 2 && s.available === 2 && s.status === 'open')).toBe(true);
  });

  it('Europe/London in autumn and Asia/Dubai (no DST): local times stay put', async () => {
    api.setNow(new Date('2027-10-18T00:00:00Z'));
    await call('POST', '/v1/scheduling/configs', {
      body: weekly({ validFrom: '2027-10-18', startTime: '09:00', endTime: '09:30' }),
    });
    const london = await allSlots('from=2027-10-18T00:00:00Z&to=2027-11-10T00:00:00Z&tz=Europe/London');
    // 31 October 2027 is the change back to GMT.
    expect(london.map((s) => s.startsAt)).toEqual([
      '2027-10-18T08:00:00.000Z',
      '2027-10-25T08:00:00.000Z',
      '2027-11-01T09:00:00.000Z',
      '2027-11-08T09:00:00.000Z',
    ]);
    expect(london.every((s) => s.localStart.includes('T09:00:00'))).toBe(true);

    const { key } = await seedCompany(api.db, 'Dubai Co');
    const dubai = client(api.url, key);
    const created = await dubai('POST', '/v1/scheduling/configs', {
      body: weekly({
        timezone: 'Asia/Dubai',
        weekday: 7,
        validFrom: '2027-10-01',
        startTime: '10:00',
        endTime: '11:00',
        slotMinutes: 45,
        breakMinutes: 15,
      }),
    });
    expectStatus(created, 201);
    const r = await dubai('GET', '/v1/scheduling/slots?from=2027-10-18T00:00:00Z&to=2027-11-15T00:00:00Z');
    expectOk(r);
    // Sundays 24 and 31 October, 7 and 14 November: always 06:00 UTC, a single 45-minute slot per day.
    expect(r.body.items.map((s: any) => [s.startsAt, s.localStart, s.endsAt])).toEqual([
      ['2027-10-24T06:00:00.000Z', '2027-10-24T10:00:00.000+04:00', '2027-10-24T06:45:00.000Z'],
      ['2027-10-31T06:00:00.000Z', '2027-10-31T10:00:00.000+04:00', '2027-10-31T06:45:00.000Z'],
      ['2027-11-07T06:00:00.000Z', '2027-11-07T10:00:00.000+04:00', '2027-11-07T06:45:00.000Z'],
      ['2027-11-14T06:00:00.000Z', '2027-11-14T10:00:00.000+04:00', '2027-11-14T06:45:00.000Z'],
    ]);
    // Displayed in another timezone on request.
    const shown = await dubai(
      'GET',
      '/v1/scheduling/slots?from=2027-10-24T00:00:00Z&to=2027-10-25T00:00:00Z&tz=Europe/London',
    );
    expectOk(shown);
    expect(shown.body.items[0]).toMatchObject({
      localStart: '2027-10-24T07:00:00.000+01:00',
      timezone: 'Europe/London',
    });
  });

  it('generating again creates nothing and keeps the same slots; the company timezone is the default', async () => {
    await call('PUT', '/v1/scheduling/settings', { body: { timezone: 'Asia/Dubai' } });
    const { timezone: _tz, ...noZone } = weekly();
    const created = await call('POST', '/v1/scheduling/configs', { body: noZone });
    expectOk(created);
    expect(created.body.timezone).toBe('Asia/Dubai');
    const before = await allSlots('from=2027-03-01T00:00:00Z&to=2028-01-01T00:00:00Z&onlyAvailable=false');
    for (let i = 0; i < 2; i++) {
      const again = await call('POST', '/v1/scheduling/slots/generate', { body: {} });
      expectStatus(again, 200);
      expect(again.body.created).toBe(0);
    }
    const after = await allSlots('from=2027-03-01T00:00:00Z&to=2028-01-01T00:00:00Z&onlyAvailable=false');
    expect(after.map((s) => [s.id, s.startsAt])).toEqual(before.map((s) => [s.id, s.startsAt]));
    // A week later the horizon rolls forward by exactly one Monday.
    api.setNow(new Date('2027-03-08T00:00:00Z'));
    const rolled = await call('POST', '/v1/scheduling/slots/generate', { body: {} });
    expectOk(rolled);
    expect(rolled.body.created).toBe(2);
  });

  it('rejects bad configurations with clear 400s and stores nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [weekly({ timezone: 'Mars/Olympus' }), 'body.timezone'],
      [weekly({ startTime: '10:00', endTime: '09:00' }), 'body.endTime'],
      [weekly({ startTime: '9am' }), 'body.startTime'],
      [weekly({ weekday: 8 }), 'body.weekday'],
      [weekly({ capacity: 0 }), 'body.capacity'],
      [weekly({ validFrom: '2027-02-30' }), 'body.validFrom'],
      [weekly({ validUntil: '2027-01-01' }), 'body.validUntil'],
      [weekly({ slotMinutes: 90 }), 'body.slotMinutes'],
      [weekly({ settings: { maxDurationMinutes: 1000 } }), 'body.settings.maxDurationMinutes'],
    ];
    for (const [body, path] of cases) {
      const r = await call('POST', '/v1/scheduling/configs', { body });
      expectStatus(r, 400, path);
      expect(r.body.errors?.map((e: any) => e.path)).toContain(path);
    }
    expect(okBody(await call('GET', '/v1/scheduling/configs')).items).toEqual([]);
  });
});

describe('changes, blocks and conflicts', () => {
  it('changing or deleting a configuration reports the booked slots it affects, keeps them, and records conflicts', async () => {
    const config = await call('POST', '/v1/scheduling/configs', { body: weekly() });
    expectOk(config);
    const slots = await allSlots('from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z');
    const { jobId, candidates } = await seedJobAndCandidates(call, 1);
    const booked = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: slots[0].id, candidateId: candidates[0]!.id, jobId },
    });
    expectStatus(booked, 201);

    // Move the window an hour later: every unbooked slot moves, the booked one stays where it was.
    const changed = await call('PUT', `/v1/scheduling/configs/${config.body.id}`, {
      body: weekly({ startTime: '10:00', endTime: '11:00' }),
    });
    expectStatus(changed, 200);
    expect(changed.body.generation.affectedBookedSlots.map((s: any) => s.id)).toEqual([slots[0].id]);
    expect(changed.body.generation).toMatchObject({ created: 16, removed: 15 });
    const kept = await call('GET', `/v1/scheduling/slots/${slots[0].id}`);
    expect(kept.body).toMatchObject({ status: 'orphaned', booked: 1, startsAt: slots[0].startsAt });
    const booking = await call('GET', `/v1/scheduling/bookings/${booked.body.id}`);
    expect(booking.body.status).toBe('booked');
    const now = await allSlots('from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z');
    expect(now.map((s) => s.localStart.slice(11, 16))).toEqual(['10:00', '10:30']);

    const conflicts = await call('GET', '/v1/scheduling/conflicts?kind=booking_on_removed_slot');
    expectOk(conflicts);
    expect(conflicts.body.items).toHaveLength(1);
    expect(conflicts.body.items[0]).toMatchObject({ bookingId: booked.body.id, slotId: slots[0].id, status: 'open' });

    // Rebook the orphaned booking into a new slot: resolves the conflict, audited.
    const resolved = await call('POST', `/v1/scheduling/conflicts/${conflicts.body.items[0]!.id}/resolve`, {
      body: { action: 'rebook', slotId: now[0].id, note: 'moved with the window' },
    });
    expectStatus(resolved, 200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'rebooked' });
    const audit = await api.db
      .selectFrom('auditLog')
      .select('action')
      .where('targetId', '=', resolved.body.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['scheduling.conflict.rebooked']);
    expect(okBody(await call('GET', `/v1/scheduling/slots/${slots[0].id}`)).booked).toBe(0);

    // Deleting the configuration: the booked slot (now the 10:00 one) is kept and reported, the rest go.
    const deleted = await call('DELETE', `/v1/scheduling/configs/${config.body.id}`);
    expectStatus(deleted, 200);
    expect(deleted.body.affectedBookedSlots.map((s: any) => s.id)).toEqual([now[0].id]);
    expect(deleted.body.removed).toBe(15);
    expect(await allSlots('from=2027-03-01T00:00:00Z&to=2028-02-28T00:00:00Z')).toEqual([]);
    const removedConflicts = await call('GET', '/v1/scheduling/conflicts?kind=booking_on_removed_slot&status=open');
    expectOk(removedConflicts);
    expect(removedConflicts.body.items.map((c: any) => c.details.change)).toEqual(['configuration_deleted']);
  });

  it('blocks a date range and a single slot; bookings inside become conflicts; unblocking reopens', async () => {
    await call('POST', '/v1/scheduling/configs', { body: weekly() });
    const { jobId, candidates } = await seedJobAndCandidates(call, 1);
    const march8 = await allSlots('from=2027-03-08T00:00:00Z&to=2027-03-09T00:00:00Z');
    const booking = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: march8[1].id, candidateId: candidates[0]!.id, jobId },
    });
    expectStatus(booking, 201);

    const holiday = await call('POST', '/v1/scheduling/blocks', {
      body: { startsAt: '2027-03-08T00:00:00Z', endsAt: '2027-03-09T00:00:00Z', reason: 'Holiday' },
    });
    expectStatus(holiday, 201);
    expect(holiday.body).toMatchObject({ blockedSlots: 2, affectedBookings: [booking.body.id] });
    expect(await allSlots('from=2027-03-08T00:00:00Z&to=2027-03-09T00:00:00Z')).toEqual([]);
    const conflicts = await call('GET', '/v1/scheduling/conflicts?kind=booking_on_blocked_slot');
    expectOk(conflicts);
    expect(conflicts.body.items.map((c: any) => c.bookingId)).toEqual([booking.body.id]);
    // A regeneration neither reopens nor duplicates blocked slots, nor records the conflict twice.
    expect(okBody(await call('POST', '/v1/scheduling/slots/generate', { body: {} })).created).toBe(0);
    expect(okBody(await call('GET', '/v1/scheduling/conflicts?kind=booking_on_blocked_slot')).items).toHaveLength(1);
    const blocked = await call('POST', '/v1/scheduling/bookings', {
      body: { slotId: march8[0].id, candidateId: candidates[0]!.id, jobId },
    });
    expectStatus(blocked, 409);

    const one = await call('POST', '/v1/scheduling/blocks', {
      body: { slotId: (await allSlots('from=2027-03-15T00:00:00Z&to=2027-03-16T00:00:00Z'))[0].id },
    });
    expectOk(one);
    expect(one.body.blockedSlots).toBe(1);
    expect(await allSlots('from=2027-03-15T00:00:00Z&to=2027-03-16T00:00:00Z')).toHaveLength(1);

    expect((await call('DELETE', `/v1/scheduling/blocks/${holiday.body.id}`)).status).toBe(200);
    const reopened = await allSlots('from=2027-03-08T00:00:00Z&to=2027-03-09T00:00:00Z');
    expect(reopened.map((s) => [s.id, s.available])).toEqual([
      [march8[0].id, 2],
      [march8[1].id, 1],
    ]);
    const dismissed = await call('POST', `/v1/scheduling/conflicts/${conflicts.body.items[0]!.id}/resolve`, {
      body: { action: 'dismiss' },
    });
    expectOk(dismissed);
    expect(dismissed.body.resolution).toBe('dismissed');
    const twice = await call('POST', `/v1/scheduling/conflicts/${conflicts.body.items[0]!.id}/resolve`, {
      body: { action: 'dismiss' },
    });
    expectStatus(twice, 409);
  });

  it('records overlapping configurations of one type once per pair, and one-off slots are bookable', async () => {
    const a = await call('POST', '/v1/scheduling/configs', { body: weekly() });
    expectOk(a);
    const b = await call('POST', '/v1/scheduling/configs', { body: weekly({ startTime: '09:15', endTime: '09:45' }) });
    expectOk(b);
    expect(b.body.generation.overlapConflicts).toBe(1);
    await call('POST', '/v1/scheduling/configs', { body: weekly({ interviewType: 'BEHAVIORAL' }) });
    const overlaps = await call('GET', '/v1/scheduling/conflicts?kind=overlapping_slots');
    expectOk(overlaps);
    expect(overlaps.body.items).toHaveLength(1);
    expect((overlaps.body.items[0]!.details.configIds as string[]).sort()).toEqual([a.body.id, b.body.id].sort());
    expect(overlaps.body.items[0]!.details.overlaps).toBe(16);
    expect(okBody(await call('POST', '/v1/scheduling/slots/generate', { body: {} })).overlapConflicts).toBe(0);

    const oneOff = await call('POST', '/v1/scheduling/slots', {
      body: {
        interviewType: 'FINAL',
        startsAt: '2027-03-03T12:00:00+04:00',
        endsAt: '2027-03-03T12:45:00+04:00',
        capacity: 1,
        timezone: 'Asia/Dubai',
      },
    });
    expectStatus(oneOff, 201);
    expect(oneOff.body).toMatchObject({
      configId: null,
      startsAt: '2027-03-03T08:00:00.000Z',
      localStart: '2027-03-03T12:00:00.000+04:00',
    });
    const backwards = await call('POST', '/v1/scheduling/slots', {
      body: { interviewType: 'FINAL', startsAt: '2027-03-03T12:00:00Z', endsAt: '2027-03-03T11:00:00Z', capacity: 1 },
    });
    expectStatus(backwards, 400);
  });

  it('calendar: bookings and free capacity per local day and ISO week in the company timezone', async () => {
    api.setNow(new Date('2027-02-20T00:00:00Z'));
    await call('PUT', '/v1/scheduling/settings', { body: { timezone: 'Asia/Dubai' } });
    // 02:00–03:00 Dubai is 22:00–23:00 UTC the day before: grouping must follow the local day.
    await call('POST', '/v1/scheduling/configs', {
      body: weekly({ timezone: 'Asia/Dubai', startTime: '02:00', endTime: '03:00', capacity: 3 }),
    });
    const slots = await allSlots('from=2027-02-28T00:00:00Z&to=2027-03-01T00:00:00Z');
    expect(slots[0].startsAt).toBe('2027-02-28T22:00:00.000Z');
    const { jobId, candidates } = await seedJobAndCandidates(call, 1);
    expect(
      (
        await call('POST', '/v1/scheduling/bookings', {
          body: { slotId: slots[0].id, candidateId: candidates[0]!.id, jobId },
        })
      ).status,
    ).toBe(201);
    const byDay = await call('GET', '/v1/scheduling/calendar?from=2027-03-01&to=2027-03-08&by=day');
    expectStatus(byDay, 200);
    expect(byDay.body).toEqual({
      timezone: 'Asia/Dubai',
      by: 'day',
      buckets: [
        { start: '2027-03-01', slots: 2, capacity: 6, booked: 1, free: 5 },
        { start: '2027-03-08', slots: 2, capacity: 6, booked: 0, free: 6 },
      ],
    });
    const byWeek = await call('GET', '/v1/scheduling/calendar?from=2027-03-01&to=2027-03-21&by=week');
    expectOk(byWeek);
    expect(byWeek.body.buckets.map((b: any) => [b.start, b.booked, b.free])).toEqual([
      ['2027-03-01', 1, 5],
      ['2027-03-08', 0, 6],
      ['2027-03-15', 0, 6],
    ]);
    expect((await call('GET', '/v1/scheduling/calendar?from=2027-03-08&to=2027-03-01')).status).toBe(400);
  });
});
