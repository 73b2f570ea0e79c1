import { DateTime } from 'luxon';
import { isKnownTimeZone } from '../companies/time-zone.ts';

// Slot times from a weekly availability rule. Everything is computed in the rule's IANA timezone with Luxon and
// stored as UTC instants: 09:00 in Europe/London is 09:00 GMT in winter and 09:00 BST in summer, and only a
// timezone database knows which applies on a given day.

export interface WeeklyRule {
  weekday: number; // ISO, 1 = Monday
  startMinute: number; // local wall clock, minutes after midnight
  endMinute: number;
  slotMinutes: number;
  breakMinutes: number;
  validFrom: string; // yyyy-mm-dd, local
  validUntil: string | null;
  timezone: string;
}

export interface SlotTime {
  startsAt: Date;
  endsAt: Date;
}

/** The API's one time-zone rule (api/companies/time-zone.ts), so a zone scheduling takes the company's also takes. */
export function isValidTimezone(zone: string): boolean {
  return isKnownTimeZone(zone);
}

export function isValidLocalDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** "09:30" → 570 */
export function parseLocalTime(value: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 1440 ? minutes : null;
}

export function formatLocalTime(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/**
 * The slots a rule produces whose start lies in [from, until). Each day's slots are laid out on the local wall
 * clock from the rule's start time. A slot whose local start does not exist (skipped by a spring-forward change)
 * is left out: Luxon would move it forward onto the next slot's start. A local start that happens twice (autumn)
 * takes the first occurrence.
 */
export function slotTimesForRule(rule: WeeklyRule, from: Date, until: Date): SlotTime[] {
  const zone = rule.timezone;
  const firstDay = DateTime.max(
    DateTime.fromJSDate(from, { zone }).startOf('day'),
    DateTime.fromISO(rule.validFrom, { zone }).startOf('day'),
  );
  let lastDay = DateTime.fromJSDate(until, { zone }).startOf('day');
  if (rule.validUntil) lastDay = DateTime.min(lastDay, DateTime.fromISO(rule.validUntil, { zone }).startOf('day'));
  const out: SlotTime[] = [];
  const step = rule.slotMinutes + rule.breakMinutes;
  let day = firstDay.plus({ days: (rule.weekday - firstDay.weekday + 7) % 7 });
  while (day <= lastDay) {
    for (let offset = rule.startMinute; offset + rule.slotMinutes <= rule.endMinute; offset += step) {
      const start = wallClock(day, offset);
      if (start.hour * 60 + start.minute !== offset % 1440) continue; // starts in a DST gap
      // The length is real time: an interview needs its minutes even when the wall clock jumps during the slot.
      const end = start.plus({ minutes: rule.slotMinutes });
      const startsAt = start.toJSDate();
      if (startsAt >= from && startsAt < until) out.push({ startsAt, endsAt: end.toJSDate() });
    }
    day = day.plus({ weeks: 1 });
  }
  return out;
}

function wallClock(day: DateTime, minuteOfDay: number): DateTime {
  return day.set({ hour: Math.floor(minuteOfDay / 60), minute: minuteOfDay % 60, second: 0, millisecond: 0 });
}

/** An instant as local ISO-8601 with its offset, e.g. 2026-03-30T09:00:00.000+01:00. */
export function toLocalIso(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant, { zone }).toISO()!;
}

/** The UTC instants bounding a local calendar date range [fromDate, toDate] (both inclusive) in `zone`. */
export function localDateRange(fromDate: string, toDate: string, zone: string): { from: Date; until: Date } {
  return {
    from: DateTime.fromISO(fromDate, { zone }).startOf('day').toJSDate(),
    until: DateTime.fromISO(toDate, { zone }).plus({ days: 1 }).startOf('day').toJSDate(),
  };
}

/** A human date and time in the reader's language and timezone, for e-mails. */
export function formatForHumans(instant: Date, zone: string, locale: string): string {
  return DateTime.fromJSDate(instant, { zone })
    .setLocale(locale)
    .toLocaleString({ ...DateTime.DATETIME_FULL, weekday: 'long' });
}
