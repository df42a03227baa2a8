import type { AnyMessageContent } from '@whiskeysockets/baileys';

/** A file to send: its bytes (the host fetched them) or a URL WhatsApp's client library fetches itself. */
export type MediaSource = Buffer | { url: string };

/** What the inbox can send through a linked device. */
export type OutboundMessage =
  | { type: 'text'; text: string }
  | { type: 'image' | 'video'; media: MediaSource; caption?: string; mimeType?: string }
  | { type: 'audio' | 'sticker'; media: MediaSource; mimeType?: string }
  | { type: 'document'; media: MediaSource; fileName: string; mimeType: string; caption?: string }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string };

/** The content `sock.sendMessage(jid, content)` takes for each kind of message. */
export function toBaileysContent(message: OutboundMessage): AnyMessageContent {
  switch (message.type) {
    case 'text':
      return { text: message.text };
    case 'image':
      return { image: message.media, ...caption(message.caption), ...mimetype(message.mimeType) };
    case 'video':
      return { video: message.media, ...caption(message.caption), ...mimetype(message.mimeType) };
    case 'audio':
      return { audio: message.media, ...mimetype(message.mimeType) };
    case 'sticker':
      return { sticker: message.media };
    case 'document':
      return {
        document: message.media,
        mimetype: message.mimeType,
        fileName: message.fileName,
        ...caption(message.caption),
      };
    case 'location':
      return {
        location: {
          degreesLatitude: message.latitude,
          degreesLongitude: message.longitude,
          ...(message.name ? { name: message.name } : {}),
          ...(message.address ? { address: message.address } : {}),
        },
      };
  }
}

const caption = (value: string | undefined) => (value ? { caption: value } : {});
const mimetype = (value: string | undefined) => (value ? { mimetype: value } : {});
