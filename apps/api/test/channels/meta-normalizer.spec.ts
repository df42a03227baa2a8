import { describe, expect, it } from 'vitest';
import { normalizeMessagingEvent } from '../../src/modules/channels/meta/meta-inbound.normalizer.js';
import { META_KINDS } from '../../src/modules/channels/meta/meta-kinds.js';
import { toGraphMessages } from '../../src/modules/channels/meta/meta-outbound.js';
import { ZMetaMessagingEvent } from '../../src/modules/channels/meta/meta-webhook.schema.js';
import {
  signatureDigest,
  verifyMetaSignature,
} from '../../src/modules/channels/meta/meta-webhook.signature.js';
import { ChannelSendError } from '../../src/modules/channels/message-channel.js';

const PAGE = '1029384756';
const PSID = '5566778899';
const T = 1_700_000_000_000;

/** Parses like the processor does, so the fixtures must be valid Meta events. */
const normalize = (event: Record<string, unknown>) =>
  normalizeMessagingEvent(
    ZMetaMessagingEvent.parse({ sender: { id: PSID }, recipient: { id: PAGE }, timestamp: T, ...event }),
  );

describe('Meta webhook signature', () => {
  const body = Buffer.from('{"object":"page","entry":[]}');
  // HMAC-SHA256 of the body keyed with "app-secret-0123456789", computed independently with openssl.
  const known = '2404abb3cc6f8699f5fda99fb769e32e0ef55ee6bafbfbefa4ecb814138c93bb';

  it('reads sha256=<hex> and checks it against the raw bytes', () => {
    expect(signatureDigest(`sha256=${known.toUpperCase()}`)).toBe(known);
    expect(verifyMetaSignature('app-secret-0123456789', body, known)).toBe(true);
    expect(verifyMetaSignature('app-secret-0123456788', body, known)).toBe(false);
    expect(verifyMetaSignature('app-secret-0123456789', Buffer.from(`${body.toString()} `), known)).toBe(
      false,
    );
  });

  it('rejects a missing or malformed header', () => {
    for (const header of [
      undefined,
      '',
      known,
      `sha1=${known.slice(0, 40)}`,
      `sha256=${known.slice(1)}`,
      `sha256=${'z'.repeat(64)}`,
    ]) {
      expect(signatureDigest(header), String(header)).toBeUndefined();
    }
  });
});

describe('Meta messaging events', () => {
  it('text, with the provider time', () => {
    expect(normalize({ message: { mid: 'm_1', text: 'hello' } })).toEqual([
      {
        kind: 'message',
        contactId: PSID,
        echo: false,
        draft: {
          providerMessageId: 'm_1',
          type: 'text',
          content: { text: 'hello' },
          sentAt: new Date(T).toISOString(),
        },
      },
    ]);
  });

  it('an echo belongs to the recipient', () => {
    const [action] = normalizeMessagingEvent(
      ZMetaMessagingEvent.parse({
        sender: { id: PAGE },
        recipient: { id: PSID },
        timestamp: T,
        message: { mid: 'm_e', is_echo: true, app_id: 1234, text: 'from the Page inbox' },
      }),
    );
    expect(action).toMatchObject({ kind: 'message', contactId: PSID, echo: true, draft: { type: 'text' } });
  });

  it('several files become several messages; the first keeps the mid and the text as caption', () => {
    const actions = normalize({
      message: {
        mid: 'm_2',
        text: 'see these',
        attachments: [
          { type: 'image', payload: { url: 'https://scontent.xx.fbcdn.net/v/t1/123_456_n.jpg?oh=1' } },
          { type: 'file', payload: { url: 'https://cdn.fbsbx.com/v/t59/invoice%20May.pdf?dl=1' } },
          {
            type: 'image',
            payload: { url: 'https://scontent.xx.fbcdn.net/sticker.png', sticker_id: 369239263222822 },
          },
        ],
      },
    });
    expect(actions.map((a) => (a.kind === 'message' ? a.draft : a))).toEqual([
      {
        providerMessageId: 'm_2',
        type: 'image',
        content: { caption: 'see these' },
        sentAt: new Date(T).toISOString(),
        media: { url: 'https://scontent.xx.fbcdn.net/v/t1/123_456_n.jpg?oh=1', fileName: '123_456_n.jpg' },
      },
      {
        providerMessageId: 'm_2:1',
        type: 'document',
        content: {},
        sentAt: new Date(T).toISOString(),
        media: { url: 'https://cdn.fbsbx.com/v/t59/invoice%20May.pdf?dl=1', fileName: 'invoice May.pdf' },
      },
      expect.objectContaining({ providerMessageId: 'm_2:2', type: 'sticker' }),
    ]);
  });

  it('a location pin, and link-only attachments as text', () => {
    expect(
      normalize({
        message: {
          mid: 'm_3',
          attachments: [
            { type: 'location', payload: { title: 'Shop', coordinates: { lat: -23.5, long: -46.6 } } },
          ],
        },
      })[0],
    ).toMatchObject({
      draft: { type: 'location', content: { latitude: -23.5, longitude: -46.6, name: 'Shop' } },
    });
    expect(
      normalize({
        message: {
          mid: 'm_4',
          attachments: [
            {
              type: 'story_mention',
              payload: { url: 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1' },
            },
          ],
        },
      })[0],
    ).toMatchObject({
      draft: {
        type: 'text',
        content: {
          text: 'Mentioned you in a story: https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=1',
        },
      },
    });
    expect(normalize({ message: { mid: 'm_5', attachments: [{ type: 'unsupported_type' }] } })).toEqual([]);
    expect(normalize({ message: { mid: 'm_6', is_deleted: true } })).toEqual([]);
  });

  it('a postback is its title; without a mid, the person and time identify it', () => {
    expect(normalize({ postback: { title: 'Get Started', payload: 'GET_STARTED' } })[0]).toMatchObject({
      draft: { providerMessageId: `postback:${PSID}:${T}`, type: 'text', content: { text: 'Get Started' } },
    });
  });

  it('receipts: delivered mids, delivered and read watermarks, seen by mid', () => {
    expect(normalize({ delivery: { mids: ['m_a', 'm_b'], watermark: T } })).toEqual([
      { kind: 'delivered', mids: ['m_a', 'm_b'] },
    ]);
    expect(normalize({ delivery: { watermark: T } })).toEqual([
      { kind: 'watermark', contactId: PSID, status: 'delivered', upTo: new Date(T) },
    ]);
    expect(normalize({ read: { watermark: T } })).toEqual([
      { kind: 'watermark', contactId: PSID, status: 'read', upTo: new Date(T) },
    ]);
    expect(normalize({ read: { mid: 'm_c' } })).toEqual([{ kind: 'seen', contactId: PSID, mid: 'm_c' }]);
  });

  it('refuses events that are not from Meta', () => {
    expect(
      ZMetaMessagingEvent.safeParse({ sender: { id: 'x' }, recipient: { id: PAGE }, message: { mid: 'm' } })
        .success,
    ).toBe(false);
  });
});

describe('Send API messages', () => {
  const url = () => Promise.resolve('https://desk.example.test/f.png');

  it('text, media with its caption after it, opaque interactive payloads as given', async () => {
    const kind = META_KINDS.messenger;
    expect(await toGraphMessages(kind, { type: 'text', content: { text: 'hi' } }, url)).toEqual([
      { text: 'hi' },
    ]);
    expect(
      await toGraphMessages(kind, { type: 'document', content: { url: 'x', caption: 'Invoice' } }, url),
    ).toEqual([
      {
        attachment: { type: 'file', payload: { url: 'https://desk.example.test/f.png', is_reusable: false } },
      },
      { text: 'Invoice' },
    ]);
    const quickReplies = {
      text: 'Pick one',
      quick_replies: [{ content_type: 'text', title: 'A', payload: 'A' }],
    };
    expect(await toGraphMessages(kind, { type: 'interactive', content: quickReplies }, url)).toEqual([
      quickReplies,
    ]);
  });

  it('refuses what Meta cannot send, for good', async () => {
    for (const type of ['template', 'location', 'contacts'] as const) {
      const attempt = toGraphMessages(META_KINDS.instagram, { type, content: {} }, url);
      await expect(attempt).rejects.toBeInstanceOf(ChannelSendError);
      await expect(attempt).rejects.toMatchObject({ permanent: true });
    }
  });
});
