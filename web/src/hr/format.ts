// Dates, times and durations in the workspace's language, in the company's time zone (i18n.timeZone; the
// browser's on signed-out pages).
import type { HrI18n } from './i18n/i18n.tsx';

type Zoned = Pick<HrI18n, 'locale' | 'timeZone'>;

/** The browser's own zone, which a date needs no label for. */
const browserZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;

const foreign = new Map<string, boolean>();
/** True when the zone dates are shown in is not the reader's own: the date then names its zone. */
export function isForeignZone(zone: string | undefined): boolean {
  if (zone === undefined) return false;
  // Once per zone: every date on a page asks (the review's first render built a formatter for each).
  let answer = foreign.get(zone);
  if (answer === undefined) {
    answer = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone !== browserZone;
    foreign.set(zone, answer);
  }
  return answer;
}

/**
 * One formatter per locale and options: building an Intl.DateTimeFormat takes a third of a millisecond or more on
 * a busy machine, and a 300-turn transcript built one per turn (100 ms of the review's first render).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  let made = formatters.get(key);
  if (!made) formatters.set(key, (made = new Intl.DateTimeFormat(locale, options)));
  return made;
}

export function dateTime(i18n: Zoned, iso: string | null | undefined): string {
  if (!iso) return '';
  const zone = i18n.timeZone;
  const options: Intl.DateTimeFormatOptions = isForeignZone(zone)
    ? { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: zone }
    : { dateStyle: 'medium', timeStyle: 'short', timeZone: zone };
  return formatter(i18n.locale, options).format(new Date(iso));
}

export function time(i18n: Zoned, iso: string): string {
  return formatter(i18n.locale, { timeStyle: 'medium', timeZone: i18n.timeZone }).format(new Date(iso));
}

/** m:ss from the interview's start, as a transcript reads. */
export function offset(fromIso: string, iso: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(iso) - Date.parse(fromIso)) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

export function minutesBetween(fromIso: string | null, toIso: string | null): number | null {
  if (!fromIso || !toIso) return null;
  return Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 60_000));
}

const languageNames = new Map<string, Intl.DisplayNames>();
export function languageName(i18n: Pick<HrI18n, 'locale'>, tag: string): string {
  try {
    // One Intl.DisplayNames per locale, for the same reason as the date formatters above.
    let names = languageNames.get(i18n.locale);
    if (!names) languageNames.set(i18n.locale, (names = new Intl.DisplayNames([i18n.locale], { type: 'language' })));
    return names.of(tag) ?? tag;
  } catch {
    return tag;
  }
}
