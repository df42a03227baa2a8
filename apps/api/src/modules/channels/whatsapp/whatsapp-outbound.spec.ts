import { describe, expect, it } from 'vitest';
import { ChannelSendError } from '../message-channel.js';
import { buildOutboundMessage, readReceipt } from './whatsapp-outbound.js';

const TO = '14155552671';
const head = { messaging_product: 'whatsapp', recipient_type: 'individual', to: TO };

function refusal(fn: () => unknown): ChannelSendError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ChannelSendError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('WhatsApp outbound message bodies', () => {
  it('text, with a link preview only when the text has a link', () => {
    expect(buildOutboundMessage(TO, 'text', { text: 'Hello' })).toEqual({
      ...head,
      type: 'text',
      text: { body: 'Hello', preview_url: false },
    });
    expect(buildOutboundMessage(TO, 'text', { text: 'See https://acme.test/x' })).toMatchObject({
      text: { preview_url: true },
    });
  });

  it('refuses a text over 4096 characters (counted as characters, not UTF-16 units) permanently', () => {
    expect(buildOutboundMessage(TO, 'text', { text: '😀'.repeat(4096) })).toMatchObject({ type: 'text' });
    const err = refusal(() => buildOutboundMessage(TO, 'text', { text: 'a'.repeat(4097) }));
    expect(err.permanent).toBe(true);
    expect(err.reason).toBe('The text is 4097 characters long; WhatsApp allows at most 4096');
  });

  it('media by link: the stored file’s signed link wins over a url; caption and document filename', () => {
    const link = { link: 'https://desk.test/api/v1/attachments/a/download?sig=x', filename: 'stored.pdf' };
    expect(buildOutboundMessage(TO, 'image', { url: 'https://cdn.test/a.jpg', caption: 'Receipt' })).toEqual({
      ...head,
      type: 'image',
      image: { link: 'https://cdn.test/a.jpg', caption: 'Receipt' },
    });
    expect(
      buildOutboundMessage(TO, 'document', { attachmentId: '0b7a3c1e-54c4-4f1e-9d55-2a5e3e0c7b11' }, link),
    ).toEqual({ ...head, type: 'document', document: { link: link.link, filename: 'stored.pdf' } });
    expect(
      buildOutboundMessage(TO, 'video', { url: 'https://cdn.test/v.mp4', filename: 'v.mp4' }, undefined),
    ).toEqual({
      ...head,
      type: 'video',
      video: { link: 'https://cdn.test/v.mp4' },
    });
    expect(buildOutboundMessage(TO, 'sticker', { url: 'https://cdn.test/s.webp' })).toEqual({
      ...head,
      type: 'sticker',
      sticker: { link: 'https://cdn.test/s.webp' },
    });
    expect(
      refusal(() => buildOutboundMessage(TO, 'audio', { url: 'https://cdn.test/a.ogg', caption: 'x' }))
        .reason,
    ).toBe('WhatsApp does not send a caption with audio');
  });

  it('template with language code and components', () => {
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] }];
    expect(
      buildOutboundMessage(TO, 'template', { name: 'order_update', language: 'pt_BR', components }),
    ).toEqual({
      ...head,
      type: 'template',
      template: { name: 'order_update', language: { code: 'pt_BR' }, components },
    });
  });

  it('interactive passes WhatsApp’s object through; location; contacts', () => {
    const interactive = {
      type: 'button',
      body: { text: 'Confirm?' },
      action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] },
    };
    expect(buildOutboundMessage(TO, 'interactive', interactive)).toEqual({
      ...head,
      type: 'interactive',
      interactive,
    });
    expect(refusal(() => buildOutboundMessage(TO, 'interactive', { text: 'Yes' })).permanent).toBe(true);
    expect(buildOutboundMessage(TO, 'location', { latitude: 1.5, longitude: 2.5, name: 'HQ' })).toEqual({
      ...head,
      type: 'location',
      location: { latitude: 1.5, longitude: 2.5, name: 'HQ' },
    });
    const contacts = [{ name: { formatted_name: 'Carla' }, phones: [{ phone: '+5511912345678' }] }];
    expect(buildOutboundMessage(TO, 'contacts', { contacts })).toEqual({
      ...head,
      type: 'contacts',
      contacts,
    });
    expect(refusal(() => buildOutboundMessage(TO, 'contacts', {})).permanent).toBe(true);
  });

  it('refuses files attached to a text (an email-only shape)', () => {
    const err = refusal(() =>
      buildOutboundMessage(TO, 'text', {
        text: 'see attached',
        attachments: [{ attachmentId: '0b7a3c1e-54c4-4f1e-9d55-2a5e3e0c7b11' }],
      }),
    );
    expect(err.reason).toMatch(/send each file as its own media message/);
  });

  it('read receipt', () => {
    expect(readReceipt('wamid.X')).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.X',
    });
  });
});
