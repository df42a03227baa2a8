import { describe, expect, it } from 'vitest';
import { stripQuotedReply } from './email-quoted-reply.js';

describe('stripQuotedReply', () => {
  it('cuts a trailing quote with its attribution line (Gmail, Apple Mail)', () => {
    expect(
      stripQuotedReply(
        'Thanks, that worked.\n\nOn Mon, 3 Mar 2025 at 10:00, Acme <support@acme.test> wrote:\n> Try again\n> please\n',
      ),
    ).toBe('Thanks, that worked.');
  });

  it('cuts an attribution that the client wrapped onto two lines', () => {
    expect(
      stripQuotedReply(
        'Yes.\r\n\r\nOn Mon, 3 Mar 2025 at 10:00, Acme Support <support@acme.test>\r\nwrote:\r\n\r\n> Is it fixed?',
      ),
    ).toBe('Yes.');
  });

  it("cuts Outlook's Original Message block, which has no > marks", () => {
    expect(
      stripQuotedReply('See below.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday\n\nHello'),
    ).toBe('See below.');
  });

  it('keeps inline answers, a line above the quote that is not an attribution, and a message that is all quote', () => {
    const inline = '> Which plan?\nThe big one.\n> When?\nTomorrow.';
    expect(stripQuotedReply(inline)).toBe(inline);
    // Only lines that look like an attribution go with the quote.
    expect(stripQuotedReply('My answer is below:\n> quoted')).toBe('My answer is below:');
    expect(stripQuotedReply('> only a quote\n> nothing else')).toBe('> only a quote\n> nothing else');
    expect(stripQuotedReply('No quote here.\nJust text.')).toBe('No quote here.\nJust text.');
  });
});
