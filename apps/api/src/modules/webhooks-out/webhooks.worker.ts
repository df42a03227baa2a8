import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { QueueConsumer } from '../../common/queue/queue-consumer.js';
import { WEBHOOKS_QUEUE, type WebhookJobData } from '../../common/queue/webhooks.queue.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor.js';
import { retryDelayMs } from './webhook-retry.js';

/** The consumer of the `webhooks` queue, with the retry schedule of webhook-retry.ts. */
@Injectable()
export class WebhooksWorker extends QueueConsumer<WebhookJobData> {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly processor: WebhookDeliveryProcessor,
  ) {
    super(config, WEBHOOKS_QUEUE, {
      concurrency: 10,
      settings: {
        backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, config.WEBHOOK_RETRY_BASE_MS),
      },
    });
  }

  protected handle(job: Job<WebhookJobData>): Promise<void> {
    return this.processor.process(job);
  }
}
