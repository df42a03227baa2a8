import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweep } from '../../common/queue/periodic-sweep.js';
import { OutboundQueue } from '../../common/queue/queue.module.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { MessagesRepository, type StuckRow } from './messages.repository.js';

/** The queue that carries only the recovery sweep's scheduled runs. */
export const OUTBOUND_RECOVERY_QUEUE = 'outbound-recovery';
/** A message stored `queued` is enqueued right after its commit; this long after, its job was lost. */
export const STUCK_AFTER_MS = 60_000;

/**
 * Recovers sends lost between the API's commit and its enqueue (a crash, a Redis outage): every minute and at
 * worker start, re-adds the `outbound` job of each message still queued after a minute that has no job. The job id
 * is the message id, so a send is never queued twice, and the processor sends only a message still queued.
 */
@Injectable()
export class OutboundRecoveryWorker extends PeriodicSweep {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repo: MessagesRepository,
    private readonly outbound: OutboundQueue,
  ) {
    super(config, OUTBOUND_RECOVERY_QUEUE);
  }

  /** Re-adds the missing jobs; returns how many. */
  async sweep(): Promise<number> {
    const requeued = await this.everyRow(
      (limit, after: StuckRow | undefined) => this.repo.unsafeListStuckQueued(STUCK_AFTER_MS, limit, after),
      async (row) => {
        const result = await this.outbound.requeue({ tenantId: row.tenantId, messageId: row.id });
        // The job ran to its end but the message's status write never landed; sending again could send twice.
        if (result === 'completed' || result === 'failed')
          this.logger.warn(`message ${row.id} is still queued but its job ${result}; left as is`);
        return result === 'added';
      },
    );
    if (requeued) this.logger.warn(`re-queued ${requeued} message(s) whose send job was lost`);
    return requeued;
  }
}
