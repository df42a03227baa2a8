import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullPrefix, createBullConnection } from '../../common/queue/bullmq-connection.js';
import { WEBHOOKS_QUEUE, type WebhookJobData } from '../../common/queue/webhooks.queue.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor.js';
import { retryDelayMs } from './webhook-retry.js';

/** The consumer of the `webhooks` queue, started with the worker process's Nest context and closed with it. */
@Injectable()
export class WebhooksWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WebhooksWorker');
  private connection?: Redis;
  private worker?: Worker<WebhookJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processor: WebhookDeliveryProcessor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.connection = createBullConnection(this.config, 'worker');
    this.worker = new Worker<WebhookJobData>(WEBHOOKS_QUEUE, (job) => this.processor.process(job), {
      connection: this.connection,
      prefix: bullPrefix(this.config),
      concurrency: 10,
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          retryDelayMs(attemptsMade, this.config.WEBHOOK_RETRY_BASE_MS),
      },
    });
    // Job failures are logged by the processor; this catches the worker's own connection errors.
    this.worker.on('error', (err) => this.logger.error(`worker error: ${err.message}`));
    await this.worker.waitUntilReady();
  }

  async onModuleDestroy(): Promise<void> {
    // Lets running deliveries finish, then releases Redis.
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
