import { Injectable, Logger } from '@nestjs/common';
import { messagePreview, type TMessage, type TSendMessageRequest } from '@orbitdesk/shared';
import type { Principal } from '../../common/auth/principal.js';
import { DomainEvents } from '../../common/events/domain-events.js';
import { notFound, unprocessable } from '../../common/http/errors.js';
import { OutboundQueue } from '../../common/queue/queue.module.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { toConversationDto, toMessageDto, type ConversationRow } from '../conversations/conversation-dto.js';
import type { ChannelRow } from '../channels/channels.repository.js';
import { sendRefusal } from './send-rules.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { MessagesRepository } from './messages.repository.js';

/** Who is sending: a signed-in agent, or an external system through an API key. */
function senderOf(p: Principal | undefined): { senderType: 'user' | 'bot'; senderId: string | null } {
  if (p?.kind === 'user') return { senderType: 'user', senderId: p.userId };
  // There is no sender type for API keys yet; 'bot' (automation) is the nearest, with the key's id.
  if (p?.kind === 'api_key') return { senderType: 'bot', senderId: p.keyId };
  return { senderType: 'bot', senderId: null };
}

@Injectable()
export class MessagesService {
  private readonly logger = new Logger('MessagesService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: MessagesRepository,
    private readonly queue: OutboundQueue,
    private readonly events: DomainEvents,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Stores the message and hands it to the outbound queue; the worker delivers it. Private notes are stored as
   * `sent` and never leave the platform; the colleagues they @mention (notifications/mentions.ts) are stored in
   * `content.mentions` and notified.
   */
  async send(input: TSendMessageRequest): Promise<TMessage> {
    const tenantId = requestContext.tenantId();
    const sender = senderOf(requestContext.get()?.principal);
    const { message, conversation, notified } = await this.tenantDb.run(async (tx) => {
      const found = await this.repo.findConversationWithChannel(tx, input.conversationId);
      if (!found) throw notFound('Conversation');
      checkCopies(found.channel, input);
      if (!input.isPrivate) this.checkCanSend(found.channel, found.conversation, input);
      const text = input.isPrivate && typeof input.content.text === 'string' ? input.content.text : undefined;
      const mentions = text ? await this.notifications.resolveMentions(tx, text) : [];
      const message = await this.repo.insert(
        tx,
        {
          tenantId,
          conversationId: found.conversation.id,
          channelId: found.channel.id,
          direction: 'out',
          type: input.type,
          content: mentions.length ? { ...input.content, mentions } : input.content,
          status: input.isPrivate ? 'sent' : 'queued',
          isPrivate: input.isPrivate,
          ...sender,
        },
        found.conversation,
      );
      const conversation = input.isPrivate
        ? found.conversation
        : await this.repo.applyReply(tx, found.conversation.id, {
            preview: messagePreview(input.type, input.content),
            at: message.createdAt,
          });
      // Mentioning oneself is allowed (it stays in `mentions`) but notifies no one.
      const notified = await this.notifications.create(
        tx,
        tenantId,
        mentions
          .filter((userId) => userId !== sender.senderId)
          .map((userId) => ({
            userId,
            type: 'mention' as const,
            conversationId: found.conversation.id,
            messageId: message.id,
            payload: {
              conversationNumber: found.conversation.number,
              authorId: sender.senderType === 'user' ? sender.senderId : null,
              preview: messagePreview(input.type, input.content),
            },
          })),
      );
      return { message, conversation, notified };
    });

    let sent = message;
    if (!input.isPrivate) {
      try {
        await this.queue.enqueue({ tenantId, messageId: message.id });
      } catch (err) {
        // The row is committed; without a job it would stay queued forever, so it fails visibly instead.
        this.logger.error({ err }, `could not queue message ${message.id}: ${(err as Error).message}`);
        sent =
          (await this.tenantDb.run((tx) =>
            this.repo.transition(tx, message.id, 'queued', {
              status: 'failed',
              failureReason: 'Could not be queued for sending; try again',
            }),
          )) ?? message;
      }
    }
    const dto = toMessageDto(sent);
    this.events.publish('message.created', {
      tenantId,
      message: dto,
      conversation: toConversationDto(conversation),
    });
    this.notifications.deliver(tenantId, notified);
    return dto;
  }

  private checkCanSend(channel: ChannelRow, conversation: ConversationRow, input: TSendMessageRequest): void {
    const refusal = sendRefusal(channel, conversation, input.type);
    if (refusal?.kind === 'inbox_disabled') throw unprocessable('The inbox of this conversation is disabled');
    if (refusal?.kind === 'window_closed') {
      throw unprocessable(
        `Outside the ${refusal.hours}-hour customer-service window: send an approved template`,
      );
    }
  }
}

/** Copies (`cc`, `bcc`) are an email reply's: refused rather than ignored anywhere else. */
function checkCopies(channel: ChannelRow, input: TSendMessageRequest): void {
  const named = (['cc', 'bcc'] as const).filter((field) => input.content[field] !== undefined);
  if (!named.length) return;
  if (channel.type !== 'email') {
    throw unprocessable(
      `Copies (${named.join(', ')}) are for email replies only; this inbox is ${channel.type}`,
    );
  }
  if (input.isPrivate) {
    throw unprocessable(`A private note is not sent, so it takes no copies (${named.join(', ')})`);
  }
}
