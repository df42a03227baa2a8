import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { QueueProducer, type RequeueResult } from './queue-producer.js';

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
export class WebhooksQueue extends QueueProducer<WebhookJobData> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, WEBHOOKS_QUEUE, WEBHOOK_JOB_OPTIONS);
  }

  async enqueue(data: WebhookJobData): Promise<void> {
    await this.queue.add('deliver', data, { jobId: data.deliveryId });
  }

  /** Re-adds a delivery whose job was lost; see QueueProducer.addIfAbsent. */
  requeue(data: WebhookJobData): Promise<RequeueResult> {
    return this.addIfAbsent('deliver', data, data.deliveryId);
  }
}
