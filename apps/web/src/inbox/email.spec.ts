import { describe, expect, it } from 'vitest';
import type { TMessage } from '@orbitdesk/shared';
import { emailCc, parseCc, replyAllCc } from './email';

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

describe('replyAllCc and parseCc', () => {
  const msg = (direction: 'in' | 'out', cc?: string[], isPrivate = false) =>
    ({ direction, isPrivate, content: { text: 'x', ...(cc ? { cc } : {}) } }) as unknown as TMessage;

  it("defaults to everyone on the customer's latest email (newest first), ignoring our own and notes", () => {
    expect(
      replyAllCc([msg('out', ['x@a.test']), msg('in', ['bob@a.test']), msg('in', ['old@a.test'])]),
    ).toEqual(['bob@a.test']);
    expect(replyAllCc([msg('in', ['note@a.test'], true), msg('in')])).toEqual([]);
    expect(replyAllCc([])).toEqual([]);
  });

  it('reads the typed field: commas, semicolons or spaces between addresses, blanks and repeats dropped', () => {
    expect(parseCc(' bob@a.test, finance@a.test;bob@a.test  ann@a.test ,')).toEqual([
      'bob@a.test',
      'finance@a.test',
      'ann@a.test',
    ]);
    expect(parseCc('  ')).toEqual([]);
  });
});
