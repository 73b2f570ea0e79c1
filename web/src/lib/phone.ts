// The min metadata validates numbers and lengths per region at a fraction of the full set's size.
import {
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/min';

export interface CountryOption {
  code: CountryCode;
  label: string;
}

/** Every region libphonenumber knows, named in the page's language by the browser (no catalogue needed). */
export function countryOptions(lang: string): CountryOption[] {
  const names = typeof Intl.DisplayNames === 'function' ? new Intl.DisplayNames([lang], { type: 'region' }) : null;
  return (
    getCountries()
      // A left-to-right isolate keeps "+971" from turning into "971+" inside Arabic text.
      .map((code) => ({ code, label: `${names?.of(code) ?? code} (\u2066+${getCountryCallingCode(code)}\u2069)` }))
      .sort((a, b) => a.label.localeCompare(b.label, lang))
  );
}

export function isCountry(code: string): code is CountryCode {
  return (getCountries() as string[]).includes(code);
}

/** Valid for the chosen region, or in international form with a +. */
export function phoneIsValid(input: string, region: string): boolean {
  const parsed = parsePhoneNumberFromString(input, isCountry(region) ? region : undefined);
  return Boolean(parsed?.isValid());
}

export const digitCount = (input: string) => input.replace(/\D/g, '').length;
