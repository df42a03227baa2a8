import { Injectable, Logger } from '@nestjs/common';
import type {
  TCreateKnowledgeBaseRequest,
  TKnowledgeBase,
  TKnowledgeBaseList,
  TKnowledgeSearchRequest,
  TKnowledgeSearchResponse,
  TUpdateKnowledgeBaseRequest,
} from '@orbitdesk/shared';
import { conflict, notFound } from '../../common/http/errors.js';
import { StorageDriver } from '../../common/storage/storage-driver.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { AiProviderResolver } from '../ai-settings/ai-provider.resolver.js';
import { AuditService } from '../audit/audit.service.js';
import { toKnowledgeBaseDto } from './knowledge-dto.js';
import { KnowledgeRetrievalService } from './knowledge-retrieval.service.js';
import { KnowledgeVectorIndexes } from './knowledge-vector-indexes.js';
import { KnowledgeRepository } from './knowledge.repository.js';

const nameTaken = (name: string) => conflict(`A knowledge base named "${name}" already exists`);

/** Knowledge bases: administration and search. Sources live in KnowledgeSourcesService. */
@Injectable()
export class KnowledgeService {
  private readonly logger = new Logger('KnowledgeService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: KnowledgeRepository,
    private readonly resolver: AiProviderResolver,
    private readonly retrieval: KnowledgeRetrievalService,
    private readonly indexes: KnowledgeVectorIndexes,
    private readonly storage: StorageDriver,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<TKnowledgeBaseList> {
    const rows = await this.tenantDb.run((tx) => this.repo.listBases(tx));
    return { items: rows.map(toKnowledgeBaseDto) };
  }

  get(id: string): Promise<TKnowledgeBase> {
    return this.tenantDb.run(async (tx) => toKnowledgeBaseDto(await this.found(tx, id)));
  }

  /** The embedding model is fixed here: every vector of the base, and every query against it, uses it. */
  async create(input: TCreateKnowledgeBaseRequest): Promise<TKnowledgeBase> {
    const tenantId = requestContext.tenantId();
    try {
      return await this.tenantDb.run(async (tx) => {
        const embedding = await this.resolver.embeddingConfig(tx, tenantId);
        const row = await this.repo.insertBase(tx, {
          tenantId,
          name: input.name,
          description: input.description ?? null,
          embeddingModel: `${embedding.provider}:${embedding.model}`,
        });
        await this.audit.record(tx, {
          action: 'knowledge_base.created',
          entityType: 'knowledge_base',
          entityId: row.id,
          metadata: { name: row.name, embeddingModel: row.embeddingModel },
        });
        return toKnowledgeBaseDto({ ...row, sourceCount: 0, chunkCount: 0 });
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(input.name);
      throw err;
    }
  }

  async update(id: string, input: TUpdateKnowledgeBaseRequest): Promise<TKnowledgeBase> {
    try {
      return await this.tenantDb.run(async (tx) => {
        const row = await this.repo.updateBase(tx, id, input);
        if (!row) throw notFound('Knowledge base');
        await this.audit.record(tx, {
          action: 'knowledge_base.updated',
          entityType: 'knowledge_base',
          entityId: id,
          metadata: { ...input },
        });
        return toKnowledgeBaseDto(await this.found(tx, id));
      });
    } catch (err) {
      if (isUniqueViolation(err) && input.name) throw nameTaken(input.name);
      throw err;
    }
  }

  /** Its sources and chunks go with it; the stored files are removed after the commit. */
  async remove(id: string): Promise<TKnowledgeBase> {
    const { base, keys } = await this.tenantDb.run(async (tx) => {
      const base = toKnowledgeBaseDto(await this.found(tx, id));
      const sources = await this.repo.listAllSources(tx, id);
      await this.repo.deleteBase(tx, id);
      await this.audit.record(tx, {
        action: 'knowledge_base.deleted',
        entityType: 'knowledge_base',
        entityId: id,
        metadata: { name: base.name, sources: sources.length, chunks: base.chunkCount },
      });
      return { base, keys: sources.flatMap((s) => (s.storageKey ? [s.storageKey] : [])) };
    });
    this.indexes.drop(id);
    for (const key of keys) {
      // An object left behind is unreachable (no row names it): logged, not fatal.
      await this.storage
        .delete(key)
        .catch((err: Error) => this.logger.warn(`could not remove ${key}: ${err.message}`));
    }
    return base;
  }

  async search(id: string, input: TKnowledgeSearchRequest): Promise<TKnowledgeSearchResponse> {
    const tenantId = requestContext.tenantId();
    await this.tenantDb.run((tx) => this.found(tx, id));
    return { hits: await this.retrieval.retrieve(tenantId, [id], input.query, input.topK ?? 5) };
  }

  private async found(tx: TenantTx, id: string) {
    const row = await this.repo.findBase(tx, id);
    if (!row) throw notFound('Knowledge base');
    return row;
  }
}
