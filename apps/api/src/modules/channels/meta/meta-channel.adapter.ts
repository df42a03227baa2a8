import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppError } from '../../../common/http/errors.js';
import { OutboundHttpError, SsrfBlockedError } from '../../../common/http-client/http-client.errors.js';
import { AttachmentsService } from '../../attachments/attachments.service.js';
import { ChannelCredentialsService } from '../channel-credentials.service.js';
import { ChannelRouterService } from '../channel-router.service.js';
import type { ChannelRow } from '../channels.repository.js';
import { ChannelSendError, type ReadReceipt, type SendContext, type SendResult } from '../message-channel.js';
import { GraphApiError, MetaGraphClient, type GraphAuth } from './meta-graph.client.js';
import { META_KINDS, type MetaKind } from './meta-kinds.js';
import { toGraphMessages, type GraphMessage } from './meta-outbound.js';
import { MetaSentMids } from './meta-sent-mids.js';

/** How long the signed link of a stored attachment stays valid: Meta fetches it once, right after the send. */
const LINK_TTL_SECONDS = 3600;

interface SendApiAnswer {
  recipient_id?: string;
  message_id?: string;
}

/**
 * Outbound for `messenger` and `instagram` inboxes: the Send API, `POST /{version}/me/messages` with the inbox's
 * token (the Page's for Messenger, the Instagram account's for Instagram; `me` is that account), as a RESPONSE
 * to the contact's PSID or IGSID. Graph refusals fail the message with Meta's own message; rate limits, Meta's
 * outages and network errors are retried.
 */
@Injectable()
export class MetaChannelAdapter implements OnModuleInit {
  private readonly logger = new Logger('MetaChannelAdapter');

  constructor(
    private readonly router: ChannelRouterService,
    private readonly credentials: ChannelCredentialsService,
    private readonly graph: MetaGraphClient,
    private readonly attachments: AttachmentsService,
    private readonly sentMids: MetaSentMids,
  ) {}

  onModuleInit(): void {
    for (const kind of Object.values(META_KINDS)) {
      this.router.register({
        type: kind.type,
        send: (ctx) => this.send(kind, ctx),
        markRead: (channel, read) => this.markSeen(kind, channel, read),
      });
    }
  }

  async send(kind: MetaKind, ctx: SendContext): Promise<SendResult> {
    const secrets = this.credentials.open(ctx.channel);
    const accessToken = kind.accessToken(secrets);
    if (!accessToken) throw new ChannelSendError(true, `The ${kind.label} inbox has no access token`);
    const recipient = ctx.contact.identities.find((i) => i.channelType === kind.type)?.identifier;
    if (!recipient) {
      throw new ChannelSendError(true, `The contact has no ${kind.label} ${kind.contactIdName} to send to`);
    }
    const auth: GraphAuth = { accessToken, appSecret: secrets.appSecret };
    const [first, ...rest] = await toGraphMessages(kind, ctx.message, (content) => this.mediaUrl(content));

    const mid = await this.post(ctx, auth, recipient, first!);
    for (const follow of rest) {
      // The first message is out: failing now would send it again on retry, so a lost caption is only logged.
      try {
        await this.post(ctx, auth, recipient, follow);
      } catch (err) {
        this.logger.warn(`message ${ctx.message.id}: caption not sent: ${(err as Error).message}`);
      }
    }
    return { providerMessageId: mid };
  }

  /**
   * "Seen" for the person: the Send API's `mark_seen` sender action (Messenger and Instagram both take it). Meta
   * marks by person, not by message, so it needs the contact's PSID / IGSID.
   */
  async markSeen(kind: MetaKind, channel: ChannelRow, read: ReadReceipt): Promise<void> {
    const secrets = this.credentials.open(channel);
    const accessToken = kind.accessToken(secrets);
    if (!accessToken || !read.contactIdentifier) return;
    await this.graph.post(
      'me/messages',
      { accessToken, appSecret: secrets.appSecret },
      {
        recipient: { id: read.contactIdentifier },
        sender_action: 'mark_seen',
      },
    );
  }

  /** One Send API call; the id Meta gives is remembered at once, so its echo (which may come quickly) is known. */
  private async post(
    ctx: SendContext,
    auth: GraphAuth,
    recipient: string,
    message: GraphMessage,
  ): Promise<string | null> {
    let answer: SendApiAnswer;
    try {
      answer = await this.graph.post<SendApiAnswer>('me/messages', auth, {
        recipient: { id: recipient },
        messaging_type: 'RESPONSE',
        message,
      });
    } catch (err) {
      if (err instanceof GraphApiError) throw new ChannelSendError(!err.transient, err.message);
      if (err instanceof SsrfBlockedError) {
        throw new ChannelSendError(true, `Graph API address not allowed: ${err.reason}`);
      }
      if (err instanceof OutboundHttpError) {
        throw new ChannelSendError(false, `Graph API unreachable: ${err.message}`);
      }
      throw err;
    }
    const mid = typeof answer.message_id === 'string' && answer.message_id ? answer.message_id : null;
    if (mid) await this.sentMids.remember(ctx.channel.id, mid);
    return mid;
  }

  private async mediaUrl(content: Record<string, unknown>): Promise<string> {
    if (typeof content.attachmentId === 'string') {
      try {
        return (await this.attachments.openForSend(content.attachmentId, LINK_TTL_SECONDS)).url;
      } catch (err) {
        if (err instanceof AppError) throw new ChannelSendError(true, 'The attached file no longer exists');
        throw err;
      }
    }
    if (typeof content.url === 'string') return content.url;
    throw new ChannelSendError(true, 'The message has no file to send');
  }
}
