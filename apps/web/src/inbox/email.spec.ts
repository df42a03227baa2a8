import { describe, expect, it } from 'vitest';
import type { TMessage } from '@orbitdesk/shared';
import { emailCopies, parseAddresses, replyAllCc } from './email';

describe('emailCopies', () => {
  it("lists an email's other recipients, and nothing for a message without any", () => {
    expect(emailCopies({ text: 'x', cc: ['bob@customer.test', 'finance@customer.test'] }, 'cc')).toBe(
      'bob@customer.test, finance@customer.test',
    );
    expect(emailCopies({ text: 'x', cc: [] }, 'cc')).toBeUndefined();
    expect(emailCopies({ text: 'x' }, 'cc')).toBeUndefined();
    expect(emailCopies({ text: 'x', cc: 'not a list' }, 'cc')).toBeUndefined();
  });

  it('reads blind copies from bcc only', () => {
    const content = { text: 'x', cc: ['bob@a.test'], bcc: ['boss@acme.test'] };
    expect(emailCopies(content, 'bcc')).toBe('boss@acme.test');
    expect(emailCopies({ text: 'x', cc: ['bob@a.test'] }, 'bcc')).toBeUndefined();
  });
});

describe('replyAllCc and parseAddresses', () => {
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
    expect(parseAddresses(' bob@a.test, finance@a.test;bob@a.test  ann@a.test ,')).toEqual([
      'bob@a.test',
      'finance@a.test',
      'ann@a.test',
    ]);
    expect(parseAddresses('  ')).toEqual([]);
  });
});
