import { Injectable, Logger } from '@nestjs/common';
import type { Index } from 'usearch';
import { Database, type TenantTx } from '../../db/database.js';
import { IndexBuild, newIndex, type HnswOptions } from './knowledge-index-builder.js';
import { KnowledgeRepository } from './knowledge.repository.js';
import { decodeVector } from './knowledge-vector.js';

/**
 * HNSW parameters, chosen with bench/knowledge-retrieval.mjs on 100k clustered 384-dim vectors: recall@10 0.995
 * against an exact scan at ~1/60 of its p50 latency. A smaller expansion when adding builds faster but cost
 * recall (0.94), so the build pays instead (bench/RESULTS.md).
 */
export const HNSW_CONNECTIVITY = 16;
export const HNSW_EXPANSION_ADD = 128;
export const HNSW_EXPANSION_SEARCH = 96;

/** Rows per query when (re)loading vectors from Postgres. */
const LOAD_PAGE = 2_000;
/** More removed keys than this share of the index: build it anew rather than leave the graph full of holes. */
const REBUILD_SHARE = 0.25;
/** An index nobody searched for this long is dropped; the next search builds it again from Postgres. */
const IDLE_MS = 30 * 60_000;
/** More vectors to add than this at once: added in a worker thread (IndexBuild), not on the main thread. */
const WORKER_MIN_VECTORS = 256;

export interface IndexedBase {
  id: string;
  embeddingModel: string;
  indexVersion: number;
}

export interface VectorMatch {
  key: number;
  /** Cosine distance, 0 (same direction) .. 2. */
  distance: number;
}

interface Entry {
  index: Index;
  dimensions: number;
  model: string;
  /** The knowledge_bases.index_version the index reflects. */
  version: number;
  keys: Set<number>;
  lastUsed: number;
}

/**
 * One in-memory usearch index per knowledge base, per process, mirroring the vectors in knowledge_chunks.
 * Postgres stays the truth: every search compares the base's index_version (bumped with every chunk change) with
 * the version the index was brought to, and on a difference diffs the stored keys against the indexed ones, adds
 * the new vectors and removes the gone ones (or rebuilds after many removals). So every API and worker replica
 * answers from the committed chunks without any message between them.
 */
@Injectable()
export class KnowledgeVectorIndexes {
  private readonly logger = new Logger('KnowledgeVectorIndexes');
  private readonly entries = new Map<string, Entry>();
  /** One refresh per base at a time; concurrent searches wait for it rather than load the same rows twice. */
  private readonly refreshing = new Map<string, Promise<Entry | undefined>>();
  /** Where indexes were grown, for diagnostics and tests. */
  readonly grown = { mainThread: 0, worker: 0 };
  /** Adds of more vectors than this go to a worker thread; tests lower it. */
  workerMinVectors = WORKER_MIN_VECTORS;

  constructor(
    private readonly db: Database,
    private readonly repo: KnowledgeRepository,
  ) {}

  /** The `k` nearest stored vectors of the base, brought up to `base.indexVersion` first. */
  async search(tenantId: string, base: IndexedBase, vector: Float32Array, k: number): Promise<VectorMatch[]> {
    this.dropIdle();
    const entry = await this.fresh(tenantId, base);
    if (!entry || entry.index.size() === 0 || entry.dimensions !== vector.length) return [];
    entry.lastUsed = Date.now();
    const found = entry.index.search(vector, Math.min(k, entry.index.size()), 1);
    const matches: VectorMatch[] = [];
    for (let i = 0; i < found.keys.length; i++) {
      const key = Number(found.keys[i]);
      // usearch pads a short answer; only keys the index holds are real.
      if (entry.keys.has(key)) matches.push({ key, distance: found.distances[i]! });
    }
    return matches;
  }

  /** Frees the base's index (the base was deleted). */
  drop(baseId: string): void {
    this.entries.delete(baseId);
  }

  /** How many vectors the process holds for a base (undefined: none built); for tests and diagnostics. */
  sizeOf(baseId: string): number | undefined {
    return this.entries.get(baseId)?.index.size();
  }

  private async fresh(tenantId: string, base: IndexedBase): Promise<Entry | undefined> {
    for (;;) {
      const current = this.entries.get(base.id);
      if (current && current.version >= base.indexVersion && current.model === base.embeddingModel)
        return current;
      const running = this.refreshing.get(base.id);
      if (!running) break;
      await running.catch(() => undefined);
    }
    const run = this.refresh(tenantId, base).finally(() => this.refreshing.delete(base.id));
    this.refreshing.set(base.id, run);
    return run;
  }

  private async refresh(tenantId: string, base: IndexedBase): Promise<Entry | undefined> {
    return this.db.tenantTransaction(tenantId, async (tx) => {
      // The version was read before these keys, so the keys are at least as new as the version recorded.
      const stored = await this.repo.chunkKeys(tx, base.id);
      const existing = this.entries.get(base.id);
      let entry: Entry | undefined;
      if (existing && existing.model === base.embeddingModel) {
        const present = new Set(stored);
        const removed = [...existing.keys].filter((k) => !present.has(k));
        const added = stored.filter((k) => !existing.keys.has(k));
        if (removed.length <= existing.keys.size * REBUILD_SHARE) {
          if (removed.length) {
            existing.index.remove(BigUint64Array.from(removed, BigInt));
            for (const k of removed) existing.keys.delete(k);
          }
          await this.grow(existing, added.length, async (page) => {
            for (let i = 0; i < added.length; i += LOAD_PAGE) {
              page(await this.repo.vectorsByKeys(tx, base.id, added.slice(i, i + LOAD_PAGE)));
            }
          });
          entry = existing;
        }
      }
      entry ??= await this.build(tx, base, stored.length);
      if (entry) {
        entry.version = Math.max(entry.version, base.indexVersion);
        this.entries.set(base.id, entry);
      } else {
        this.entries.delete(base.id);
      }
      return entry;
    });
  }

  /** A new index of the base's stored vectors (`count` of them), or undefined when it has none. */
  private async build(tx: TenantTx, base: IndexedBase, count: number): Promise<Entry | undefined> {
    const first = await this.repo.vectorsAfter(tx, base.id, 0, LOAD_PAGE);
    if (!first.length) return undefined;
    const entry = this.create(base, first[0]!.embedding.length / 4);
    await this.grow(entry, count, async (page) => {
      let rows = first;
      while (rows.length) {
        const after = rows[rows.length - 1]!.key;
        page(rows);
        rows = await this.repo.vectorsAfter(tx, base.id, after, LOAD_PAGE);
      }
    });
    return entry;
  }

  /**
   * Adds the vectors that `read` hands over page by page (about `count` of them) to the entry's index: on this
   * thread when they are few, else in a worker thread (IndexBuild) that starts from a copy of the index and
   * whose result replaces it, so a large base does not stall the process while its graph is built.
   */
  private async grow(
    entry: Entry,
    count: number,
    read: (page: (rows: { key: number; embedding: Buffer }[]) => void) => Promise<void>,
  ): Promise<void> {
    if (count <= this.workerMinVectors) {
      await read((rows) => {
        const fitting = this.fitting(entry, rows);
        if (fitting) {
          entry.index.add(fitting.keys, fitting.vectors);
          for (const k of fitting.keys) entry.keys.add(Number(k));
        }
      });
      this.grown.mainThread++;
      return;
    }
    const build = new IndexBuild(
      this.options(entry.dimensions),
      entry.index.size() ? entry.index : undefined,
    );
    const added: number[] = [];
    try {
      await read((rows) => {
        const fitting = this.fitting(entry, rows);
        if (fitting) {
          for (const k of fitting.keys) added.push(Number(k));
          build.add(fitting.keys, fitting.vectors);
        }
      });
    } catch (err) {
      await build.cancel();
      throw err;
    }
    entry.index = await build.finish();
    for (const k of added) entry.keys.add(k);
    this.grown.worker++;
  }

  private options(dimensions: number): HnswOptions {
    return {
      dimensions,
      connectivity: HNSW_CONNECTIVITY,
      expansionAdd: HNSW_EXPANSION_ADD,
      expansionSearch: HNSW_EXPANSION_SEARCH,
    };
  }

  private create(base: IndexedBase, dimensions: number): Entry {
    return {
      index: newIndex(this.options(dimensions)),
      dimensions,
      model: base.embeddingModel,
      version: -1,
      keys: new Set(),
      lastUsed: Date.now(),
    };
  }

  /** The rows' keys and vectors as usearch takes them, leaving out wrong sizes and keys already indexed. */
  private fitting(
    entry: Entry,
    rows: { key: number; embedding: Buffer }[],
  ): { keys: BigUint64Array; vectors: Float32Array } | undefined {
    const fitting = rows.filter((r) => r.embedding.length === entry.dimensions * 4 && !entry.keys.has(r.key));
    if (fitting.length !== rows.length) {
      this.logger.warn(
        `${rows.length - fitting.length} stored vectors skipped (wrong size or already indexed)`,
      );
    }
    if (!fitting.length) return undefined;
    const vectors = new Float32Array(fitting.length * entry.dimensions);
    fitting.forEach((r, i) => vectors.set(decodeVector(r.embedding), i * entry.dimensions));
    return { keys: BigUint64Array.from(fitting, (r) => BigInt(r.key)), vectors };
  }

  private dropIdle(): void {
    const cutoff = Date.now() - IDLE_MS;
    for (const [id, entry] of this.entries) if (entry.lastUsed < cutoff) this.entries.delete(id);
  }
}
