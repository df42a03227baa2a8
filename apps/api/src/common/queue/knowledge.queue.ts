import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { QueueProducer } from './queue-producer.js';

/** Knowledge ingestion: one job per (re-)index request of a source, run by the worker (knowledge-ingest.worker.ts). */
export const KNOWLEDGE_INGEST_QUEUE = 'knowledge-ingest';
export const KNOWLEDGE_INGEST_JOB = 'ingest';

export interface KnowledgeIngestJobData {
  tenantId: string;
  sourceId: string;
}

/**
 * Three tries for what can pass (the AI service or the URL's server briefly down); a source whose content is the
 * problem fails at once without a retry (KnowledgeSourceError in the processor).
 */
export const KNOWLEDGE_INGEST_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** The producer side, used by the API after a source row is committed. */
@Injectable()
export class KnowledgeIngestQueue extends QueueProducer<KnowledgeIngestJobData> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, KNOWLEDGE_INGEST_QUEUE, KNOWLEDGE_INGEST_JOB_OPTIONS);
  }

  /**
   * Every request is its own job (a re-index must run even when the last run's job is still kept): a job replaces
   * the source's chunks in one transaction at its end, so two runs of one source never leave both sets behind.
   */
  async enqueue(data: KnowledgeIngestJobData): Promise<void> {
    await this.queue.add(KNOWLEDGE_INGEST_JOB, data, { jobId: `${data.sourceId}.${randomUUID()}` });
  }

  /** The sources that have a job waiting, delayed or running (the recovery sweep leaves those alone). */
  async sourcesWithLiveJobs(): Promise<Set<string>> {
    const jobs = await this.queue.getJobs([
      'waiting',
      'prioritized',
      'delayed',
      'active',
      'waiting-children',
    ]);
    return new Set(jobs.flatMap((job) => (job ? [job.data.sourceId] : [])));
  }
}
