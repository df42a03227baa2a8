import { Injectable, Logger } from '@nestjs/common';
import { messagePreview } from '@orbitdesk/shared';
import { DomainEvents } from '../../common/events/domain-events.js';
import { OutboundQueue } from '../../common/queue/queue.module.js';
import { Database, type TenantTx } from '../../db/database.js';
import {
  toConversationDto,
  toMessageDto,
  type ConversationRow,
  type MessageRow,
} from '../conversations/conversation-dto.js';
import { MessagesRepository } from '../messages/messages.repository.js';
import { sendRefusal } from '../messages/send-rules.js';

/** The text message limit of the send path (ZTextContent). */
const MAX_TEXT = 65_536;

/** The message cannot go to the contact now; the reason is in words for logs and run records. */
export class BotSendRefused extends Error {}

/**
 * What a bot writes inside one transaction, published after it commits: messages are queued for sending and
 * announced (`message.created`), conversation changes announced (`conversation.updated`), exactly as an agent's
 * replies are. Collected here so the writes and the rest of the bot's bookkeeping commit together.
 */
export class BotWrites {
  readonly messages: { message: MessageRow; conversation: ConversationRow }[] = [];
  readonly changes: { conversation: ConversationRow; changes: string[] }[] = [];

  constructor(
    private readonly tx: TenantTx,
    private readonly tenantId: string,
    private readonly repo: MessagesRepository,
  ) {}

  /**
   * A text from the bot in the conversation: to the contact through the outbound queue, or a private note for
   * colleagues. `senderId` is the AI agent's id (null: the workspace's AI without an agent). Refused like an
   * agent's reply would be: a disabled inbox, or outside the channel's customer-service window.
   */
  async post(
    conversationId: string,
    input: { senderId: string | null; text: string; isPrivate?: boolean },
  ): Promise<MessageRow> {
    const found = await this.repo.findConversationWithChannel(this.tx, conversationId);
    if (!found) throw new BotSendRefused('the conversation no longer exists');
    const isPrivate = input.isPrivate ?? false;
    if (!isPrivate) {
      const refusal = sendRefusal(found.channel, found.conversation, 'text');
      if (refusal?.kind === 'inbox_disabled') {
        throw new BotSendRefused('the inbox of this conversation is disabled');
      }
      if (refusal?.kind === 'window_closed') {
        throw new BotSendRefused(`outside the ${refusal.hours}-hour customer-service window`);
      }
    }
    const content = { text: input.text.slice(0, MAX_TEXT) };
    // After the conversation's latest message, and after this transaction's previous one (rows of one transaction
    // share now(); a private note does not move the conversation's time), so they read in the order written.
    const previous = this.messages.at(-1)?.message.createdAt;
    const message = await this.repo.insert(
      this.tx,
      {
        tenantId: this.tenantId,
        conversationId,
        channelId: found.channel.id,
        direction: 'out',
        type: 'text',
        content,
        status: isPrivate ? 'sent' : 'queued',
        isPrivate,
        senderType: 'bot',
        senderId: input.senderId,
      },
      found.conversation,
      previous,
    );
    const conversation = isPrivate
      ? found.conversation
      : await this.repo.applyReply(this.tx, conversationId, {
          preview: messagePreview('text', content),
          at: message.createdAt,
        });
    this.messages.push({ message, conversation });
    return message;
  }

  conversationChanged(conversation: ConversationRow, changes: string[]): void {
    this.changes.push({ conversation, changes });
  }
}

@Injectable()
export class BotMessages {
  private readonly logger = new Logger('BotMessages');

  constructor(
    private readonly db: Database,
    private readonly repo: MessagesRepository,
    private readonly queue: OutboundQueue,
    private readonly events: DomainEvents,
  ) {}

  /** Runs `fn` in one tenant transaction; what it wrote through `writes` is queued and published after commit. */
  async transaction<T>(tenantId: string, fn: (tx: TenantTx, writes: BotWrites) => Promise<T>): Promise<T> {
    let writes: BotWrites | undefined;
    const result = await this.db.tenantTransaction(tenantId, (tx) => {
      writes = new BotWrites(tx, tenantId, this.repo);
      return fn(tx, writes);
    });
    if (writes) await this.afterCommit(tenantId, writes);
    return result;
  }

  private async afterCommit(tenantId: string, writes: BotWrites): Promise<void> {
    for (const { conversation, changes } of writes.changes) {
      this.events.publish('conversation.updated', {
        tenantId,
        conversation: toConversationDto(conversation),
        changes,
      });
    }
    for (const { message, conversation } of writes.messages) {
      if (!message.isPrivate) {
        try {
          await this.queue.enqueue({ tenantId, messageId: message.id });
        } catch (err) {
          // Committed as queued: the worker's outbound recovery sweep adds the missing job within minutes.
          this.logger.warn(`bot message ${message.id} not queued now: ${(err as Error).message}`);
        }
      }
      this.events.publish('message.created', {
        tenantId,
        message: toMessageDto(message),
        conversation: toConversationDto(conversation),
      });
    }
  }
}
