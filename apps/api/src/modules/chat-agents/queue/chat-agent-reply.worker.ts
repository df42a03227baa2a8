import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QueueConsumer } from '../../../common/queue/queue-consumer.js';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { ChatAgentReplyService } from '../chat-agent-reply.service.js';
import { CHAT_AGENT_REPLY_QUEUE, type ChatAgentReplyJobData } from './chat-agent-reply.queue.js';

/** The consumer of `chat-agent-reply` (worker process). */
@Injectable()
export class ChatAgentReplyWorker extends QueueConsumer<ChatAgentReplyJobData> {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly replies: ChatAgentReplyService,
  ) {
    super(config, CHAT_AGENT_REPLY_QUEUE, { concurrency: 10 });
  }

  protected handle(job: Job<ChatAgentReplyJobData>): Promise<void> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return requestContext.run(
      { tenantId: job.data.tenantId, requestId: `job:chat-agent-reply:${job.id}` },
      async () => {
        try {
          await this.replies.handle(job.data, lastAttempt);
        } catch (err) {
          this.logger.warn(
            `reply to message ${job.data.messageId} failed (attempt ${job.attemptsMade + 1}): ${(err as Error).message}`,
          );
          throw err;
        }
      },
    );
  }
}
