import { describe, expect, it } from 'vitest';
import { readInboundMail } from './email-inbound-mail.js';

const INBOX = 'support@acme.test';
const mail = (headers: string[], body: string, contentType = 'text/plain; charset=utf-8') =>
  Buffer.from([...headers, `Content-Type: ${contentType}`, '', body].join('\r\n'));

describe('readInboundMail', () => {
  it('takes the sender (lower-cased), subject, date, Message-ID and the ids it replies to', async () => {
    const result = await readInboundMail(
      mail(
        [
          'From: "Jane Doe" <Jane@Customer.TEST>',
          `To: Support <${INBOX.toUpperCase()}>, "Bob" <bob@customer.test>`,
          'Cc: Finance <Finance@Customer.test>, jane@customer.test, team: ann@customer.test, bob@customer.test;',
          'Subject: Re: Order 42',
          'Date: Mon, 03 Mar 2025 10:00:00 +0100',
          'Message-ID: <r2@customer.test>',
          'In-Reply-To: <o2@acme.test>',
          'References: <r0@customer.test>\r\n <o1@acme.test> <o2@acme.test>',
        ],
        'Hello',
      ),
      INBOX,
    );
    expect(result).toEqual({
      mail: {
        messageId: '<r2@customer.test>',
        referencedIds: ['<o2@acme.test>', '<o1@acme.test>', '<r0@customer.test>'],
        from: { address: 'jane@customer.test', name: 'Jane Doe' },
        // To and Cc (a group's members too) without the inbox and the sender, once each.
        cc: ['bob@customer.test', 'finance@customer.test', 'ann@customer.test'],
        subject: 'Re: Order 42',
        text: 'Hello',
        sentAt: '2025-03-03T09:00:00.000Z',
        attachments: [],
      },
    });
  });

  it('makes text from the HTML when there is no text part, also next to an attachment', async () => {
    const boundary = 'b1';
    const raw = mail(
      ['From: jane@customer.test', 'Message-ID: <h1@customer.test>'],
      [
        `--${boundary}`,
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Hello <b>there</b></p><p>Second paragraph</p>',
        `--${boundary}`,
        'Content-Type: text/plain; name="a.txt"',
        'Content-Disposition: attachment; filename="a.txt"',
        '',
        'file body',
        `--${boundary}--`,
      ].join('\r\n'),
      `multipart/mixed; boundary="${boundary}"`,
    );
    const result = await readInboundMail(raw, INBOX);
    if (!('mail' in result)) throw new Error(`skipped: ${result.skipped}`);
    expect(result.mail.text).toBe('Hello there\n\nSecond paragraph');
    expect(result.mail.html).toBe('<p>Hello <b>there</b></p><p>Second paragraph</p>');
    expect(result.mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['a.txt', 'file body'],
    ]);
  });

  it('gives a message without a Message-ID a stable id from its bytes, and a blank one a line of text', async () => {
    const raw = mail(['From: jane@customer.test', 'Subject: Files only'], '   ');
    const a = await readInboundMail(raw, INBOX);
    const b = await readInboundMail(Buffer.from(raw), INBOX);
    if (!('mail' in a) || !('mail' in b)) throw new Error('skipped');
    expect(a.mail.messageId).toMatch(/^<[0-9a-f]{64}@no-message-id\.invalid>$/);
    expect(b.mail.messageId).toBe(a.mail.messageId);
    expect(a.mail.text).toBe('Files only');
  });

  it.each([
    [
      'mail from the inbox itself',
      ['From: Acme <SUPPORT@acme.test>'],
      "it was sent from the inbox's own address",
    ],
    ['no sender', ['Subject: hi'], 'it has no sender address'],
    ['an auto-reply', ['From: j@c.test', 'Auto-Submitted: auto-replied'], /Auto-Submitted: auto-replied/],
    [
      'auto-generated mail',
      ['From: j@c.test', 'Auto-Submitted: auto-generated; owner-email="x@c.test"'],
      /auto-generated/,
    ],
    ['Precedence: junk', ['From: j@c.test', 'Precedence: junk'], /Precedence: junk/],
    ['X-Autoreply', ['From: j@c.test', 'X-Autoreply: yes'], /X-Autoreply/],
    ['a bounce', ['Return-Path: <>', 'From: MAILER-DAEMON@c.test'], /bounce/],
  ])('skips %s', async (_name, headers, reason) => {
    const result = await readInboundMail(mail(headers, 'body'), INBOX);
    expect('skipped' in result).toBe(true);
    expect('skipped' in result && result.skipped).toMatch(reason);
  });

  it('stores mail marked Auto-Submitted: no', async () => {
    const result = await readInboundMail(
      mail(['From: j@c.test', 'Auto-Submitted: no'], 'written by hand'),
      INBOX,
    );
    expect('mail' in result && result.mail.text).toBe('written by hand');
  });
});
