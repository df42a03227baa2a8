import { Module } from '@nestjs/common';
import { KnowledgeIngestQueue } from '../../common/queue/knowledge.queue.js';
import { StorageModule } from '../../common/storage/storage.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { KnowledgeCoreModule } from './knowledge-core.module.js';
import { KnowledgeSourcesService } from './knowledge-sources.service.js';
import { KnowledgeController } from './knowledge.controller.js';
import { KnowledgeService } from './knowledge.service.js';

/** Knowledge bases and their sources (API side): administration, uploads, search; ingestion is queued. */
@Module({
  imports: [KnowledgeCoreModule, AuditModule, StorageModule],
  controllers: [KnowledgeController],
  providers: [KnowledgeService, KnowledgeSourcesService, KnowledgeIngestQueue],
  exports: [KnowledgeCoreModule],
})
export class KnowledgeModule {}
