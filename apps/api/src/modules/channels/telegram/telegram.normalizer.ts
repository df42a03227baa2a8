import type { MessageType, NormalizedMessage } from '@orbitdesk/shared';
import { ZTelegramUpdate, type TelegramMessage } from './telegram-update.schema.js';

/** A file in a Telegram message, fetched with getFile and stored before the message is. */
export interface TelegramMediaRef {
  type: Extract<MessageType, 'image' | 'video' | 'audio' | 'document' | 'sticker'>;
  fileId: string;
  /** As Telegram names it (documents, audio, video); otherwise the name of the downloaded file is used. */
  fileName?: string;
  mimeType?: string;
  caption?: string;
}

export interface TelegramInboundMessage {
  contact: NormalizedMessage['contact'];
  /** `<chat id>:<message id>`: Telegram numbers messages per chat. */
  providerMessageId: string;
  sentAt: string;
  body: { type: MessageType; content: Record<string, unknown> } | { media: TelegramMediaRef };
}

export type TelegramNormalized = TelegramInboundMessage | { skip: string };

const CAPTION_MAX = 1024;
const NAME_MAX = 256;
const EDITED = '[edited] ';

/** Cut at a code point, with an ellipsis (Premium users may write captions longer than OrbitDesk keeps). */
function clip(value: string, max: number): string {
  if (value.length <= max) return value;
  const points = Array.from(value);
  let out = '';
  for (const p of points) {
    if (out.length + p.length > max - 1) break;
    out += p;
  }
  return `${out}…`;
}

const caption = (m: TelegramMessage) => (m.caption?.trim() ? { caption: clip(m.caption, CAPTION_MAX) } : {});

const stickerMime = (s: NonNullable<TelegramMessage['sticker']>) =>
  s.is_animated ? 'application/x-tgsticker' : s.is_video ? 'video/webm' : 'image/webp';

/**
 * One webhook delivery (one Update) as the message to store, or why it is skipped. Only private chats are taken:
 * a bot added to a group would otherwise open one shared conversation for everyone in it, with no way to tell
 * who wrote what, and replies to the whole group. An edit is stored as a new message (`[edited] …`) for text;
 * other edits (a caption, a live location moving) are skipped.
 */
export function normalizeTelegramUpdate(raw: unknown): TelegramNormalized {
  const parsed = ZTelegramUpdate.safeParse(raw);
  if (!parsed.success) return { skip: 'not a Telegram update this inbox understands' };
  const { message, edited_message: edited } = parsed.data;
  const m = message ?? edited;
  if (!m) return { skip: 'neither a message nor an edited message' };
  if (m.chat.type !== 'private') return { skip: `a ${m.chat.type} chat (only private chats are taken)` };

  const sender = m.from ?? m.chat;
  const name = [sender.first_name, sender.last_name].filter(Boolean).join(' ').trim();
  const contact = {
    identifier: String(m.chat.id),
    ...(name || sender.username ? { name: clip(name || `@${sender.username}`, NAME_MAX) } : {}),
  };
  const id = `${m.chat.id}:${m.message_id}`;

  if (edited) {
    if (!edited.text?.trim() || edited.edit_date === undefined)
      return { skip: 'an edit of a non-text message' };
    return {
      contact,
      providerMessageId: `${id}:edited:${edited.edit_date}`,
      sentAt: new Date(edited.edit_date * 1000).toISOString(),
      body: { type: 'text', content: { text: `${EDITED}${edited.text}` } },
    };
  }
  const body = bodyOf(m);
  if (!body)
    return { skip: 'a kind of message this inbox does not store (poll, dice, service message, ...)' };
  return { contact, providerMessageId: id, sentAt: new Date(m.date * 1000).toISOString(), body };
}

function bodyOf(m: TelegramMessage): TelegramInboundMessage['body'] | undefined {
  if (m.text?.trim()) return { type: 'text', content: { text: m.text } };
  if (m.photo) {
    // Sizes come smallest first; the last is the original resolution.
    const largest = m.photo[m.photo.length - 1]!;
    return { media: { type: 'image', fileId: largest.file_id, mimeType: 'image/jpeg', ...caption(m) } };
  }
  const file = (
    type: TelegramMediaRef['type'],
    f: NonNullable<TelegramMessage['document']>,
    fallbackMime?: string,
  ) => ({
    media: {
      type,
      fileId: f.file_id,
      ...(f.file_name ? { fileName: f.file_name } : {}),
      ...((f.mime_type ?? fallbackMime) ? { mimeType: f.mime_type ?? fallbackMime } : {}),
      ...caption(m),
    },
  });
  if (m.document) return file('document', m.document);
  if (m.voice) return file('audio', m.voice, 'audio/ogg');
  if (m.audio) return file('audio', m.audio);
  if (m.video) return file('video', m.video);
  if (m.video_note) return file('video', m.video_note, 'video/mp4');
  if (m.sticker) {
    return {
      media: { type: 'sticker', fileId: m.sticker.file_id, mimeType: stickerMime(m.sticker) },
    };
  }
  if (m.venue) {
    return {
      type: 'location',
      content: {
        latitude: m.venue.location.latitude,
        longitude: m.venue.location.longitude,
        name: clip(m.venue.title, 256),
        address: clip(m.venue.address, 1024),
      },
    };
  }
  if (m.location) {
    return { type: 'location', content: { latitude: m.location.latitude, longitude: m.location.longitude } };
  }
  if (m.contact) {
    const c = m.contact;
    const formatted = [c.first_name, c.last_name].filter(Boolean).join(' ');
    return {
      type: 'contacts',
      content: {
        contacts: [
          {
            name: {
              formatted_name: formatted,
              first_name: c.first_name,
              ...(c.last_name ? { last_name: c.last_name } : {}),
            },
            phones: [{ phone: c.phone_number }],
            ...(c.user_id !== undefined ? { telegramUserId: String(c.user_id) } : {}),
            ...(c.vcard ? { vcard: c.vcard } : {}),
          },
        ],
      },
    };
  }
  return undefined;
}
