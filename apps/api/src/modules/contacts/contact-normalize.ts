import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * E.164 for a phone number as people type it ('+1 (415) 555-2671', '0171 2345678' with country DE), or null
 * when it is not a possible number. Without a leading + the number is read in `defaultCountry`.
 */
export function normalizePhone(raw: string, defaultCountry?: string): string | null {
  const country =
    defaultCountry && isSupportedCountry(defaultCountry.toUpperCase())
      ? (defaultCountry.toUpperCase() as CountryCode)
      : undefined;
  const parsed = parsePhoneNumberFromString(raw.trim(), country ? { defaultCountry: country } : undefined);
  return parsed?.isValid() ? parsed.number : null;
}

export const isKnownCountry = (code: string): boolean => isSupportedCountry(code.toUpperCase());

/** Trimmed, empty ones dropped, first occurrence kept. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter(Boolean))];
}

/** A CSV tags cell: 'vip; lead' or 'vip, lead'. */
export const splitTagCell = (cell: string): string[] => normalizeTags(cell.split(/[;,]/));

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Lower-cased email, or null when it does not look like one (CSV rows skip zod, so they are checked here). */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  return email.length <= 254 && EMAIL.test(email) ? email : null;
}

/** CSV booleans: true/false, yes/no, 1/0, y/n; undefined for an empty cell, null for anything else. */
export function parseCsvBoolean(raw: string): boolean | null | undefined {
  const v = raw.trim().toLowerCase();
  if (v === '') return undefined;
  if (['true', 'yes', 'y', '1'].includes(v)) return true;
  if (['false', 'no', 'n', '0'].includes(v)) return false;
  return null;
}
