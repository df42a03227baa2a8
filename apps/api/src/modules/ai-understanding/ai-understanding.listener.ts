import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainEvents } from '../../common/events/domain-events.js';
import {
  AI_UNDERSTANDING_BATCH_MAX,
  AiUnderstandingQueue,
} from '../../common/queue/ai-understanding.queue.js';
import { UnderstandingFlag } from '../ai-settings/understanding-flag.js';
import { understandableText } from './understandable-text.js';

/** How long the first message of a batch waits for others before its job is queued. */
export const UNDERSTANDING_GATHER_MS = 20;

/**
 * Turns the contact's new messages into `ai-understanding` jobs. Runs in the API and in the worker (which
 * ingests too: email, linked WhatsApp devices), so every inbound message is seen by the process that stored it.
 * The messages seen in the UNDERSTANDING_GATHER_MS after a first one (a group-committed batch publishes its events
 * together; at a low pace, the next few messages) go as one job per tenant, at most AI_UNDERSTANDING_BATCH_MAX
 * messages each: classification takes the AI service far longer than this wait, and one job per message cost
 * Redis a script call and the API a wake-up write each.
 */
@Injectable()
export class AiUnderstandingListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('AiUnderstanding');
  private off?: () => void;
  /** Messages seen since the last flush, by tenant, in arrival order. */
  private pending = new Map<string, string[]>();

  constructor(
    private readonly events: DomainEvents,
    private readonly queue: AiUnderstandingQueue,
    private readonly flag: UnderstandingFlag,
  ) {}

  onModuleInit(): void {
    this.off = this.events.on('message.created', ({ tenantId, message }) => {
      // Only the contact's words: our replies, notes and wordless messages (stickers, locations) are not read.
      if (message.direction !== 'in' || message.isPrivate || message.understanding) return;
      if (!understandableText(message.content)) return;
      if (!this.pending.size) setTimeout(() => void this.flush(), UNDERSTANDING_GATHER_MS).unref();
      const ids = this.pending.get(tenantId);
      if (ids) ids.push(message.id);
      else this.pending.set(tenantId, [message.id]);
    });
  }

  private async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = new Map();
    await Promise.all([...pending].map(([tenantId, ids]) => this.enqueue(tenantId, ids)));
  }

  private async enqueue(tenantId: string, ids: string[]): Promise<void> {
    try {
      if (!(await this.flag.enabled(tenantId))) return;
      const batches = [];
      for (let i = 0; i < ids.length; i += AI_UNDERSTANDING_BATCH_MAX) {
        batches.push(this.queue.enqueue(tenantId, ids.slice(i, i + AI_UNDERSTANDING_BATCH_MAX)));
      }
      await Promise.all(batches);
    } catch (err) {
      // The messages are stored and answered; a classification that cannot be queued is only logged.
      this.logger.error(
        { err },
        `messages ${ids.join(', ')} not queued for understanding: ${(err as Error).message}`,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.off?.();
    await this.flush();
  }
}
