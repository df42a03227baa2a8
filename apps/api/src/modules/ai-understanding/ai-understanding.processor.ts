import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { AiServiceError } from '../../common/ai/ai-service.client.js';
import {
  AI_UNDERSTANDING_QUEUE,
  type AiUnderstandingJobData,
} from '../../common/queue/ai-understanding.queue.js';
import { QueueConsumer } from '../../common/queue/queue-consumer.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { UnderstandingFlag } from '../ai-settings/understanding-flag.js';
import { MessageUnderstandingService } from './message-understanding.service.js';

/** A refusal that asking again will not change (the AI service rejecting our token or the request): not retried. */
const isPermanent = (err: unknown): boolean =>
  err instanceof AiServiceError &&
  err.status >= 400 &&
  err.status < 500 &&
  err.status !== 408 &&
  err.status !== 429;

/** The consumer of `ai-understanding` (worker process): classify, store, tell the inbox. */
@Injectable()
export class AiUnderstandingProcessor extends QueueConsumer<AiUnderstandingJobData> {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly understanding: MessageUnderstandingService,
    private readonly flag: UnderstandingFlag,
  ) {
    super(config, AI_UNDERSTANDING_QUEUE, { concurrency: 8 });
  }

  protected handle(job: Job<AiUnderstandingJobData>): Promise<void> {
    const { tenantId, messageId } = job.data;
    return requestContext.run({ tenantId, requestId: `job:ai-understanding:${job.id}` }, async () => {
      // Switched off after the message was queued: the admin's choice wins.
      if (!(await this.flag.enabled(tenantId))) return;
      try {
        const outcome = await this.understanding.classifyStored(tenantId, messageId);
        if (outcome.kind === 'skipped')
          this.logger.debug(`message ${messageId} not classified: ${outcome.reason}`);
      } catch (err) {
        const permanent = isPermanent(err);
        const last = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
        const reason = (err as Error).message;
        if (last) this.logger.warn(`message ${messageId} left unclassified: ${reason}`);
        else
          this.logger.debug(`message ${messageId} classification attempt ${job.attemptsMade + 1}: ${reason}`);
        throw permanent ? new UnrecoverableError(reason) : err;
      }
    });
  }
}
