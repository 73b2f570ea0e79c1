// Dates, times and durations in the workspace's language, in the browser's timezone.
import type { HrI18n } from './i18n/i18n.tsx';

export function dateTime(i18n: Pick<HrI18n, 'locale'>, iso: string | null | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function time(i18n: Pick<HrI18n, 'locale'>, iso: string): string {
  return new Intl.DateTimeFormat(i18n.locale, { timeStyle: 'medium' }).format(new Date(iso));
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

export function languageName(i18n: Pick<HrI18n, 'locale'>, tag: string): string {
  try {
    return new Intl.DisplayNames([i18n.locale], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}
