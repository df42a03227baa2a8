import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../../common/events/domain-events.js';
import { FlowRunQueue, type FlowRunJobData } from '../queue/flow-queues.js';
import { FlowActivity } from './flow-activity.js';

/**
 * Turns committed domain events into `flow-run` jobs: the contact's inbound messages (replies to waiting sessions
 * and message/keyword triggers), new contacts, added tags. Runs in the API and in the worker (which ingests too:
 * email, linked WhatsApp devices); the matching and running happen in the worker.
 */
@Injectable()
export class FlowEventsListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('FlowEvents');
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly events: DomainEvents,
    private readonly queue: FlowRunQueue,
    private readonly activity: FlowActivity,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.events.on('message.created', ({ tenantId, message, conversation }) => {
        // Only what the contact sent; duplicates are never published. Our own replies and notes are not input.
        if (message.direction !== 'in' || message.isPrivate) return;
        const text = typeof message.content.text === 'string' ? message.content.text : null;
        return this.enqueue({
          kind: 'message',
          tenantId,
          contactId: conversation.contactId,
          conversationId: conversation.id,
          channelId: conversation.channelId,
          message: { id: message.id, type: message.type, text, content: message.content },
        });
      }),
      this.events.on('contact.created', ({ tenantId, contact }) =>
        this.enqueue({ kind: 'contact_created', tenantId, contactId: contact.id }),
      ),
      this.events.on('contact.updated', ({ tenantId, contact, addedTags }) => {
        if (!addedTags?.length) return;
        return this.enqueue({ kind: 'tag_added', tenantId, contactId: contact.id, tags: addedTags });
      }),
    );
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private async enqueue(data: FlowRunJobData): Promise<void> {
    try {
      // A workspace without an active flow or a waiting session has nothing to run: no job.
      if (!(await this.activity.busy(data.tenantId))) return;
      await this.queue.enqueue(data);
    } catch (err) {
      // The event is committed and already answered; a flow that cannot be queued is logged, never raised.
      this.logger.error({ err }, `flow-run job (${data.kind}) not queued: ${(err as Error).message}`);
    }
  }
}
