import { Module } from '@nestjs/common';
import { KnowledgeIngestQueue } from '../../common/queue/knowledge.queue.js';
import { StorageModule } from '../../common/storage/storage.module.js';
import { KnowledgeCoreModule } from './knowledge-core.module.js';
import { KnowledgeIngestProcessor } from './knowledge-ingest.processor.js';
import { KnowledgeIngestWorker } from './knowledge-ingest.worker.js';
import { KnowledgeRecoveryWorker } from './knowledge-recovery.worker.js';

/** Knowledge ingestion jobs (worker side): the `knowledge-ingest` queue consumer and its recovery sweep. */
@Module({
  imports: [KnowledgeCoreModule, StorageModule],
  providers: [KnowledgeIngestProcessor, KnowledgeIngestWorker, KnowledgeIngestQueue, KnowledgeRecoveryWorker],
  exports: [KnowledgeCoreModule],
})
export class KnowledgeWorkerModule {}
