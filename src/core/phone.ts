// Phone numbers as people type them ("0888 123 456", "+359 88 812 3456", "(020) 7946 0018"), read by
// libphonenumber-js against a country: the business's, unless the number says its own (+...).
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { CompiledPack } from '../policy/index.ts';

/**
 * The country a business's local numbers belong to: its policy's own country (ITEMA-5), else the
 * country of its calendar's public holidays; undefined when the pack names neither.
 */
export function businessCountry(pack: CompiledPack): CountryCode | undefined {
  const raw = pack.versions[pack.versions.length - 1]?.raw;
  const c = raw?.settings.country ?? raw?.settings.calendar?.holidays?.country;
  return c && /^[A-Z]{2}$/.test(c) ? (c as CountryCode) : undefined;
}

/** E.164 (`+359888123456`) for a number typed in the business's country; undefined when it is not a phone number. */
export function toE164(typed: string, country?: CountryCode): string | undefined {
  const p = parsePhoneNumberFromString(typed.trim(), country);
  return p && p.isPossible() ? p.number : undefined;
}

/**
 * Whether what the client typed is the stored number. A local form is read in the stored number's
 * own country first (a Bulgarian client of a London shop types "0888 123 456"), then the business's.
 */
export function samePhone(stored: string, typed: string, country?: CountryCode): boolean {
  const s = parsePhoneNumberFromString(stored.trim(), country);
  if (!s) return false;
  for (const c of [s.country, country]) {
    const p = parsePhoneNumberFromString(typed.trim(), c);
    if (p && p.number === s.number) return true;
  }
  return false;
}
