import { describe, expect, it } from 'vitest';
import { normalizeTelegramUpdate } from './telegram.normalizer.js';

const chat = { id: 555, type: 'private', first_name: 'Ada', last_name: 'Lovelace', username: 'ada' };
const from = { id: 555, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada' };
const message = (fields: Record<string, unknown>) => ({
  update_id: 1,
  message: { message_id: 9, from, chat, date: 1_700_000_000, ...fields },
});

describe('normalizeTelegramUpdate', () => {
  it('a text: the chat is the contact, the id is <chat id>:<message id>, the date is the sending time', () => {
    expect(normalizeTelegramUpdate(message({ text: 'hello' }))).toEqual({
      contact: { identifier: '555', name: 'Ada Lovelace' },
      providerMessageId: '555:9',
      sentAt: '2023-11-14T22:13:20.000Z',
      body: { type: 'text', content: { text: 'hello' } },
    });
  });

  it('names a contact without a first or last name by @username', () => {
    const u = message({ text: 'hi' });
    u.message.from = { ...from, first_name: '', last_name: undefined as unknown as string };
    expect(normalizeTelegramUpdate(u)).toMatchObject({ contact: { identifier: '555', name: '@ada' } });
  });

  it('takes the last (largest) photo size and keeps the caption, clipped to 1024 characters', () => {
    const caption = `${'a'.repeat(1030)}`;
    const result = normalizeTelegramUpdate(
      message({
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 90 },
          { file_id: 'big', file_unique_id: 'b', width: 1280, height: 1280 },
        ],
        caption,
      }),
    );
    expect(result).toMatchObject({
      body: { media: { type: 'image', fileId: 'big', mimeType: 'image/jpeg' } },
    });
    const clipped = (result as { body: { media: { caption: string } } }).body.media.caption;
    expect(clipped).toHaveLength(1024);
    expect(clipped.endsWith('…')).toBe(true);
  });

  it('maps voice, audio, video notes and the three kinds of sticker', () => {
    const media = (fields: Record<string, unknown>) =>
      (normalizeTelegramUpdate(message(fields)) as { body: { media: unknown } }).body.media;
    expect(media({ voice: { file_id: 'v', file_unique_id: 'v', duration: 2 } })).toEqual({
      type: 'audio',
      fileId: 'v',
      mimeType: 'audio/ogg',
    });
    expect(
      media({
        audio: {
          file_id: 'a',
          file_unique_id: 'a',
          duration: 200,
          file_name: 'song.mp3',
          mime_type: 'audio/mpeg',
        },
        caption: 'listen',
      }),
    ).toEqual({
      type: 'audio',
      fileId: 'a',
      fileName: 'song.mp3',
      mimeType: 'audio/mpeg',
      caption: 'listen',
    });
    expect(media({ video_note: { file_id: 'n', file_unique_id: 'n', length: 240, duration: 5 } })).toEqual({
      type: 'video',
      fileId: 'n',
      mimeType: 'video/mp4',
    });
    const sticker = (is_animated: boolean, is_video: boolean) =>
      media({
        sticker: {
          file_id: 's',
          file_unique_id: 's',
          type: 'regular',
          width: 512,
          height: 512,
          is_animated,
          is_video,
        },
      });
    expect(sticker(false, false)).toMatchObject({ type: 'sticker', mimeType: 'image/webp' });
    expect(sticker(true, false)).toMatchObject({ mimeType: 'application/x-tgsticker' });
    expect(sticker(false, true)).toMatchObject({ mimeType: 'video/webm' });
  });

  it('skips group chats, edits of anything but text, other kinds of message and malformed updates', () => {
    const skipped = (raw: unknown) => 'skip' in normalizeTelegramUpdate(raw);
    expect(skipped(message({ text: 'hi', chat: { ...chat, type: 'group' } }))).toBe(true);
    expect(
      skipped({
        update_id: 2,
        edited_message: {
          message_id: 9,
          from,
          chat,
          date: 1,
          edit_date: 2,
          location: { latitude: 1, longitude: 2 },
        },
      }),
    ).toBe(true);
    expect(skipped(message({ poll: { id: 'p' } }))).toBe(true);
    expect(skipped(message({ text: '   ' }))).toBe(true);
    expect(skipped({ update_id: 3, callback_query: {} })).toBe(true);
    expect(skipped({ update_id: 'x' })).toBe(true);
    expect(skipped(null)).toBe(true);
    expect(skipped(message({ chat: { id: 'not a number', type: 'private' }, text: 'x' }))).toBe(true);
  });

  it('stores an edited text as a new message, marked as an edit, at the time of the edit', () => {
    expect(
      normalizeTelegramUpdate({
        update_id: 4,
        edited_message: {
          message_id: 9,
          from,
          chat,
          date: 1_700_000_000,
          edit_date: 1_700_000_060,
          text: 'fixed',
        },
      }),
    ).toMatchObject({
      providerMessageId: '555:9:edited:1700000060',
      sentAt: '2023-11-14T22:14:20.000Z',
      body: { type: 'text', content: { text: '[edited] fixed' } },
    });
  });
});
