import { describe, expect, it } from 'vitest';
import {
  normalizeEmail,
  normalizePhone,
  normalizeTags,
  parseCsvBoolean,
  splitTagCell,
} from './contact-normalize.js';

describe('normalizePhone', () => {
  it('turns formatted international numbers into E.164', () => {
    expect(normalizePhone('+1 (415) 555-2671')).toBe('+14155552671');
    expect(normalizePhone('  +44 20 7946 0958 ')).toBe('+442079460958');
  });

  it('reads national numbers in the default country', () => {
    expect(normalizePhone('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(normalizePhone('030 12345678', 'de')).toBe('+493012345678');
    // A + number ignores the default country.
    expect(normalizePhone('+14155552671', 'DE')).toBe('+14155552671');
  });

  it('rejects what is not a valid number', () => {
    expect(normalizePhone('(415) 555-2671')).toBeNull(); // no country to read it in
    expect(normalizePhone('+1 415')).toBeNull();
    expect(normalizePhone('hello')).toBeNull();
    expect(normalizePhone('')).toBeNull();
    expect(normalizePhone('4155552671', 'XX')).toBeNull();
  });
});

describe('tags', () => {
  it('trims, drops empty ones and keeps the first of duplicates', () => {
    expect(normalizeTags([' vip', 'lead ', 'vip', '', '  '])).toEqual(['vip', 'lead']);
  });

  it('splits a CSV cell on semicolons or commas', () => {
    expect(splitTagCell('vip; lead,vip ;;')).toEqual(['vip', 'lead']);
    expect(splitTagCell('')).toEqual([]);
  });
});

describe('normalizeEmail and parseCsvBoolean', () => {
  it('lower-cases valid emails and refuses others', () => {
    expect(normalizeEmail(' Ann@Example.COM ')).toBe('ann@example.com');
    expect(normalizeEmail('not-an-email')).toBeNull();
    expect(normalizeEmail('a@b')).toBeNull();
  });

  it('reads the usual spellings of yes and no', () => {
    expect(parseCsvBoolean('Yes')).toBe(true);
    expect(parseCsvBoolean('0')).toBe(false);
    expect(parseCsvBoolean(' ')).toBeUndefined();
    expect(parseCsvBoolean('maybe')).toBeNull();
  });
});
