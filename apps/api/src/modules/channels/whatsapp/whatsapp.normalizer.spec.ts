import { describe, expect, it } from 'vitest';
import { describeWaError, normalizeMessage, normalizeStatus } from './whatsapp.normalizer.js';

const CHANNEL = '0b7a3c1e-54c4-4f1e-9d55-2a5e3e0c7b11';
const contacts = [
  { profile: { name: 'Ana Souza' }, wa_id: '5511987654321' },
  { profile: { name: 'Bob' }, wa_id: '14155552671' },
];
const msg = (type: string, body: Record<string, unknown>, from = '5511987654321') => ({
  from,
  id: `wamid.${type}`,
  timestamp: '1718000000',
  type,
  ...body,
});

describe('WhatsApp normalizer', () => {
  it('text: the sender from contacts[] by wa_id, +wa_id as phone, wamid, sentAt from the unix timestamp', () => {
    expect(
      normalizeMessage(CHANNEL, msg('text', { text: { body: 'Olá' } }, '14155552671'), contacts),
    ).toEqual({
      kind: 'message',
      message: {
        channelId: CHANNEL,
        channelType: 'whatsapp',
        contact: { identifier: '14155552671', phone: '+14155552671', name: 'Bob' },
        providerMessageId: 'wamid.text',
        sentAt: '2024-06-10T06:13:20.000Z',
        type: 'text',
        content: { text: 'Olá' },
      },
    });
  });

  it('a sender missing from contacts[] is still identified by from, without a name', () => {
    const item = normalizeMessage(CHANNEL, msg('text', { text: { body: 'hi' } }, '4915112345678'), contacts);
    expect(item.kind === 'message' && item.message.contact).toEqual({
      identifier: '4915112345678',
      phone: '+4915112345678',
    });
  });

  it.each([
    [
      'image',
      { image: { id: '111', mime_type: 'image/jpeg', sha256: 'x', caption: 'receipt' } },
      { id: '111', mimeType: 'image/jpeg', caption: 'receipt' },
    ],
    ['video', { video: { id: '222', mime_type: 'video/mp4' } }, { id: '222', mimeType: 'video/mp4' }],
    [
      'audio',
      { audio: { id: '333', mime_type: 'audio/ogg; codecs=opus', voice: true } },
      { id: '333', mimeType: 'audio/ogg; codecs=opus' },
    ],
    [
      'document',
      { document: { id: '444', mime_type: 'application/pdf', filename: 'invoice.pdf', caption: 'May' } },
      { id: '444', mimeType: 'application/pdf', filename: 'invoice.pdf', caption: 'May' },
    ],
    [
      'sticker',
      { sticker: { id: '555', mime_type: 'image/webp', animated: false } },
      { id: '555', mimeType: 'image/webp' },
    ],
  ])('%s: a pending media reference to fetch', (type, body, media) => {
    const item = normalizeMessage(CHANNEL, msg(type, body), contacts);
    expect(item.kind).toBe('media');
    if (item.kind !== 'media') return;
    expect(item.message.type).toBe(type);
    expect(item.message.providerMessageId).toBe(`wamid.${type}`);
    expect(Object.fromEntries(Object.entries(item.media).filter(([, v]) => v !== undefined))).toEqual(media);
  });

  it('location, contacts', () => {
    const location = normalizeMessage(
      CHANNEL,
      msg('location', {
        location: {
          latitude: -23.55,
          longitude: -46.63,
          name: 'MASP',
          address: 'Av. Paulista, 1578',
          url: 'https://masp.org.br',
        },
      }),
      contacts,
    );
    expect(location.kind === 'message' && [location.message.type, location.message.content]).toEqual([
      'location',
      { latitude: -23.55, longitude: -46.63, name: 'MASP', address: 'Av. Paulista, 1578' },
    ]);
    const card = [
      {
        name: { formatted_name: 'Carla Dias', first_name: 'Carla' },
        phones: [{ phone: '+55 11 91234-5678', wa_id: '5511912345678', type: 'CELL' }],
      },
    ];
    const shared = normalizeMessage(CHANNEL, msg('contacts', { contacts: card }), contacts);
    expect(shared.kind === 'message' && [shared.message.type, shared.message.content]).toEqual([
      'contacts',
      { contacts: card },
    ]);
  });

  it('button and list replies, and a template quick reply: interactive with the title as text and the reply id', () => {
    const button = normalizeMessage(
      CHANNEL,
      msg('interactive', {
        interactive: { type: 'button_reply', button_reply: { id: 'yes-1', title: 'Yes' } },
      }),
      contacts,
    );
    expect(button.kind === 'message' && button.message.content).toEqual({
      text: 'Yes',
      reply: { type: 'button_reply', id: 'yes-1', title: 'Yes' },
    });
    const list = normalizeMessage(
      CHANNEL,
      msg('interactive', {
        interactive: { type: 'list_reply', list_reply: { id: 'size-m', title: 'M', description: 'Medium' } },
      }),
      contacts,
    );
    expect(list.kind === 'message' && [list.message.type, list.message.content]).toEqual([
      'interactive',
      { text: 'M', reply: { type: 'list_reply', id: 'size-m', title: 'M', description: 'Medium' } },
    ]);
    const quick = normalizeMessage(
      CHANNEL,
      msg('button', { button: { payload: 'STOP_PROMOS', text: 'Stop promotions' } }),
      contacts,
    );
    expect(quick.kind === 'message' && quick.message.content).toEqual({
      text: 'Stop promotions',
      reply: { type: 'button', id: 'STOP_PROMOS', title: 'Stop promotions' },
    });
  });

  it('skips reactions, unsupported and unknown types, and malformed or invalid messages, saying why', () => {
    const cases: [unknown, RegExp][] = [
      [msg('reaction', { reaction: { message_id: 'wamid.x', emoji: '👍' } }), /reactions are not stored/],
      [
        msg('unsupported', { errors: [{ code: 131051, title: 'Message type unknown' }] }),
        /unsupported messages are not supported \(Message type unknown\)/,
      ],
      [msg('order', { order: {} }), /order messages are not supported/],
      [
        msg('interactive', { interactive: { type: 'nfm_reply', nfm_reply: {} } }),
        /interactive nfm_reply is not supported/,
      ],
      [msg('text', { text: { body: '   ' } }), /invalid text/],
      [msg('location', { location: { latitude: 200, longitude: 0 } }), /invalid location/],
      [msg('image', {}), /image message without its image object/],
      [{ id: 'wamid.bad', type: 'text' }, /malformed message/],
      [null, /malformed message/],
    ];
    for (const [raw, reason] of cases) {
      const item = normalizeMessage(CHANNEL, raw, contacts);
      expect(item.kind, JSON.stringify(raw)).toBe('skip');
      expect(item.kind === 'skip' && item.reason).toMatch(reason);
    }
  });
});

describe('WhatsApp statuses', () => {
  it('delivered and read move the message; failed carries Meta’s title, details and code', () => {
    expect(
      normalizeStatus({ id: 'wamid.1', status: 'delivered', timestamp: '1', recipient_id: '1' }),
    ).toEqual({
      kind: 'update',
      id: 'wamid.1',
      update: { status: 'delivered' },
    });
    expect(normalizeStatus({ id: 'wamid.1', status: 'read' })).toMatchObject({ update: { status: 'read' } });
    expect(
      normalizeStatus({
        id: 'wamid.2',
        status: 'failed',
        errors: [
          {
            code: 131047,
            title: 'Re-engagement message',
            message: 'Re-engagement message',
            error_data: {
              details:
                'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
            },
          },
        ],
      }),
    ).toEqual({
      kind: 'update',
      id: 'wamid.2',
      update: {
        status: 'failed',
        reason:
          'Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number. (WhatsApp error 131047)',
      },
    });
  });

  it('skips sent (the send already recorded it), unknown statuses and malformed ones', () => {
    expect(normalizeStatus({ id: 'wamid.3', status: 'sent' })).toMatchObject({ kind: 'skip' });
    expect(normalizeStatus({ id: 'wamid.3', status: 'deleted' })).toMatchObject({ kind: 'skip' });
    expect(normalizeStatus({ status: 'read' })).toMatchObject({ kind: 'skip', reason: 'malformed status' });
  });

  it('describes an error with only a code and message, or nothing at all', () => {
    expect(describeWaError({ code: 131026, message: 'Message undeliverable' })).toBe(
      'Message undeliverable (WhatsApp error 131026)',
    );
    expect(describeWaError(undefined)).toBe('WhatsApp reported the message as failed');
  });
});
