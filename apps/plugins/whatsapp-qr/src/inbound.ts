import type { Readable } from 'node:stream';
import { normalizeMessageContent, toNumber, type proto, type WAMessage } from '@whiskeysockets/baileys';
import { chatAddress } from './jid.js';

export type InboundType =
  'text' | 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'location' | 'contacts';

/** One WhatsApp message in the inbox's terms; the host stores it through its own pipeline. */
export interface InboundMessage {
  /** WhatsApp's message id (key.id): a redelivery carries the same one. */
  providerMessageId: string;
  /** `out` for a message the business sent from the phone itself. */
  direction: 'in' | 'out';
  contact: { identifier: string; phone?: string; name?: string };
  type: InboundType;
  /** The content in the inbox's shape; a media message gets its `attachmentId` once the host stored the file. */
  content: Record<string, unknown>;
  sentAt?: string;
  /** For media: the file, downloaded (and decrypted) from WhatsApp only when the host asks for it. */
  media?: { fileName: string; mimeType?: string; download(): Promise<Readable> };
}

type Media =
  | proto.Message.IImageMessage
  | proto.Message.IVideoMessage
  | proto.Message.IAudioMessage
  | proto.Message.IDocumentMessage
  | proto.Message.IStickerMessage;

const clip = (value: string | null | undefined, max: number) =>
  value ? (value.length > max ? value.slice(0, max) : value) : undefined;

/** `image.jpeg`, `audio.ogg`: a name for files WhatsApp sends without one. */
const nameFor = (kind: string, mimeType: string | undefined) => {
  const subtype = mimeType?.split(';')[0]?.split('/')[1]?.split('+')[0]?.trim();
  return `${kind}.${subtype && /^[a-z0-9.-]{1,20}$/i.test(subtype) ? subtype : 'bin'}`;
};

/**
 * WAMessage → InboundMessage, or undefined for what an inbox does not show: group, broadcast, status and
 * newsletter chats, and messages without readable content (reactions, edits, deletions, protocol messages).
 * Wrappers (ephemeral, view-once, document-with-caption) are unwrapped first.
 */
export function normalizeInbound(
  msg: WAMessage,
  download: (msg: WAMessage) => Promise<Readable>,
): InboundMessage | undefined {
  const id = msg.key.id;
  const address = chatAddress(msg.key);
  const message = normalizeMessageContent(msg.message);
  if (!id || !address || !message) return undefined;
  const fromMe = Boolean(msg.key.fromMe);
  const body = contentOf(message);
  if (!body) return undefined;
  const seconds = msg.messageTimestamp ? toNumber(msg.messageTimestamp) : 0;
  const media = body.media;
  return {
    providerMessageId: id,
    direction: fromMe ? 'out' : 'in',
    contact: {
      ...address,
      // On a message from the phone the push name is the business's own.
      ...(!fromMe && msg.pushName ? { name: clip(msg.pushName, 256) } : {}),
    },
    type: body.type,
    content: body.content,
    ...(seconds > 0 ? { sentAt: new Date(seconds * 1000).toISOString() } : {}),
    ...(media
      ? {
          media: {
            fileName: clip(media.fileName, 255) ?? nameFor(body.type, media.mimetype ?? undefined),
            ...(media.mimetype ? { mimeType: media.mimetype } : {}),
            download: () => download(msg),
          },
        }
      : {}),
  };
}

interface Body {
  type: InboundType;
  content: Record<string, unknown>;
  media?: Media & { fileName?: string | null };
}

function contentOf(m: proto.IMessage): Body | undefined {
  const text = m.conversation ?? m.extendedTextMessage?.text;
  if (text?.trim()) return { type: 'text', content: { text: clip(text, 65_536) } };
  const mediaBody = (type: InboundType, media: Media, extra: Record<string, unknown> = {}): Body => ({
    type,
    media,
    content: {
      ...extra,
      ...(media.mimetype ? { mimeType: clip(media.mimetype, 100) } : {}),
    },
  });
  if (m.imageMessage) return mediaBody('image', m.imageMessage, captionOf(m.imageMessage.caption));
  if (m.videoMessage) return mediaBody('video', m.videoMessage, captionOf(m.videoMessage.caption));
  if (m.audioMessage) return mediaBody('audio', m.audioMessage);
  if (m.stickerMessage) return mediaBody('sticker', m.stickerMessage);
  if (m.documentMessage) {
    const doc = m.documentMessage;
    return mediaBody('document', doc, {
      ...captionOf(doc.caption),
      ...(doc.fileName ? { filename: clip(doc.fileName, 255) } : {}),
    });
  }
  const location = m.locationMessage ?? m.liveLocationMessage;
  if (location && location.degreesLatitude != null && location.degreesLongitude != null) {
    const named = m.locationMessage;
    return {
      type: 'location',
      content: {
        latitude: location.degreesLatitude,
        longitude: location.degreesLongitude,
        ...(named?.name ? { name: clip(named.name, 256) } : {}),
        ...(named?.address ? { address: clip(named.address, 1024) } : {}),
      },
    };
  }
  const cards = m.contactMessage ? [m.contactMessage] : (m.contactsArrayMessage?.contacts ?? []);
  if (cards.length) {
    return {
      type: 'contacts',
      content: {
        contacts: cards.map((c) => ({ name: c.displayName ?? undefined, vcard: c.vcard ?? undefined })),
      },
    };
  }
  return undefined;
}

const captionOf = (caption: string | null | undefined) =>
  caption?.trim() ? { caption: clip(caption, 1024) } : {};
