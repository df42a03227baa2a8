import { Inject, Injectable } from '@nestjs/common';
import { KnowledgeIngestQueue } from '../../common/queue/knowledge.queue.js';
import { PeriodicSweep } from '../../common/queue/periodic-sweep.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Database } from '../../db/database.js';
import { KnowledgeRepository, type UnfinishedSource } from './knowledge.repository.js';

/** The queue that carries only the recovery sweep's scheduled runs. */
export const KNOWLEDGE_RECOVERY_QUEUE = 'knowledge-recovery';
/**
 * A pending or processing source whose row has not changed for this long has lost its job: a running job moves
 * the row's progress between its steps, and a queued one is listed by the queue.
 */
export const UNFINISHED_AFTER_MS = 15 * 60_000;

/**
 * Recovers indexing lost between the API's commit and its enqueue, or lost from Redis (a crash, a Redis restart
 * without persistence): every minute and at worker start, queues a new `knowledge-ingest` job for each source still
 * pending or processing after 15 minutes without a change that has no job waiting, delayed or running, and marks
 * the row changed so the next pass waits for that job. Two runs of one source are harmless (the processor replaces
 * the source's chunks in one transaction at its end).
 */
@Injectable()
export class KnowledgeRecoveryWorker extends PeriodicSweep {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly db: Database,
    private readonly repo: KnowledgeRepository,
    private readonly ingest: KnowledgeIngestQueue,
  ) {
    super(config, KNOWLEDGE_RECOVERY_QUEUE);
  }

  /** Queues the missing jobs; returns how many. */
  async sweep(): Promise<number> {
    let live: Set<string> | undefined;
    const requeued = await this.everyRow(
      (limit, after: UnfinishedSource | undefined) =>
        this.repo.unsafeListUnfinished(UNFINISHED_AFTER_MS, limit, after),
      async (row) => {
        // Listed once per pass, and only when some source looks stuck.
        live ??= await this.ingest.sourcesWithLiveJobs();
        if (live.has(row.id)) return false;
        await this.db.tenantTransaction(row.tenantId, (tx) => this.repo.updateSource(tx, row.id, {}));
        await this.ingest.enqueue({ tenantId: row.tenantId, sourceId: row.id });
        return true;
      },
    );
    if (requeued) this.logger.warn(`re-queued indexing of ${requeued} source(s) whose job was lost`);
    return requeued;
  }
}
