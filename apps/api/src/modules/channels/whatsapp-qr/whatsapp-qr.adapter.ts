import { Injectable, type OnModuleInit } from '@nestjs/common';
import { jidForIdentifier, WhatsAppSendError, type OutboundMessage } from '@orbitdesk/plugin-whatsapp-qr';
import type { TContact, TMessage } from '@orbitdesk/shared';
import { ChannelRouterService } from '../channel-router.service.js';
import {
  ChannelSendError,
  type IMessageChannel,
  type SendContext,
  type SendResult,
} from '../message-channel.js';
import { WhatsAppQrConnections } from './whatsapp-qr.connections.js';
import { WhatsAppQrMedia } from './whatsapp-qr.media.js';

/**
 * Outbound for linked-device inboxes: straight into the live connection, which exists only in the worker (the
 * outbound processor runs there, in the same process). A link that is not open right now is a transient failure,
 * retried with the queue's backoff; WhatsApp refusing the message fails it with WhatsApp's reason.
 */
@Injectable()
export class WhatsAppQrAdapter implements IMessageChannel, OnModuleInit {
  readonly type = 'whatsapp_qr' as const;

  constructor(
    private readonly router: ChannelRouterService,
    private readonly connections: WhatsAppQrConnections,
    private readonly media: WhatsAppQrMedia,
  ) {}

  onModuleInit(): void {
    this.router.register(this);
  }

  async send(ctx: SendContext): Promise<SendResult> {
    const jid = recipientOf(ctx.contact);
    const status = this.connections.status(ctx.channel.id);
    // Checked before fetching any file: no download for a send that cannot happen yet.
    if (status !== 'open') {
      throw new ChannelSendError(
        false,
        `WhatsApp is not connected${status ? ` (link status: ${status})` : ' in this worker'}`,
      );
    }
    const message = await this.toOutbound(ctx.message);
    try {
      return { providerMessageId: await this.connections.send(ctx.channel.id, jid, message) };
    } catch (err) {
      if (err instanceof WhatsAppSendError) throw new ChannelSendError(!err.transient, err.reason);
      throw err;
    }
  }

  private async toOutbound(message: TMessage): Promise<OutboundMessage> {
    const c = message.content;
    const caption = typeof c.caption === 'string' && c.caption ? c.caption : undefined;
    switch (message.type) {
      case 'text':
        return { type: 'text', text: String(c.text) };
      case 'image':
      case 'video': {
        const file = await this.media.load(c);
        return { type: message.type, media: file.media, caption, mimeType: file.mimeType };
      }
      case 'audio':
      case 'sticker': {
        const file = await this.media.load(c);
        return { type: message.type, media: file.media, mimeType: file.mimeType };
      }
      case 'document': {
        const file = await this.media.load(c);
        return {
          type: 'document',
          media: file.media,
          fileName: file.fileName ?? 'document',
          mimeType: file.mimeType ?? 'application/octet-stream',
          caption,
        };
      }
      case 'location':
        return {
          type: 'location',
          latitude: Number(c.latitude),
          longitude: Number(c.longitude),
          ...(typeof c.name === 'string' ? { name: c.name } : {}),
          ...(typeof c.address === 'string' ? { address: c.address } : {}),
        };
      case 'template':
      case 'interactive':
      case 'contacts':
        throw new ChannelSendError(true, `A linked WhatsApp device cannot send ${message.type} messages`);
    }
  }
}

/** The contact's WhatsApp address: the identity it wrote from, else its phone number. */
function recipientOf(contact: TContact): string {
  const identity = contact.identities.find((i) => i.channelType === 'whatsapp_qr')?.identifier;
  const address = identity ?? contact.phone ?? undefined;
  if (!address) throw new ChannelSendError(true, 'The contact has no WhatsApp number');
  try {
    return jidForIdentifier(address);
  } catch (err) {
    throw new ChannelSendError(true, (err as Error).message);
  }
}
