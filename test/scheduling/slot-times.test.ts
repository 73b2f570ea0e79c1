import { describe, expect, it } from 'vitest';
import { slotTimesForRule, type WeeklyRule } from '../../api/scheduling/slot-times.ts';

// The pure slot-time function at the edges of DST changes, where a hand-written offset would go wrong.

const rule = (over: Partial<WeeklyRule>): WeeklyRule => ({
  weekday: 7,
  startMinute: 0,
  endMinute: 240,
  slotMinutes: 30,
  breakMinutes: 0,
  validFrom: '2027-01-01',
  validUntil: null,
  timezone: 'Europe/London',
  ...over,
});
const iso = (slots: { startsAt: Date; endsAt: Date }[]) =>
  slots.map((s) => [s.startsAt.toISOString(), s.endsAt.toISOString()]);

describe('slot times across DST changes', () => {
  it('spring forward (London, 28 March 2027): the missing hour has no slots and none is duplicated', async () => {
    const slots = slotTimesForRule(rule({}), new Date('2027-03-28T00:00:00Z'), new Date('2027-03-29T00:00:00Z'));
    expect(iso(slots)).toEqual([
      ['2027-03-28T00:00:00.000Z', '2027-03-28T00:30:00.000Z'],
      ['2027-03-28T00:30:00.000Z', '2027-03-28T01:00:00.000Z'], // 00:30 GMT until 02:00 BST: 30 real minutes
      ['2027-03-28T01:00:00.000Z', '2027-03-28T01:30:00.000Z'], // 02:00 BST
      ['2027-03-28T01:30:00.000Z', '2027-03-28T02:00:00.000Z'],
      ['2027-03-28T02:00:00.000Z', '2027-03-28T02:30:00.000Z'],
      ['2027-03-28T02:30:00.000Z', '2027-03-28T03:00:00.000Z'],
    ]);
    expect(new Set(slots.map((s) => s.startsAt.getTime())).size).toBe(slots.length);
  });

  it('fall back (London, 31 October 2027): the repeated hour is used once, at its first occurrence', async () => {
    const slots = slotTimesForRule(
      rule({ startMinute: 60, endMinute: 180 }),
      new Date('2027-10-30T00:00:00Z'),
      new Date('2027-11-01T00:00:00Z'),
    );
    expect(iso(slots).map(([s]) => s)).toEqual([
      '2027-10-31T00:00:00.000Z', // 01:00 BST
      '2027-10-31T00:30:00.000Z', // 01:30 BST
      '2027-10-31T02:00:00.000Z', // 02:00 GMT
      '2027-10-31T02:30:00.000Z',
    ]);
    expect(slots.every((s) => s.endsAt.getTime() - s.startsAt.getTime() === 30 * 60_000)).toBe(true);
  });

  it('respects validity dates in the rule timezone, and a window ending at 24:00', async () => {
    const r = rule({
      timezone: 'Asia/Dubai',
      weekday: 1,
      startMinute: 23 * 60,
      endMinute: 1440,
      slotMinutes: 60,
      validFrom: '2027-03-08',
      validUntil: '2027-03-15',
    });
    const slots = slotTimesForRule(r, new Date('2027-03-01T00:00:00Z'), new Date('2027-04-01T00:00:00Z'));
    // 23:00–24:00 Dubai on Mondays 8 and 15 March only: 19:00–20:00 UTC.
    expect(iso(slots)).toEqual([
      ['2027-03-08T19:00:00.000Z', '2027-03-08T20:00:00.000Z'],
      ['2027-03-15T19:00:00.000Z', '2027-03-15T20:00:00.000Z'],
    ]);
  });
});
