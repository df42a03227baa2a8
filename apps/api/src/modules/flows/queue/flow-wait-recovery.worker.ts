import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweep } from '../../../common/queue/periodic-sweep.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { FlowSessionsRepository, type OverdueWait } from '../flow-sessions.repository.js';
import { FlowExecutorService } from '../engine/flow-executor.service.js';
import { FlowResumeQueue, MAX_SWEEP_RETRIES } from './flow-queues.js';

/** The queue that carries only the recovery sweep's scheduled runs. */
export const FLOW_WAIT_RECOVERY_QUEUE = 'flow-wait-recovery';
/** A timer's job runs when it is due; this long after, a session still waiting on it has lost its job. */
export const OVERDUE_AFTER_MS = 60_000;

/**
 * Wakes sessions whose timer (a Delay's end, a Wait for Reply's timeout) passed more than a minute ago but which
 * still wait: their `flow-resume` job was lost (Redis lost it, or the worker died between saving the wait and
 * scheduling it) or failed every attempt. Every minute and at worker start, re-adds or retries that job; the
 * resume claims only a session still waiting at the same node and step, so a job that runs twice resumes once.
 * A job that has failed every attempt MAX_SWEEP_RETRIES times over ends its session as failed, with the reason.
 */
@Injectable()
export class FlowWaitRecoveryWorker extends PeriodicSweep {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sessions: FlowSessionsRepository,
    private readonly resume: FlowResumeQueue,
    private readonly executor: FlowExecutorService,
  ) {
    super(config, FLOW_WAIT_RECOVERY_QUEUE);
  }

  /** Re-adds (or retries) the jobs of overdue waits; returns how many. */
  async sweep(): Promise<number> {
    const recovered = await this.everyRow(
      (limit, after: OverdueWait | undefined) =>
        this.sessions.unsafeListOverdueWaits(OVERDUE_AFTER_MS, limit, after),
      async (row) => {
        if (!row.currentNodeId || !row.waitingKind) return false;
        const at = { nodeId: row.currentNodeId, steps: row.steps };
        const result = await this.resume.requeue({
          tenantId: row.tenantId,
          sessionId: row.id,
          ...at,
          kind: row.waitingKind === 'reply' ? 'reply_timeout' : 'delay',
        });
        if (typeof result === 'object') {
          // Failing every time is not something another retry fixes: end the session visibly instead.
          const ended = await this.executor.abandonWait(
            row.tenantId,
            row.id,
            row.waitingKind,
            at,
            `the wait at node ${at.nodeId} could not be resumed (${MAX_SWEEP_RETRIES + 1} tries of its job): ${result.exhausted}`,
          );
          return ended !== undefined;
        }
        return result === 'added' || result === 'retried';
      },
    );
    if (recovered)
      this.logger.warn(
        `woke (or, past its retries, ended) ${recovered} flow session(s) whose timer job was lost or had failed`,
      );
    return recovered;
  }
}
