import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** Normalises a phone number to E.164, or null when it is not a valid number for the region. */
export function toE164(input: string, defaultRegion: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** For logs and audit trails: enough to tell two numbers apart, not enough to call anyone. */
export function maskPhone(e164: string): string {
  return e164.length <= 4 ? '****' : `${e164.slice(0, 3)}${'*'.repeat(e164.length - 5)}${e164.slice(-2)}`;
}
