import { Inject, Injectable } from '@nestjs/common';
import { QueueProducer } from '../../../common/queue/queue-producer.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';

/** One job per inbound message a chat agent may answer; consumed by the worker (ChatAgentsWorkerModule). */
export const CHAT_AGENT_REPLY_QUEUE = 'chat-agent-reply';

export interface ChatAgentReplyJobData {
  tenantId: string;
  conversationId: string;
  messageId: string;
}

/**
 * Four tries, 1.5 s → 3 s → 6 s apart: rides out an AI service restart; after the last one the contact gets the
 * polite fallback instead of silence.
 */
export const CHAT_AGENT_REPLY_JOB_OPTIONS = {
  attempts: 4,
  backoff: { type: 'exponential', delay: 1_500 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

@Injectable()
export class ChatAgentReplyQueue extends QueueProducer<ChatAgentReplyJobData> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, CHAT_AGENT_REPLY_QUEUE, CHAT_AGENT_REPLY_JOB_OPTIONS);
  }

  /** The job id is the message id: the same message is never queued twice while its job is kept. */
  async enqueue(data: ChatAgentReplyJobData): Promise<void> {
    await this.addCoalesced('reply', data, { jobId: data.messageId });
  }
}
