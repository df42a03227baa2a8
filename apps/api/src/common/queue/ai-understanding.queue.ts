import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { QueueProducer } from './queue-producer.js';

/**
 * Message understanding: one job per tenant for the messages that arrived in the same turn of the event loop (a
 * group-committed batch), at most AI_UNDERSTANDING_BATCH_MAX of them, so a burst of messages costs Redis one job
 * instead of one per message. The job's id is its first message's id: each message is in exactly one job, and a
 * message alone is the job of its own id.
 */
export const AI_UNDERSTANDING_QUEUE = 'ai-understanding';
export const AI_UNDERSTANDING_BATCH_MAX = 8;

export interface AiUnderstandingJobData {
  tenantId: string;
  /** The messages to classify, in arrival order. */
  messageIds?: string[];
  /** A job queued before batching (one message). */
  messageId?: string;
}

/** The messages a job classifies, whichever shape it was queued in. */
export function understandingJobMessages(data: AiUnderstandingJobData): string[] {
  return data.messageIds ?? (data.messageId ? [data.messageId] : []);
}

/**
 * Four tries, 5 s → 10 s → 20 s apart: rides out an AI service restart or a provider's brief rate limit. After
 * that the message simply stays unclassified; nothing else depends on it.
 */
export const AI_UNDERSTANDING_JOB_OPTIONS = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** The producer side, used by the message.created listener in the API and in the worker. */
@Injectable()
export class AiUnderstandingQueue extends QueueProducer<AiUnderstandingJobData> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, AI_UNDERSTANDING_QUEUE, AI_UNDERSTANDING_JOB_OPTIONS);
  }

  async enqueue(tenantId: string, messageIds: string[]): Promise<void> {
    if (!messageIds.length) return;
    await this.addCoalesced('classify', { tenantId, messageIds }, { jobId: messageIds[0] });
  }
}
