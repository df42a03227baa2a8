import type { MessageType, TMessage } from '@orbitdesk/shared';
import { ChannelSendError } from '../message-channel.js';
import type { MetaKind } from './meta-kinds.js';

/** One Send API `message` object: `{text}`, `{attachment: {type, payload}}`, or a Messenger payload as given. */
export type GraphMessage = Record<string, unknown>;

const ATTACHMENT_TYPES: Partial<Record<MessageType, 'image' | 'video' | 'audio' | 'file'>> = {
  image: 'image',
  sticker: 'image',
  video: 'video',
  audio: 'audio',
  document: 'file',
};

/**
 * The Send API messages for one of ours, in order. Meta's attachments carry no caption, so a caption follows as a
 * text of its own; the first message's id is the one the message keeps. `mediaUrl` turns media content into a
 * link Meta can fetch (a stored attachment becomes a signed URL).
 */
export async function toGraphMessages(
  kind: MetaKind,
  message: Pick<TMessage, 'type' | 'content'>,
  mediaUrl: (content: Record<string, unknown>) => Promise<string>,
): Promise<GraphMessage[]> {
  const { type, content } = message;
  switch (type) {
    case 'text':
      return [{ text: content.text }];
    case 'image':
    case 'sticker':
    case 'video':
    case 'audio':
    case 'document': {
      const url = await mediaUrl(content);
      const attachment = { type: ATTACHMENT_TYPES[type], payload: { url, is_reusable: false } };
      const caption =
        typeof content.caption === 'string' && content.caption.trim() ? content.caption : undefined;
      return caption ? [{ attachment }, { text: caption }] : [{ attachment }];
    }
    case 'interactive':
      // Opaque by contract: a Send API message object (quick_replies, a button or generic template) as given.
      return [content];
    case 'template':
      throw new ChannelSendError(
        true,
        `${kind.label} has no message templates: reply within 24 hours of the contact's last message`,
      );
    case 'location':
    case 'contacts':
      throw new ChannelSendError(true, `${kind.label} cannot send ${type} messages`);
  }
}
