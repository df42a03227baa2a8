import { Module } from '@nestjs/common';
import { StorageModule } from '../../common/storage/storage.module.js';
import { KnowledgeCoreModule } from './knowledge-core.module.js';
import { KnowledgeIngestProcessor } from './knowledge-ingest.processor.js';
import { KnowledgeIngestWorker } from './knowledge-ingest.worker.js';

/** Knowledge ingestion jobs (worker side): the `knowledge-ingest` queue consumer. */
@Module({
  imports: [KnowledgeCoreModule, StorageModule],
  providers: [KnowledgeIngestProcessor, KnowledgeIngestWorker],
  exports: [KnowledgeCoreModule],
})
export class KnowledgeWorkerModule {}
