// Dates and times for the scheduling page, in the candidate's own timezone (the browser's) and the company's. The
// API sends instants (UTC); Intl lays them out in a zone, so a day boundary or a DST change is the zone's own.

/** The browser's IANA timezone; UTC when the browser does not say. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/**
 * The locale dates are written in: the browser's own variant of the page's language when it has one (en-GB keeps
 * its 24-hour clock and day-month order), otherwise the page's language; Latin digits on Arabic pages.
 */
export function localeFor(lang: string, preferred: readonly string[] = navigator.languages ?? []): string {
  const tag = preferred.find((tag) => tag.toLowerCase().split('-')[0] === lang) ?? lang;
  // Arabic pages keep Latin digits throughout (as the room code and the catalogue's numbers are), never a mix.
  return lang === 'ar' && !tag.includes('-u-') ? `${tag}-u-nu-latn` : tag;
}

/** The local calendar day of an instant in a zone, as YYYY-MM-DD (for grouping and comparing). */
export function dayKey(iso: string, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(iso))
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export const formatDay = (iso: string, zone: string, lang: string) =>
  new Intl.DateTimeFormat(lang, {
    timeZone: zone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(new Date(iso));

export const formatTime = (iso: string, zone: string, lang: string) =>
  new Intl.DateTimeFormat(lang, { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));

/** Day and time together, short: for a time in another zone, which may fall on another day. */
export const formatDayTime = (iso: string, zone: string, lang: string) =>
  new Intl.DateTimeFormat(lang, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));

/** "Asia/Dubai (Gulf Standard Time)": the IANA id a candidate may know, with the zone's name in their language. */
export function zoneLabel(zone: string, lang: string, at: Date = new Date()): string {
  const id = zone.replace(/_/g, ' ');
  try {
    const name = new Intl.DateTimeFormat(lang, { timeZone: zone, timeZoneName: 'long' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    return name && name !== zone ? `${id} (${name})` : id;
  } catch {
    return id;
  }
}

/** Whether two zones show the same wall-clock time at this instant (then the company's time need not be repeated). */
export function sameWallClock(a: string, b: string, iso: string): boolean {
  const at = (zone: string) => `${dayKey(iso, zone)} ${formatTime(iso, zone, 'en-GB')}`;
  return a === b || at(a) === at(b);
}

export interface Day<T> {
  key: string;
  slots: T[];
}

/** Slots grouped by their local day in `zone`, in time order. */
export function groupByDay<T extends { startsAt: string }>(slots: T[], zone: string): Day<T>[] {
  const days = new Map<string, T[]>();
  for (const slot of [...slots].sort((x, y) => Date.parse(x.startsAt) - Date.parse(y.startsAt))) {
    const key = dayKey(slot.startsAt, zone);
    days.set(key, [...(days.get(key) ?? []), slot]);
  }
  return [...days].map(([key, list]) => ({ key, slots: list }));
}
