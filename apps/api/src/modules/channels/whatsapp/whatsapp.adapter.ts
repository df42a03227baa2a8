import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { TContact } from '@orbitdesk/shared';
import { AppError } from '../../../common/http/errors.js';
import { OutboundHttpError, SsrfBlockedError } from '../../../common/http-client/http-client.errors.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { ChannelRouterService } from '../channel-router.service.js';
import type { ChannelRow } from '../channels.repository.js';
import {
  ChannelSendError,
  type IMessageChannel,
  type ReadReceipt,
  type SendContext,
  type SendResult,
} from '../message-channel.js';
import { buildOutboundMessage, readReceipt, type MediaLink } from './whatsapp-outbound.js';
import { GraphApiError, WhatsAppGraphClient } from './whatsapp-graph.client.js';

/** How long Meta may take to fetch a stored file we send by link. */
const MEDIA_LINK_TTL_SECONDS = 3600;

/**
 * Graph error codes that mean "later" although the HTTP status is a 4xx: throttling of the app (4), the account
 * (80007), the number's throughput (130429) and one recipient (131056).
 */
const THROTTLING_CODES = new Set([4, 80007, 130429, 131056]);

interface SendAnswer {
  messages?: { id?: unknown }[];
}

/**
 * Outbound for `whatsapp` inboxes: one `POST /{phone-number-id}/messages` per message with the inbox's access
 * token. Meta's refusals (4xx) fail the message for good with Meta's message and code; 429, throttling codes,
 * 5xx and network failures are retried.
 */
@Injectable()
export class WhatsAppAdapter implements IMessageChannel, OnModuleInit {
  readonly type = 'whatsapp' as const;

  constructor(
    private readonly router: ChannelRouterService,
    private readonly credentials: ChannelCredentialsService,
    private readonly graph: WhatsAppGraphClient,
    private readonly attachments: AttachmentsService,
  ) {}

  onModuleInit(): void {
    this.router.register(this);
  }

  async send(ctx: SendContext): Promise<SendResult> {
    const { message } = ctx;
    const to = recipientOf(ctx.contact);
    if (!to) throw new ChannelSendError(true, 'The contact has no WhatsApp number');
    const media = await this.mediaLink(message.content.attachmentId);
    const body = buildOutboundMessage(to, message.type, message.content, media);
    const answer = await this.call<SendAnswer>(ctx.channel, body);
    const id = answer.messages?.[0]?.id;
    return { providerMessageId: typeof id === 'string' && id ? id : null };
  }

  /**
   * Blue ticks: marks the contact's latest message (and every earlier one in the chat) as read. Meant for the
   * moment an agent opens or clears the conversation; throws ChannelSendError like send().
   */
  async markRead(channel: ChannelRow, read: ReadReceipt): Promise<void> {
    await this.call(channel, readReceipt(read.providerMessageId));
  }

  private async call<T>(channel: ChannelRow, body: unknown): Promise<T> {
    const { accessToken } = this.credentials.open(channel);
    const phoneNumberId = channel.config.phoneNumberId;
    if (!accessToken || typeof phoneNumberId !== 'string') {
      throw new ChannelSendError(true, 'The inbox has no phone number id or access token');
    }
    try {
      return await this.graph.post<T>(accessToken, `/${encodeURIComponent(phoneNumberId)}/messages`, body);
    } catch (err) {
      throw sendError(err);
    }
  }

  /** A stored file goes out as a signed link Meta fetches; a `url` content is passed on as it is. */
  private async mediaLink(attachmentId: unknown): Promise<MediaLink | undefined> {
    if (typeof attachmentId !== 'string') return undefined;
    try {
      const file = await this.attachments.openForSend(attachmentId, MEDIA_LINK_TTL_SECONDS);
      return { link: file.url, filename: file.fileName };
    } catch (err) {
      if (err instanceof AppError && err.getStatus() === 404) {
        throw new ChannelSendError(true, 'The attached file no longer exists');
      }
      throw err;
    }
  }
}

/** The contact's WhatsApp id (wa_id) on this channel type, else their phone number without the +. */
function recipientOf(contact: TContact): string | undefined {
  const identity = contact.identities.find((i) => i.channelType === 'whatsapp');
  return identity?.identifier ?? contact.phone?.replace(/^\+/, '') ?? undefined;
}

function sendError(err: unknown): Error {
  if (err instanceof GraphApiError) {
    const transient = err.status === 429 || err.status >= 500 || THROTTLING_CODES.has(err.code ?? -1);
    return new ChannelSendError(!transient, err.describe());
  }
  if (err instanceof SsrfBlockedError) {
    // GRAPH_API_BASE_URL is platform config; a blocked address will not unblock itself.
    return new ChannelSendError(true, `WhatsApp is not reachable from here: ${err.reason}`);
  }
  if (err instanceof OutboundHttpError) {
    return new ChannelSendError(false, `Could not reach WhatsApp: ${err.message}`);
  }
  return err as Error;
}
