import { z } from 'zod';

// The one rule for a time zone anywhere in the API (the company's, an availability configuration's, a candidate's):
// a zone this runtime's Intl knows, i.e. one of Intl.supportedValuesOf('timeZone'), or a name Intl resolves to one
// of them (an older or newer spelling such as Asia/Kolkata, or a different case). UTC is accepted too: it is the
// default, and Intl resolves Etc/UTC and GMT to it, yet leaves it out of the list.
//
// The browser's picker offers its own Intl's list; a name that list has and this one spells differently is still
// accepted, because both resolve to the same zone.

const supported = new Set(Intl.supportedValuesOf('timeZone'));

/** The zone's name as this runtime's Intl resolves it, or null for a name it does not know. */
export function canonicalTimeZone(zone: string): string | null {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  return resolved === 'UTC' || supported.has(resolved) ? resolved : null;
}

export function isKnownTimeZone(zone: string): boolean {
  return canonicalTimeZone(zone) !== null;
}

const describeZone = (zone: unknown) =>
  `unknown time zone "${String(zone)}": must be an IANA time zone such as Asia/Dubai or Europe/London`;

/** A time zone in a request, kept as given (Luxon and Postgres read every name Intl does). */
export const timezone = z
  .string()
  .max(64)
  .refine(isKnownTimeZone, { error: (issue) => describeZone(issue.input) })
  .meta({ example: 'Asia/Dubai', description: 'An IANA time zone' });

/** A time zone to store as the company's: the same rule, stored under the name Intl resolves it to. */
export const companyTimezone = timezone.transform((zone) => canonicalTimeZone(zone)!);
