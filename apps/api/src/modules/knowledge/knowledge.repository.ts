import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { KnowledgeSourceStatus } from '@orbitdesk/shared';
import type { Cursor } from '../../common/http/pagination.js';
import { Database, type TenantTx } from '../../db/database.js';
import { keysetAfter, keysetBefore, olderThan } from '../../db/query-helpers.js';
import { knowledgeBases, knowledgeChunks, knowledgeSources } from '../../db/schema/index.js';

export type KnowledgeBaseRow = typeof knowledgeBases.$inferSelect;
export type KnowledgeSourceRow = typeof knowledgeSources.$inferSelect;
export type KnowledgeBaseWithCounts = KnowledgeBaseRow & { sourceCount: number; chunkCount: number };

/** An unfinished source the recovery sweep found, with its keyset position. */
export interface UnfinishedSource {
  id: string;
  tenantId: string;
  updatedAt: Date;
}

export interface NewChunk {
  seq: number;
  text: string;
  embedding: Buffer;
}

/** Rows per chunk INSERT: 6 parameters each, well under Postgres' 65535. */
const INSERT_BATCH = 500;

// Written out in full: inside a sql`` template drizzle renders a column without its table, which the subquery
// would resolve against its own table.
const counts = {
  sourceCount: sql<number>`(select count(*) from knowledge_sources s where s.knowledge_base_id = knowledge_bases.id)::int`,
  chunkCount: sql<number>`(select coalesce(sum(s.chunk_count), 0) from knowledge_sources s where s.knowledge_base_id = knowledge_bases.id)::int`,
};

@Injectable()
export class KnowledgeRepository {
  constructor(private readonly db: Database) {}

  listBases(tx: TenantTx): Promise<KnowledgeBaseWithCounts[]> {
    return tx
      .select({ base: knowledgeBases, ...counts })
      .from(knowledgeBases)
      .orderBy(asc(knowledgeBases.name), asc(knowledgeBases.id))
      .then((rows) => rows.map((r) => ({ ...r.base, sourceCount: r.sourceCount, chunkCount: r.chunkCount })));
  }

  async findBase(tx: TenantTx, id: string): Promise<KnowledgeBaseWithCounts | undefined> {
    const [row] = await tx
      .select({ base: knowledgeBases, ...counts })
      .from(knowledgeBases)
      .where(eq(knowledgeBases.id, id));
    return row && { ...row.base, sourceCount: row.sourceCount, chunkCount: row.chunkCount };
  }

  async insertBase(
    tx: TenantTx,
    values: { tenantId: string; name: string; description: string | null; embeddingModel: string },
  ): Promise<KnowledgeBaseRow> {
    const [row] = await tx.insert(knowledgeBases).values(values).returning();
    return row!;
  }

  async updateBase(
    tx: TenantTx,
    id: string,
    values: { name?: string; description?: string | null },
  ): Promise<KnowledgeBaseRow | undefined> {
    const [row] = await tx
      .update(knowledgeBases)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(knowledgeBases.id, id))
      .returning();
    return row;
  }

  /** Sources and chunks go with it (foreign keys cascade). */
  async deleteBase(tx: TenantTx, id: string): Promise<void> {
    await tx.delete(knowledgeBases).where(eq(knowledgeBases.id, id));
  }

  /** Tells in-memory vector indexes that the base's chunks changed. */
  async bumpIndexVersion(tx: TenantTx, id: string): Promise<void> {
    await tx
      .update(knowledgeBases)
      .set({ indexVersion: sql`${knowledgeBases.indexVersion} + 1`, updatedAt: new Date() })
      .where(eq(knowledgeBases.id, id));
  }

  listSources(
    tx: TenantTx,
    baseId: string,
    q: { cursor?: Cursor; limit: number },
  ): Promise<KnowledgeSourceRow[]> {
    const where: SQL[] = [eq(knowledgeSources.knowledgeBaseId, baseId)];
    if (q.cursor) where.push(keysetBefore(knowledgeSources.createdAt, knowledgeSources.id, q.cursor));
    return tx
      .select()
      .from(knowledgeSources)
      .where(and(...where))
      .orderBy(desc(knowledgeSources.createdAt), desc(knowledgeSources.id))
      .limit(q.limit + 1);
  }

  listAllSources(tx: TenantTx, baseId: string): Promise<KnowledgeSourceRow[]> {
    return tx.select().from(knowledgeSources).where(eq(knowledgeSources.knowledgeBaseId, baseId));
  }

  async findSource(tx: TenantTx, id: string, opts: { lock?: boolean } = {}) {
    const query = tx.select().from(knowledgeSources).where(eq(knowledgeSources.id, id));
    const [row] = await (opts.lock ? query.for('update') : query);
    return row;
  }

  async insertSource(
    tx: TenantTx,
    values: typeof knowledgeSources.$inferInsert,
  ): Promise<KnowledgeSourceRow> {
    const [row] = await tx.insert(knowledgeSources).values(values).returning();
    return row!;
  }

  /** Undefined when the source is gone (deleted while its job ran). */
  async updateSource(
    tx: TenantTx,
    id: string,
    values: Partial<{
      name: string;
      status: KnowledgeSourceStatus;
      progress: number;
      error: string | null;
      chunkCount: number;
      indexedAt: Date;
    }>,
  ): Promise<KnowledgeSourceRow | undefined> {
    const [row] = await tx
      .update(knowledgeSources)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(knowledgeSources.id, id))
      .returning();
    return row;
  }

  /**
   * Sources of every tenant still pending or processing whose row has not changed for `olderThanMs`, oldest
   * change first, after `after` (keyset). Reads the partial index knowledge_sources_unfinished_idx.
   */
  unsafeListUnfinished(
    olderThanMs: number,
    limit: number,
    after?: UnfinishedSource,
  ): Promise<UnfinishedSource[]> {
    const where: SQL[] = [
      inArray(knowledgeSources.status, ['pending', 'processing']),
      olderThan(knowledgeSources.updatedAt, olderThanMs),
    ];
    if (after)
      where.push(keysetAfter(knowledgeSources.updatedAt, knowledgeSources.id, after.updatedAt, after.id));
    return this.db.unsafe
      .select({
        id: knowledgeSources.id,
        tenantId: knowledgeSources.tenantId,
        updatedAt: knowledgeSources.updatedAt,
      })
      .from(knowledgeSources)
      .where(and(...where))
      .orderBy(asc(knowledgeSources.updatedAt), asc(knowledgeSources.id))
      .limit(limit);
  }

  /** Sets every source of a base back to pending (a re-index of the whole base). */
  resetSources(tx: TenantTx, baseId: string): Promise<KnowledgeSourceRow[]> {
    return tx
      .update(knowledgeSources)
      .set({ status: 'pending', progress: 0, error: null, updatedAt: new Date() })
      .where(eq(knowledgeSources.knowledgeBaseId, baseId))
      .returning();
  }

  async deleteSource(tx: TenantTx, id: string): Promise<void> {
    await tx.delete(knowledgeSources).where(eq(knowledgeSources.id, id));
  }

  /** Swaps a source's chunks for new ones; the caller's transaction makes the swap atomic. */
  async replaceChunks(
    tx: TenantTx,
    source: { tenantId: string; knowledgeBaseId: string; id: string },
    chunks: NewChunk[],
  ): Promise<void> {
    await tx.delete(knowledgeChunks).where(eq(knowledgeChunks.sourceId, source.id));
    for (let i = 0; i < chunks.length; i += INSERT_BATCH) {
      await tx.insert(knowledgeChunks).values(
        chunks.slice(i, i + INSERT_BATCH).map((c) => ({
          tenantId: source.tenantId,
          knowledgeBaseId: source.knowledgeBaseId,
          sourceId: source.id,
          seq: c.seq,
          text: c.text,
          embedding: c.embedding,
        })),
      );
    }
  }

  // ---- retrieval ----

  basesForRetrieval(tx: TenantTx, ids: string[]) {
    return tx
      .select({
        id: knowledgeBases.id,
        embeddingModel: knowledgeBases.embeddingModel,
        indexVersion: knowledgeBases.indexVersion,
      })
      .from(knowledgeBases)
      .where(inArray(knowledgeBases.id, ids));
  }

  async chunkKeys(tx: TenantTx, baseId: string): Promise<number[]> {
    const rows = await tx
      .select({ key: knowledgeChunks.vectorKey })
      .from(knowledgeChunks)
      .where(eq(knowledgeChunks.knowledgeBaseId, baseId));
    return rows.map((r) => r.key);
  }

  /** One page of a base's vectors in key order, for building an index from scratch. */
  vectorsAfter(tx: TenantTx, baseId: string, afterKey: number, limit: number) {
    return tx
      .select({ key: knowledgeChunks.vectorKey, embedding: knowledgeChunks.embedding })
      .from(knowledgeChunks)
      .where(and(eq(knowledgeChunks.knowledgeBaseId, baseId), gt(knowledgeChunks.vectorKey, afterKey)))
      .orderBy(asc(knowledgeChunks.vectorKey))
      .limit(limit);
  }

  vectorsByKeys(tx: TenantTx, baseId: string, keys: number[]) {
    return tx
      .select({ key: knowledgeChunks.vectorKey, embedding: knowledgeChunks.embedding })
      .from(knowledgeChunks)
      .where(and(eq(knowledgeChunks.knowledgeBaseId, baseId), inArray(knowledgeChunks.vectorKey, keys)));
  }

  /**
   * The full-text ranking: websearch syntax (quotes, OR, -word) over the english tsvector, ranked by cover
   * density. Returns vector keys, the identity both rankings share. Through knowledge_fulltext_keys (migration
   * 0018), which filters by the transaction's tenant itself so the GIN index can be used under RLS.
   */
  async fullText(tx: TenantTx, baseIds: string[], query: string, limit: number): Promise<number[]> {
    const bases = sql`array[${sql.join(
      baseIds.map((id) => sql`${id}`),
      sql`, `,
    )}]::uuid[]`;
    const result = await tx.execute<{ vector_key: string | number }>(
      sql`select vector_key from knowledge_fulltext_keys(${bases}, ${query}, ${limit})`,
    );
    return result.rows.map((r) => Number(r.vector_key));
  }

  chunksByKeys(tx: TenantTx, baseIds: string[], keys: number[]) {
    return tx
      .select({
        key: knowledgeChunks.vectorKey,
        id: knowledgeChunks.id,
        sourceId: knowledgeChunks.sourceId,
        sourceName: knowledgeSources.name,
        text: knowledgeChunks.text,
      })
      .from(knowledgeChunks)
      .innerJoin(knowledgeSources, eq(knowledgeSources.id, knowledgeChunks.sourceId))
      .where(
        and(inArray(knowledgeChunks.knowledgeBaseId, baseIds), inArray(knowledgeChunks.vectorKey, keys)),
      );
  }
}
