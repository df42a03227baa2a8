import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { QueueProducer } from './queue-producer.js';

/** Message understanding: one job per inbound message, id = message id, so a message is classified once. */
export const AI_UNDERSTANDING_QUEUE = 'ai-understanding';

export interface AiUnderstandingJobData {
  tenantId: string;
  messageId: string;
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

  async enqueue(data: AiUnderstandingJobData): Promise<void> {
    await this.addCoalesced('classify', data, { jobId: data.messageId });
  }
}
