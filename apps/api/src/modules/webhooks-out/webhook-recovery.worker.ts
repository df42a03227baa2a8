import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweep } from '../../common/queue/periodic-sweep.js';
import { WebhooksQueue } from '../../common/queue/webhooks.queue.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { WebhooksRepository, type StuckDeliveryRow } from './webhooks.repository.js';

/** The queue that carries only the recovery sweep's scheduled runs. */
export const WEBHOOKS_RECOVERY_QUEUE = 'webhooks-recovery';
/** A delivery is enqueued right after its commit; still unattempted this long after, its job was lost. */
export const UNSENT_AFTER_MS = 60_000;

/**
 * Recovers deliveries lost between the commit that created them and their enqueue: every minute and at worker
 * start, re-adds the `webhooks` job of each delivery still pending with no attempt after a minute that has no
 * job. The job id is the delivery id, so a delivery is never queued twice, and the processor sends only a pending
 * one.
 */
@Injectable()
export class WebhookRecoveryWorker extends PeriodicSweep {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repo: WebhooksRepository,
    private readonly webhooks: WebhooksQueue,
  ) {
    super(config, WEBHOOKS_RECOVERY_QUEUE);
  }

  /** Re-adds the missing jobs; returns how many. */
  async sweep(): Promise<number> {
    const requeued = await this.everyRow(
      (limit, after: StuckDeliveryRow | undefined) =>
        this.repo.unsafeListUnsentPending(UNSENT_AFTER_MS, limit, after),
      async (row) => {
        const result = await this.webhooks.requeue({ tenantId: row.tenantId, deliveryId: row.id });
        // The job ended without recording an attempt; sending again could deliver twice.
        if (result === 'completed' || result === 'failed')
          this.logger.warn(
            `delivery ${row.id} is pending without attempts but its job ${result}; left as is`,
          );
        return result === 'added';
      },
    );
    if (requeued) this.logger.warn(`re-queued ${requeued} webhook deliver(ies) whose job was lost`);
    return requeued;
  }
}
