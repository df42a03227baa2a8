import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { KNOWLEDGE_INGEST_QUEUE, type KnowledgeIngestJobData } from '../../common/queue/knowledge.queue.js';
import { QueueConsumer } from '../../common/queue/queue-consumer.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { KnowledgeIngestProcessor } from './knowledge-ingest.processor.js';

/** The consumer of the `knowledge-ingest` queue. */
@Injectable()
export class KnowledgeIngestWorker
  extends QueueConsumer<KnowledgeIngestJobData>
  implements OnApplicationBootstrap
{
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly processor: KnowledgeIngestProcessor,
  ) {
    // A job holds a whole document (up to 20 MiB) and its vectors in memory: two at a time bounds the worker.
    super(config, KNOWLEDGE_INGEST_QUEUE, { concurrency: 2 });
  }

  protected handle(job: Job<KnowledgeIngestJobData>): Promise<void> {
    return this.processor.process(job);
  }

  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    this.abandonWhenFailedForGood((job) => this.processor.abandon(job.data));
  }
}
