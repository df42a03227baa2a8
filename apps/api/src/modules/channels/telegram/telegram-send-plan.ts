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

export type PlanResult = { plan: TelegramSendPlan } | { refused: string };

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
 * parse_mode, so an agent's `*` or `<` arrives as typed); stickers take no caption. Template, interactive and
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
      return { plan: { method: 'sendMessage', params: { chat_id: chatId, text: c.data.text } } };
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
