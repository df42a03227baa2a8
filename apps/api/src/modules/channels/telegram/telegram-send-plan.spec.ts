import { describe, expect, it } from 'vitest';
import { planTelegramSend, splitText } from './telegram-send-plan.js';

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

  it('sends a text over 4,096 characters as several messages, in order', () => {
    const text = `${'a'.repeat(3000)}\n\n${'b'.repeat(3000)}\n\n${'c'.repeat(100)}`;
    const planned = planTelegramSend('42', 'text', { text });
    expect('plan' in planned).toBe(true);
    if (!('plan' in planned)) return;
    const texts = [planned.plan, ...(planned.more ?? [])].map((p) => {
      expect(p.method).toBe('sendMessage');
      expect(p.params.chat_id).toBe('42');
      return String(p.params.text);
    });
    expect(texts).toEqual([`${'a'.repeat(3000)}\n\n`, `${'b'.repeat(3000)}\n\n${'c'.repeat(100)}`]);
    // A text within the limit stays one message, without `more`.
    expect(planTelegramSend('42', 'text', { text: 'x'.repeat(4096) })).toEqual({
      plan: { method: 'sendMessage', params: { chat_id: '42', text: 'x'.repeat(4096) } },
    });
  });
});

describe('splitText', () => {
  const check = (text: string, max: number) => {
    const parts = splitText(text, max);
    expect(parts.join('')).toBe(text);
    for (const part of parts) {
      expect(part.length).toBeGreaterThan(0);
      expect(part.length).toBeLessThanOrEqual(max);
    }
    return parts;
  };

  it('cuts after a paragraph, else a line, else a space, in the second half of the window', () => {
    expect(check('aaaa\n\nbbbb\ncc dd', 10)).toEqual(['aaaa\n\n', 'bbbb\ncc dd']);
    expect(check('aaaaaa\nbbbbbbbb', 10)).toEqual(['aaaaaa\n', 'bbbbbbbb']);
    expect(check('aaa bbb ccc ddd', 10)).toEqual(['aaa bbb ', 'ccc ddd']);
    // A break too early in the window is passed over: the part would be needlessly short.
    expect(check('a bbbbbbbbbbbbbbbbbb', 10)).toEqual(['a bbbbbbbb', 'bbbbbbbbbb']);
  });

  it('cuts a text without breaks at the limit, but never inside a surrogate pair', () => {
    expect(check('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    // 🙂 is two code units; at 9 + 2 it would straddle the limit of 10.
    const parts = check(`${'x'.repeat(9)}🙂${'y'.repeat(5)}`, 10);
    expect(parts).toEqual(['x'.repeat(9), `🙂${'y'.repeat(5)}`]);
  });

  it('leaves a text within the limit whole, and holds up on long random texts', () => {
    expect(splitText('short', 10)).toEqual(['short']);
    const words = ['lorem', 'ipsum\n', 'dolor', '🙂', 'sit\n\n', 'amet', 'x'.repeat(50)];
    let text = '';
    for (let i = 0; text.length < 70_000; i++) text += `${words[(i * 7 + (i >> 3)) % words.length]} `;
    const parts = check(text, 4096);
    expect(parts.length).toBeGreaterThan(17);
  });
});
