import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { bullPrefix, createBullConnection } from './bullmq-connection.js';
import { readyWithin } from './queue.module.js';

/** Webhooks out: one job per delivery, id = delivery id, so a delivery is never queued twice. */
export const WEBHOOKS_QUEUE = 'webhooks';

export interface WebhookJobData {
  tenantId: string;
  deliveryId: string;
}

/** The custom backoff the `webhooks` worker registers (see webhooks-out/webhook-retry.ts). */
export const WEBHOOK_BACKOFF = 'webhook';

/**
 * Retries are bounded by time (WEBHOOK_RETRY_HORIZON_HOURS after the event), not by count: the processor fails a
 * delivery whose next retry would fall past the horizon. `attempts` is only a backstop far beyond that.
 */
export const WEBHOOK_JOB_OPTIONS = {
  attempts: 1_000,
  backoff: { type: WEBHOOK_BACKOFF },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** The producer side of the `webhooks` queue; the worker process consumes it. */
@Injectable()
export class WebhooksQueue implements OnModuleDestroy {
  private readonly connection: Redis;
  private readonly queue: Queue<WebhookJobData>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.connection = createBullConnection(config, 'producer');
    this.queue = new Queue<WebhookJobData>(WEBHOOKS_QUEUE, {
      connection: this.connection,
      prefix: bullPrefix(config),
      defaultJobOptions: WEBHOOK_JOB_OPTIONS,
      skipWaitingForReady: true,
    });
  }

  async enqueue(data: WebhookJobData): Promise<void> {
    await this.queue.add('deliver', data, { jobId: data.deliveryId });
  }

  async onModuleDestroy(): Promise<void> {
    if (await readyWithin(this.connection, 1_000)) {
      await this.queue.close();
      await this.connection.quit().catch(() => this.connection.disconnect());
    } else {
      this.connection.disconnect();
    }
  }
}
