import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../common/events/domain-events.js';
import { AiUnderstandingQueue } from '../../common/queue/ai-understanding.queue.js';
import { UnderstandingFlag } from '../ai-settings/understanding-flag.js';
import { understandableText } from './understandable-text.js';

/**
 * Turns the contact's new messages into `ai-understanding` jobs. Runs in the API and in the worker (which
 * ingests too: email, linked WhatsApp devices), so every inbound message is seen by the process that stored it.
 */
@Injectable()
export class AiUnderstandingListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AiUnderstanding');
  private off?: () => void;

  constructor(
    private readonly events: DomainEvents,
    private readonly queue: AiUnderstandingQueue,
    private readonly flag: UnderstandingFlag,
  ) {}

  onModuleInit(): void {
    this.off = this.events.on('message.created', async ({ tenantId, message }) => {
      // Only the contact's words: our replies, notes and wordless messages (stickers, locations) are not read.
      if (message.direction !== 'in' || message.isPrivate || message.understanding) return;
      if (!understandableText(message.content)) return;
      try {
        if (!(await this.flag.enabled(tenantId))) return;
        await this.queue.enqueue({ tenantId, messageId: message.id });
      } catch (err) {
        // The message is stored and answered; a classification that cannot be queued is only logged.
        this.logger.error(
          { err },
          `message ${message.id} not queued for understanding: ${(err as Error).message}`,
        );
      }
    });
  }

  onModuleDestroy(): void {
    this.off?.();
  }
}
