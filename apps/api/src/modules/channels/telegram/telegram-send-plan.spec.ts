import { describe, expect, it } from 'vitest';
import { planTelegramSend } from './telegram-send-plan.js';

const ATTACHMENT = '4f9a1c2e-8d7b-4c3a-9e1f-2a3b4c5d6e7f';

describe('planTelegramSend', () => {
  it('sends text with sendMessage, as plain text', () => {
    expect(planTelegramSend('42', 'text', { text: '*hi* <b>' })).toEqual({
      plan: { method: 'sendMessage', params: { chat_id: '42', text: '*hi* <b>' } },
    });
  });

  it('sends a named place with sendVenue and a bare point with sendLocation', () => {
    expect(
      planTelegramSend('42', 'location', {
        latitude: 1.5,
        longitude: 2.5,
        name: 'Shop',
        address: 'Main St 1',
      }),
    ).toEqual({
      plan: {
        method: 'sendVenue',
        params: { chat_id: '42', latitude: 1.5, longitude: 2.5, title: 'Shop', address: 'Main St 1' },
      },
    });
    expect(planTelegramSend('42', 'location', { latitude: 1.5, longitude: 2.5, name: 'Shop' })).toEqual({
      plan: { method: 'sendLocation', params: { chat_id: '42', latitude: 1.5, longitude: 2.5 } },
    });
  });

  it('picks the method and file parameter per media type; a stored file is uploaded', () => {
    expect(planTelegramSend('42', 'image', { attachmentId: ATTACHMENT, caption: 'look' })).toEqual({
      plan: {
        method: 'sendPhoto',
        params: { chat_id: '42', caption: 'look' },
        file: { field: 'photo', attachmentId: ATTACHMENT },
      },
    });
    expect(planTelegramSend('42', 'document', { url: 'https://x.test/a.pdf' })).toMatchObject({
      plan: { method: 'sendDocument', file: { field: 'document', url: 'https://x.test/a.pdf' } },
    });
    expect(planTelegramSend('42', 'video', { url: 'https://x.test/a.mp4' })).toMatchObject({
      plan: { method: 'sendVideo', file: { field: 'video' } },
    });
    expect(planTelegramSend('42', 'sticker', { url: 'https://x.test/s.webp', caption: 'dropped' })).toEqual({
      plan: {
        method: 'sendSticker',
        params: { chat_id: '42' },
        file: { field: 'sticker', url: 'https://x.test/s.webp' },
      },
    });
  });

  it('sends OGG/Opus audio as a voice note, other audio as a music file', () => {
    const method = (content: Record<string, unknown>, stored?: { fileName: string; contentType: string }) =>
      (planTelegramSend('42', 'audio', content, stored) as { plan: { method: string } }).plan.method;
    expect(method({ attachmentId: ATTACHMENT }, { fileName: 'note.ogg', contentType: 'audio/ogg' })).toBe(
      'sendVoice',
    );
    expect(method({ attachmentId: ATTACHMENT }, { fileName: 'song.mp3', contentType: 'audio/mpeg' })).toBe(
      'sendAudio',
    );
    expect(method({ url: 'https://x.test/voice.oga' })).toBe('sendVoice');
    expect(method({ url: 'https://x.test/track', mimeType: 'audio/mpeg' })).toBe('sendAudio');
  });

  it('refuses templates, interactive messages, contact cards and invalid content', () => {
    expect(planTelegramSend('42', 'template', { name: 'x', language: 'en' })).toEqual({
      refused: 'Telegram bots cannot send template messages',
    });
    expect(planTelegramSend('42', 'interactive', {})).toHaveProperty('refused');
    expect(planTelegramSend('42', 'contacts', {})).toHaveProperty('refused');
    expect(planTelegramSend('42', 'image', { caption: 'no file' })).toEqual({
      refused: 'The image message content is not valid',
    });
  });
});
