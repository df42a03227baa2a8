import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../common/events/domain-events.js';
import { ChatAgentActivity } from './chat-agent-activity.js';
import { ChatAgentReplyQueue } from './queue/chat-agent-reply.queue.js';

/**
 * Turns the contact's inbound messages into `chat-agent-reply` jobs, in whichever process ingested them (the API,
 * or the worker for email and linked WhatsApp devices). Only messages an agent could answer cost a job: the
 * conversation is already an agent's, or its inbox has an enabled agent that may claim it.
 */
@Injectable()
export class ChatAgentEventsListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ChatAgentEvents');
  private off?: () => void;

  constructor(
    private readonly events: DomainEvents,
    private readonly queue: ChatAgentReplyQueue,
    private readonly activity: ChatAgentActivity,
  ) {}

  onModuleInit(): void {
    this.off = this.events.on('message.created', async ({ tenantId, message, conversation }) => {
      // Duplicates are never published; our own replies and notes are not questions.
      if (message.direction !== 'in' || message.isPrivate) return;
      try {
        if (conversation.chatAgentId === null) {
          // A person already has it: no agent may claim it.
          if (conversation.assigneeId !== null) return;
          if (!(await this.activity.answeredInboxes(tenantId)).has(conversation.channelId)) return;
        }
        await this.queue.enqueue({ tenantId, conversationId: conversation.id, messageId: message.id });
      } catch (err) {
        // The message is stored and acknowledged; an unqueued reply is logged, and people still see it.
        this.logger.error({ err }, `chat-agent reply to ${message.id} not queued: ${(err as Error).message}`);
      }
    });
  }

  onModuleDestroy(): void {
    this.off?.();
  }
}
