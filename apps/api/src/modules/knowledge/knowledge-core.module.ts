import { Module } from '@nestjs/common';
import { KnowledgeRetrievalService } from './knowledge-retrieval.service.js';
import { KnowledgeVectorIndexes } from './knowledge-vector-indexes.js';
import { KnowledgeRepository } from './knowledge.repository.js';

/**
 * What the API and the worker share: the repository, the per-process vector indexes and hybrid retrieval.
 * Other modules (chat agents) import this module and call KnowledgeRetrievalService.retrieve.
 */
@Module({
  providers: [KnowledgeRepository, KnowledgeVectorIndexes, KnowledgeRetrievalService],
  exports: [KnowledgeRepository, KnowledgeVectorIndexes, KnowledgeRetrievalService],
})
export class KnowledgeCoreModule {}
