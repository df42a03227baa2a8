import type { TKnowledgeBase, TKnowledgeSource } from '@orbitdesk/shared';
import { z } from 'zod';
import type { KnowledgeBaseWithCounts, KnowledgeSourceRow } from './knowledge.repository.js';

/** `/knowledge-bases/:id/sources/:sourceId`. */
export const ZKnowledgeSourceParams = z.strictObject({ id: z.uuid(), sourceId: z.uuid() });
export type TKnowledgeSourceParams = z.infer<typeof ZKnowledgeSourceParams>;

export const toKnowledgeBaseDto = (b: KnowledgeBaseWithCounts): TKnowledgeBase => ({
  id: b.id,
  name: b.name,
  description: b.description,
  embeddingModel: b.embeddingModel,
  sourceCount: b.sourceCount,
  chunkCount: b.chunkCount,
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
});

export const toKnowledgeSourceDto = (s: KnowledgeSourceRow): TKnowledgeSource => ({
  id: s.id,
  knowledgeBaseId: s.knowledgeBaseId,
  type: s.type,
  name: s.name,
  url: s.url,
  mimeType: s.mimeType,
  sizeBytes: s.sizeBytes,
  status: s.status,
  progress: s.progress,
  error: s.error,
  chunkCount: s.chunkCount,
  indexedAt: s.indexedAt?.toISOString() ?? null,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});
