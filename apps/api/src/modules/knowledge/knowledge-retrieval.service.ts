import { Injectable, Logger } from '@nestjs/common';
import type { TAiProviderConfig, TKnowledgeSearchHit } from '@orbitdesk/shared';
import { AiServiceClient } from '../../common/ai/ai-service.client.js';
import { Database } from '../../db/database.js';
import { AiProviderResolver } from '../ai-settings/ai-provider.resolver.js';
import { KnowledgeRepository } from './knowledge.repository.js';
import { KnowledgeVectorIndexes, type IndexedBase, type VectorMatch } from './knowledge-vector-indexes.js';

/** Candidates each ranking contributes to the fusion. */
export const RETRIEVAL_CANDIDATES = 50;
/** The k of reciprocal rank fusion: a hit's score is the sum over rankings of 1 / (RRF_K + rank). */
export const RRF_K = 60;

export interface RankedList {
  /** Vector keys, best first. */
  keys: number[];
  kind: 'text' | 'vector';
}

export interface FusedHit {
  key: number;
  score: number;
  textRank: number | null;
  vectorRank: number | null;
}

/**
 * Reciprocal rank fusion of several rankings (Cormack et al. 2009): only ranks count, so a full-text rank and a
 * cosine distance need no common scale. Ties keep the better text rank first, then the lower key (older chunk).
 */
export function fuseRankings(lists: RankedList[]): FusedHit[] {
  const hits = new Map<number, FusedHit>();
  for (const list of lists) {
    list.keys.forEach((key, i) => {
      const rank = i + 1;
      const hit = hits.get(key) ?? { key, score: 0, textRank: null, vectorRank: null };
      hit.score += 1 / (RRF_K + rank);
      if (list.kind === 'text') hit.textRank ??= rank;
      else hit.vectorRank ??= rank;
      hits.set(key, hit);
    });
  }
  return [...hits.values()].sort(
    (a, b) =>
      b.score - a.score ||
      (a.textRank ?? Infinity) - (b.textRank ?? Infinity) ||
      (a.vectorRank ?? Infinity) - (b.vectorRank ?? Infinity) ||
      a.key - b.key,
  );
}

/**
 * Hybrid retrieval over knowledge bases, for the search endpoint and for chat agents (both processes).
 *
 *   retrieve(tenantId, knowledgeBaseIds, query, topK) → TKnowledgeSearchHit[]
 *
 * Full text (websearch_to_tsquery + ts_rank_cd over every listed base at once) and vectors (the query embedded
 * once per embedding model, each base's usearch index searched; bases sharing a model are merged by distance, as
 * their distances are comparable) are fused by RRF. Bases that do not exist in the tenant are ignored. When the
 * AI service cannot embed the query, the answer is the full-text ranking alone (logged), so an agent still gets
 * context.
 */
@Injectable()
export class KnowledgeRetrievalService {
  private readonly logger = new Logger('KnowledgeRetrievalService');

  constructor(
    private readonly db: Database,
    private readonly repo: KnowledgeRepository,
    private readonly indexes: KnowledgeVectorIndexes,
    private readonly ai: AiServiceClient,
    private readonly resolver: AiProviderResolver,
  ) {}

  async retrieve(
    tenantId: string,
    knowledgeBaseIds: string[],
    query: string,
    topK: number,
  ): Promise<TKnowledgeSearchHit[]> {
    const ids = [...new Set(knowledgeBaseIds)];
    const q = query.trim();
    if (!ids.length || !q || topK < 1) return [];

    const { bases, configs, textKeys } = await this.db.tenantTransaction(tenantId, async (tx) => {
      const bases = await this.repo.basesForRetrieval(tx, ids);
      const configs = new Map<string, TAiProviderConfig>();
      for (const model of new Set(bases.map((b) => b.embeddingModel))) {
        configs.set(model, await this.resolver.embeddingConfigFor(tx, tenantId, model));
      }
      const textKeys = bases.length
        ? await this.repo.fullText(
            tx,
            bases.map((b) => b.id),
            q,
            RETRIEVAL_CANDIDATES,
          )
        : [];
      return { bases, configs, textKeys };
    });
    // A listed base that is gone (deleted on another replica) frees its index here too.
    for (const id of ids) if (!bases.some((b) => b.id === id)) this.indexes.drop(id);
    if (!bases.length) return [];

    const lists: RankedList[] = [{ kind: 'text', keys: textKeys }];
    for (const [model, config] of configs) {
      const group = bases.filter((b) => b.embeddingModel === model);
      const matches = await this.vectorSearch(tenantId, group, config, q);
      lists.push({ kind: 'vector', keys: matches.map((m) => m.key) });
    }

    // A few spare candidates: a chunk replaced between the rankings and this read is skipped, not returned.
    const fused = fuseRankings(lists).slice(0, topK + 10);
    if (!fused.length) return [];
    const rows = await this.db.tenantTransaction(tenantId, (tx) =>
      this.repo.chunksByKeys(
        tx,
        bases.map((b) => b.id),
        fused.map((h) => h.key),
      ),
    );
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const hits: TKnowledgeSearchHit[] = [];
    for (const h of fused) {
      const row = byKey.get(h.key);
      if (!row) continue;
      hits.push({
        chunkId: row.id,
        sourceId: row.sourceId,
        sourceName: row.sourceName,
        text: row.text,
        score: h.score,
        textRank: h.textRank,
        vectorRank: h.vectorRank,
      });
      if (hits.length === topK) break;
    }
    return hits;
  }

  /** The nearest chunks of bases sharing one embedding model, merged into one ranking by distance. */
  private async vectorSearch(
    tenantId: string,
    bases: IndexedBase[],
    config: TAiProviderConfig,
    query: string,
  ): Promise<VectorMatch[]> {
    const model = bases[0]!.embeddingModel;
    let vector: Float32Array;
    try {
      const res = await this.ai.embed(tenantId, { provider: config, texts: [query] });
      if (res.model !== model) {
        this.logger.warn(`query embedded by ${res.model}, base vectors are ${model}: vector side skipped`);
        return [];
      }
      vector = Float32Array.from(res.vectors[0] ?? []);
    } catch (err) {
      this.logger.warn(`query not embedded (${model}), full-text only: ${(err as Error).message}`);
      return [];
    }
    const all: VectorMatch[] = [];
    for (const base of bases) {
      all.push(...(await this.indexes.search(tenantId, base, vector, RETRIEVAL_CANDIDATES)));
    }
    return all.sort((a, b) => a.distance - b.distance).slice(0, RETRIEVAL_CANDIDATES);
  }
}
