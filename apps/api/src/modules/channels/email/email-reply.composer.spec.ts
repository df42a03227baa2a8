import type { TContact, TConversation, TMessage } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import type { EmailInboxConfig } from './email-config.js';
import { composeReply } from './email-reply.composer.js';
import type { EmailThread } from './email-threads.repository.js';

const config = {
  emailAddress: 'support@Acme.test',
  fromName: 'Acme Support',
  imap: { host: 'imap.acme.test', port: 993, secure: true, username: 'support', mailbox: 'INBOX' },
  smtp: { host: 'smtp.acme.test', port: 465, secure: true, username: 'support' },
} satisfies EmailInboxConfig;
const conversation = { id: 'c1', number: 7 } as TConversation;
const contact = {
  email: 'jane@other.test',
  identities: [{ contactId: 'k1', channelType: 'email', identifier: 'jane@customer.test' }],
} as unknown as TContact;
const message = (type: TMessage['type'], content: Record<string, unknown>) =>
  ({ id: '5a0b5fd4-2f36-4d7c-9a55-7a4f6d0b9e11', type, content }) as TMessage;
const thread = (
  subject: string | null,
  ids: ['in' | 'out', string][] = [],
  cc: string[] = [],
): EmailThread => ({
  subject,
  cc,
  messages: ids.map(([direction, messageId]) => ({ direction, messageId })),
});

describe('composeReply', () => {
  it("answers in the customer's thread: Re: the first subject, In-Reply-To their latest, References in order", () => {
    const draft = composeReply({
      config,
      conversation,
      contact,
      message: message('text', { text: 'Fixed <now> & done\nBye' }),
      thread: thread('Broken login', [
        ['in', '<a@customer.test>'],
        ['out', '<b@acme.test>'],
        ['in', '<c@customer.test>'],
        ['in', '<d@no-message-id.invalid>'],
      ]),
    });
    expect(draft).toEqual({
      from: { name: 'Acme Support', address: 'support@Acme.test' },
      to: 'jane@customer.test',
      cc: [],
      bcc: [],
      subject: 'Re: Broken login',
      messageId: '<5a0b5fd4-2f36-4d7c-9a55-7a4f6d0b9e11@acme.test>',
      inReplyTo: '<c@customer.test>',
      references: ['<a@customer.test>', '<b@acme.test>', '<c@customer.test>'],
      text: 'Fixed <now> & done\nBye',
      html: '<div>Fixed &lt;now&gt; &amp; done<br>\nBye</div>',
      files: [],
    });
  });

  it("copies everyone on the customer's latest email (reply all), or whom the reply names; never the customer or the inbox", () => {
    const onThread = thread('Q', [['in', '<a@customer.test>']], ['boss@customer.test', 'Support@acme.test']);
    const ccOf = (type: TMessage['type'], content: Record<string, unknown>) =>
      composeReply({ config, conversation, contact, message: message(type, content), thread: onThread }).cc;
    expect(ccOf('text', { text: 'x' })).toEqual(['boss@customer.test']);
    expect(ccOf('text', { text: 'x', cc: ['Finance@customer.test', 'jane@customer.test'] })).toEqual([
      'finance@customer.test',
    ]);
    expect(ccOf('text', { text: 'x', cc: [] })).toEqual([]);
    expect(
      ccOf('document', { attachmentId: '0b8e7a36-55c6-4bd4-9e0a-3f0e2a1c9d77', cc: ['ann@customer.test'] }),
    ).toEqual(['ann@customer.test']);
  });

  it('sends blind copies only to whom the reply names, never to who already gets it, nor the customer or the inbox', () => {
    const onThread = thread('Q', [['in', '<a@customer.test>']], ['boss@customer.test']);
    const copies = (type: TMessage['type'], content: Record<string, unknown>) => {
      const draft = composeReply({
        config,
        conversation,
        contact,
        message: message(type, content),
        thread: onThread,
      });
      return { cc: draft.cc, bcc: draft.bcc };
    };
    expect(copies('text', { text: 'x' })).toEqual({ cc: ['boss@customer.test'], bcc: [] });
    expect(
      copies('text', {
        text: 'x',
        bcc: [
          'Audit@Acme.test',
          'audit@acme.test',
          'boss@customer.test',
          'JANE@customer.test',
          'support@acme.test',
        ],
      }),
    ).toEqual({ cc: ['boss@customer.test'], bcc: ['audit@acme.test'] });
    expect(
      copies('document', {
        attachmentId: '0b8e7a36-55c6-4bd4-9e0a-3f0e2a1c9d77',
        cc: [],
        bcc: ['ann@customer.test'],
      }),
    ).toEqual({ cc: [], bcc: ['ann@customer.test'] });
  });

  it('keeps an existing Re:, and names the conversation when nothing was received yet', () => {
    const text = message('text', { text: 'x' });
    expect(
      composeReply({ config, conversation, contact, message: text, thread: thread('RE: Hello') }).subject,
    ).toBe('RE: Hello');
    const first = composeReply({ config, conversation, contact, message: text, thread: thread(null) });
    expect(first).toMatchObject({ subject: 'Conversation #7' });
    expect(first.inReplyTo).toBeUndefined();
    expect(first.references).toBeUndefined();
  });

  it("uses the agent's own subject, HTML and files when the message has them", () => {
    const draft = composeReply({
      config,
      conversation,
      contact,
      message: message('text', {
        text: 'See attached',
        subject: 'Your quote',
        html: '<p>See attached</p>',
        attachments: [{ attachmentId: 'f1', filename: 'quote.pdf' }, { attachmentId: 'f2' }],
      }),
      thread: thread('Question'),
    });
    expect(draft).toMatchObject({
      subject: 'Your quote',
      html: '<p>See attached</p>',
      files: [
        { attachmentId: 'f1', filename: 'quote.pdf' },
        { attachmentId: 'f2', filename: undefined },
      ],
    });
  });

  it('sends media as an attachment with its caption, a linked file as its link, a location as a map link', () => {
    const args = { config, conversation, contact, thread: thread('Q') };
    expect(
      composeReply({
        ...args,
        message: message('image', { attachmentId: 'f1', caption: 'Screenshot', filename: 's.png' }),
      }),
    ).toMatchObject({ text: 'Screenshot', files: [{ attachmentId: 'f1', filename: 's.png' }] });
    expect(
      composeReply({
        ...args,
        message: message('document', { url: 'https://files.test/a.pdf', caption: 'Manual' }),
      }),
    ).toMatchObject({ text: 'Manual\n\nhttps://files.test/a.pdf', files: [] });
    expect(
      composeReply({
        ...args,
        message: message('location', { latitude: 52.5, longitude: 13.4, name: 'Office' }),
      }).text,
    ).toBe('Office\nhttps://www.openstreetmap.org/?mlat=52.5&mlon=13.4');
  });

  it('refuses, for good, what email cannot carry and a contact without an address', () => {
    const args = { config, conversation, contact, thread: thread('Q') };
    expect(() =>
      composeReply({ ...args, message: message('template', { name: 't', language: 'en' }) }),
    ).toThrow(
      expect.objectContaining({ permanent: true, reason: 'Email inboxes cannot send template messages' }),
    );
    expect(() =>
      composeReply({
        ...args,
        contact: { email: null, identities: [] } as unknown as TContact,
        message: message('text', { text: 'x' }),
      }),
    ).toThrow(expect.objectContaining({ permanent: true, reason: 'The contact has no email address' }));
  });
});
