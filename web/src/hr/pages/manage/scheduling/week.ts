// Weeks and times for the calendar. Weeks run Monday to Sunday (the API's ISO weekdays) in the company's scheduling
// time zone; slots carry their local start in that zone (`localStart`), so the day and the clock time are read off
// it rather than converted again in the browser's zone.
import { getDayOfWeek, parseDate, today, type CalendarDate } from '@internationalized/date';

export function mondayOf(date: CalendarDate): CalendarDate {
  // en-GB weeks start on Monday, so its day-of-week index is the distance back to Monday.
  return date.subtract({ days: getDayOfWeek(date, 'en-GB') });
}

export function thisMonday(zone: string): CalendarDate {
  return mondayOf(today(zone));
}

/** The `week` address-bar value (any day of the week), or null when absent or not a date. */
export function parseWeek(value: string | null): CalendarDate | null {
  if (!value) return null;
  try {
    return mondayOf(parseDate(value));
  } catch {
    return null;
  }
}

export function weekDays(monday: CalendarDate): CalendarDate[] {
  return Array.from({ length: 7 }, (_, i) => monday.add({ days: i }));
}

const asUtc = (date: CalendarDate) => date.toDate('UTC');

export function dayName(locale: string, date: CalendarDate): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(asUtc(date));
}

export function dayDate(locale: string, date: CalendarDate): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(asUtc(date));
}

export function longDate(locale: string, day: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(asUtc(parseDate(day)));
}

export function weekRange(locale: string, monday: CalendarDate): string {
  const format = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return format.formatRange(asUtc(monday), asUtc(monday.add({ days: 6 })));
}

/** ISO weekday 1 (Monday) … 7 (Sunday), named in the workspace's language. */
export function isoWeekdayName(locale: string, weekday: number): string {
  return dayName(locale, parseDate('2024-01-01').add({ days: weekday - 1 }));
}

/** HH:MM of a local ISO time such as 2027-03-01T09:30:00.000+04:00. */
export const clock = (localIso: string) => localIso.slice(11, 16);

/** A moment in the company's zone, day and 24-hour time, for choosing a slot. */
export function slotMoment(locale: string, zone: string, iso: string): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: zone,
  }).format(new Date(iso));
}

/** How many slots a window holds: the slot and the break after it repeat while a whole slot still fits. */
export function slotsInWindow(start: string, end: string, slotMinutes: number, breakMinutes: number): number {
  const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
  if (!/^\d\d:\d\d$/.test(start) || !/^\d\d:\d\d$/.test(end) || slotMinutes <= 0) return 0;
  const span = minutes(end) - minutes(start);
  return span < slotMinutes ? 0 : Math.floor((span - slotMinutes) / (slotMinutes + breakMinutes)) + 1;
}
