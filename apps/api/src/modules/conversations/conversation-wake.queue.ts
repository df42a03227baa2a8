import { Inject, Injectable } from '@nestjs/common';
import { QueueProducer } from '../../common/queue/queue-producer.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

/**
 * Snoozed conversations open again at their `snoozedUntil`: one delayed job per snooze, run by the worker
 * (conversation-wake.worker.ts), plus a periodic sweep there that catches any job Redis lost.
 */
export const CONVERSATION_WAKE_QUEUE = 'conversation-wake';
export const WAKE_JOB = 'wake';
export const SWEEP_JOB = 'sweep';

export interface WakeJobData {
  tenantId: string;
  conversationId: string;
  /** The snooze this job ends (ISO). A later re-snooze leaves the conversation not due for this job. */
  snoozedUntil: string;
}

/**
 * One id per (conversation, wake-up time): re-snoozing to another time adds a new job instead of being
 * deduplicated against the old one, which then finds the conversation not due and does nothing.
 */
export const wakeJobId = (conversationId: string, until: Date) => `wake:${conversationId}:${until.getTime()}`;

export const WAKE_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** The producer side, used by the API when a conversation is snoozed. */
@Injectable()
export class ConversationWakeQueue extends QueueProducer<WakeJobData> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, CONVERSATION_WAKE_QUEUE, WAKE_JOB_OPTIONS);
  }

  async schedule(tenantId: string, conversationId: string, until: Date): Promise<void> {
    await this.queue.add(
      WAKE_JOB,
      { tenantId, conversationId, snoozedUntil: until.toISOString() },
      { jobId: wakeJobId(conversationId, until), delay: Math.max(0, until.getTime() - Date.now()) },
    );
  }
}
