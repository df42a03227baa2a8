import { Inject, Injectable } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { AiServiceError } from '../../common/ai/ai-service.client.js';
import {
  AI_UNDERSTANDING_QUEUE,
  type AiUnderstandingJobData,
  understandingJobMessages,
} from '../../common/queue/ai-understanding.queue.js';
import { QueueConsumer } from '../../common/queue/queue-consumer.js';
import { Slots } from '../../common/queue/slots.js';
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

const CONCURRENCY = 8;

/** The consumer of `ai-understanding` (worker process): classify, store, tell the inbox. */
@Injectable()
export class AiUnderstandingProcessor extends QueueConsumer<AiUnderstandingJobData> {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly understanding: MessageUnderstandingService,
    private readonly flag: UnderstandingFlag,
  ) {
    super(config, AI_UNDERSTANDING_QUEUE, { concurrency: CONCURRENCY });
  }

  private readonly slots = new Slots(CONCURRENCY);

  /**
   * Classifies the job's messages side by side, at most CONCURRENCY AI calls at a time in this process (as many as
   * when every message had a job of its own). When one fails for a reason that may pass, the job is tried again;
   * the messages classified meanwhile are then found stored and not sent to the AI service again. When the AI
   * service refuses (and nothing may pass), the job fails at once.
   */
  protected handle(job: Job<AiUnderstandingJobData>): Promise<void> {
    const { tenantId } = job.data;
    const messageIds = understandingJobMessages(job.data);
    return requestContext.run({ tenantId, requestId: `job:ai-understanding:${job.id}` }, async () => {
      // Switched off after the message was queued: the admin's choice wins.
      if (!(await this.flag.enabled(tenantId))) return;
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      let retryable: Error | undefined;
      let refused: string | undefined;
      await Promise.all(
        messageIds.map((messageId) =>
          this.slots.run(async () => {
            try {
              const outcome = await this.understanding.classifyStored(tenantId, messageId);
              if (outcome.kind === 'skipped')
                this.logger.debug(`message ${messageId} not classified: ${outcome.reason}`);
            } catch (err) {
              const reason = (err as Error).message;
              const permanent = isPermanent(err);
              if (permanent) refused = reason;
              else retryable = err as Error;
              if (permanent || last) this.logger.warn(`message ${messageId} left unclassified: ${reason}`);
              else
                this.logger.debug(
                  `message ${messageId} classification attempt ${job.attemptsMade + 1}: ${reason}`,
                );
            }
          }),
        ),
      );
      if (retryable) throw retryable;
      if (refused !== undefined) throw new UnrecoverableError(refused);
    });
  }
}
