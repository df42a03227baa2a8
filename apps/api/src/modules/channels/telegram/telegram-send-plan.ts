import { ZLocationContent, ZMediaContent, ZTextContent, type MessageType } from '@orbitdesk/shared';

/** A Bot API call for one outbound message; its file, when it has one, goes by URL or is uploaded. */
export interface TelegramSendPlan {
  method: string;
  params: Record<string, string | number>;
  file?: {
    /** The method's parameter for the file (`photo`, `document`, ...). */
    field: string;
    url?: string;
    attachmentId?: string;
  };
}

/** `more`: the further calls of a text over Telegram's limit, sent after `plan`, in order. */
export type PlanResult = { plan: TelegramSendPlan; more?: TelegramSendPlan[] } | { refused: string };

/** Telegram's limit for a message's text, in UTF-16 code units (JavaScript string length). */
export const TELEGRAM_TEXT_MAX = 4096;

/**
 * `text` cut into parts of at most `max` code units, in order, that join back into exactly `text`: each cut is
 * made after the last paragraph break in reach, else the last line break, else the last space, else at `max`
 * (never inside a surrogate pair, so no emoji is split).
 */
export function splitText(text: string, max = TELEGRAM_TEXT_MAX): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    // Just after the last `separator` in reach; 0 when there is none.
    const after = (separator: string) => {
      const at = window.lastIndexOf(separator);
      return at < 0 ? 0 : at + separator.length;
    };
    // A break in the second half of the window, else the part would be needlessly short.
    let cut = after('\n\n');
    if (cut < max / 2) cut = after('\n');
    if (cut < max / 2) cut = after(' ');
    if (cut < max / 2) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    }
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts;
}

/** What is known of a stored file before it is sent: its type decides between a voice note and a music file. */
export interface StoredFileInfo {
  fileName: string;
  contentType: string;
}

const MEDIA_METHODS = {
  image: { method: 'sendPhoto', field: 'photo' },
  video: { method: 'sendVideo', field: 'video' },
  document: { method: 'sendDocument', field: 'document' },
  sticker: { method: 'sendSticker', field: 'sticker' },
  audio: { method: 'sendAudio', field: 'audio' },
} as const;

/** Telegram plays OGG/Opus as a voice note (sendVoice); any other audio is a music file (sendAudio). */
const isVoice = (mimeType: string | undefined, name: string | undefined) =>
  /^audio\/(ogg|opus)\b/i.test(mimeType ?? '') || /\.(ogg|oga|opus)$/i.test(name ?? '');

/**
 * Which Bot API method sends a message of this type, with which parameters. Text goes as plain text (no
 * parse_mode, so an agent's `*` or `<` arrives as typed), in several messages when it is over Telegram's 4,096
 * characters; stickers take no caption. Template, interactive and
 * contact-card messages have no Telegram counterpart and are refused.
 */
export function planTelegramSend(
  chatId: string,
  type: MessageType,
  content: unknown,
  stored?: StoredFileInfo,
): PlanResult {
  const invalid = { refused: `The ${type} message content is not valid` };
  switch (type) {
    case 'text': {
      const c = ZTextContent.safeParse(content);
      if (!c.success) return invalid;
      const [first, ...more] = splitText(c.data.text).map((text) => ({
        method: 'sendMessage',
        params: { chat_id: chatId, text },
      }));
      return more.length ? { plan: first!, more } : { plan: first! };
    }
    case 'location': {
      const c = ZLocationContent.safeParse(content);
      if (!c.success) return invalid;
      const { latitude, longitude, name, address } = c.data;
      // A place with a name and an address is a venue; a bare point is a location.
      return name && address
        ? {
            plan: {
              method: 'sendVenue',
              params: { chat_id: chatId, latitude, longitude, title: name, address },
            },
          }
        : { plan: { method: 'sendLocation', params: { chat_id: chatId, latitude, longitude } } };
    }
    case 'image':
    case 'video':
    case 'document':
    case 'sticker':
    case 'audio': {
      const c = ZMediaContent.safeParse(content);
      if (!c.success) return invalid;
      const m = c.data;
      const voice =
        type === 'audio' &&
        isVoice(stored?.contentType ?? m.mimeType, stored?.fileName ?? m.filename ?? m.url);
      const { method, field } = voice ? { method: 'sendVoice', field: 'voice' } : MEDIA_METHODS[type];
      return {
        plan: {
          method,
          params: { chat_id: chatId, ...(m.caption && type !== 'sticker' ? { caption: m.caption } : {}) },
          file: { field, ...(m.attachmentId ? { attachmentId: m.attachmentId } : { url: m.url }) },
        },
      };
    }
    case 'template':
    case 'interactive':
    case 'contacts':
      return { refused: `Telegram bots cannot send ${type} messages` };
  }
}
