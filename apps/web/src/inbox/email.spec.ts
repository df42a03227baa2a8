import { describe, expect, it } from 'vitest';
import { emailCc } from './email';

describe('emailCc', () => {
  it("lists an email's other recipients, and nothing for a message without any", () => {
    expect(emailCc({ text: 'x', cc: ['bob@customer.test', 'finance@customer.test'] })).toBe(
      'bob@customer.test, finance@customer.test',
    );
    expect(emailCc({ text: 'x', cc: [] })).toBeUndefined();
    expect(emailCc({ text: 'x' })).toBeUndefined();
    expect(emailCc({ text: 'x', cc: 'not a list' })).toBeUndefined();
  });
});
