import {
  ZLocationContent,
  ZMediaContent,
  ZTemplateContent,
  ZTextContent,
  type MessageType,
} from '@orbitdesk/shared';
import type { z } from 'zod';
import { ChannelSendError } from '../message-channel.js';

/** WhatsApp's limit on a text message's body, in characters. */
export const TEXT_LIMIT = 4096;

/** A stored file, resolved by the adapter to a link Meta can fetch. */
export interface MediaLink {
  link: string;
  filename?: string;
}

const refuse = (reason: string) => new ChannelSendError(true, reason);

function parse<T>(schema: z.ZodType<T>, type: MessageType, content: Record<string, unknown>): T {
  const parsed = schema.safeParse(content);
  if (!parsed.success) throw refuse(`The ${type} message content is not valid`);
  return parsed.data;
}

/**
 * The body of `POST /{phone-number-id}/messages` for one outbound message. Content WhatsApp cannot carry is
 * refused here, permanently and in plain words, before Meta is asked: a longer text than it allows, a caption on
 * audio or a sticker, files attached to a text.
 */
export function buildOutboundMessage(
  to: string,
  type: MessageType,
  content: Record<string, unknown>,
  media?: MediaLink,
): Record<string, unknown> {
  const head = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  switch (type) {
    case 'text': {
      const c = parse(ZTextContent, type, content);
      if (c.attachments?.length) {
        throw refuse('WhatsApp cannot attach files to a text: send each file as its own media message');
      }
      const length = Array.from(c.text).length;
      if (length > TEXT_LIMIT) {
        throw refuse(`The text is ${length} characters long; WhatsApp allows at most ${TEXT_LIMIT}`);
      }
      return { ...head, type, text: { body: c.text, preview_url: /https?:\/\//i.test(c.text) } };
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const c = parse(ZMediaContent, type, content);
      const link = media?.link ?? c.url;
      if (!link) throw refuse(`The ${type} has no file`);
      if (c.caption && (type === 'audio' || type === 'sticker')) {
        throw refuse(`WhatsApp does not send a caption with ${type === 'audio' ? 'audio' : 'a sticker'}`);
      }
      const filename = c.filename ?? media?.filename;
      return {
        ...head,
        type,
        [type]: {
          link,
          ...(c.caption ? { caption: c.caption } : {}),
          ...(type === 'document' && filename ? { filename } : {}),
        },
      };
    }
    case 'location': {
      const c = parse(ZLocationContent, type, content);
      return { ...head, type, location: c };
    }
    case 'template': {
      const c = parse(ZTemplateContent, type, content);
      return {
        ...head,
        type,
        template: {
          name: c.name,
          language: { code: c.language },
          ...(c.components ? { components: c.components } : {}),
        },
      };
    }
    case 'interactive':
      // Agents and flows give WhatsApp's own interactive object (type button or list, body, action).
      if (typeof content.type !== 'string' || typeof content.action !== 'object' || !content.action) {
        throw refuse('An interactive message needs WhatsApp’s interactive object: type, body and action');
      }
      return { ...head, type, interactive: content };
    case 'contacts':
      if (!Array.isArray(content.contacts) || content.contacts.length === 0) {
        throw refuse('A contacts message needs a non-empty contacts list in WhatsApp’s format');
      }
      return { ...head, type, contacts: content.contacts };
  }
}

/** The body that marks an inbound message (and every earlier one) as read, with blue ticks for the contact. */
export const readReceipt = (wamid: string) => ({
  messaging_product: 'whatsapp',
  status: 'read',
  message_id: wamid,
});
