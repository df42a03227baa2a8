import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { TKnowledgeBase, TKnowledgeSearchHit, TKnowledgeSource } from '@orbitdesk/shared';
import { KNOWLEDGE_MAX_FILE_BYTES } from '@orbitdesk/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeIngestJobData } from '../../src/common/queue/knowledge.queue.js';
import { StorageDriver } from '../../src/common/storage/storage-driver.js';
import { KnowledgeIngestProcessor } from '../../src/modules/knowledge/knowledge-ingest.processor.js';
import { KnowledgeVectorIndexes } from '../../src/modules/knowledge/knowledge-vector-indexes.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { startAiService, type RunningAiService } from '../support/ai-service.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { postMultipart } from '../support/multipart.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const FIXTURES = new URL('../fixtures/knowledge/', import.meta.url);
const fixture = (name: string) => readFile(new URL(name, FIXTURES));

const REFUNDS =
  'Refunds are paid back to the original card within 5 business days once the returned parcel is inspected.';
const SHIPPING =
  'Standard shipping to mainland Portugal is free for baskets above 40 euros. Islands pay a flat 6 euros.';
const LOYALTY =
  'Members of the Orbit Club collect one point per euro spent and swap 100 points for a voucher in the app.';

describe('knowledge bases', () => {
  let ai: RunningAiService;
  let ctx: TestContext;
  let worker: RunningWorker;
  let storageDir: string;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agentA: string;

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, body?: unknown) =>
    http(ctx.app, method, `/api/v1${url}`, { token, body });

  const createBase = async (token: string, name: string) => {
    const res = await api('POST', '/knowledge-bases', token, { name });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as TKnowledgeBase;
  };
  const addText = async (token: string, baseId: string, name: string, text: string) => {
    const res = await api('POST', `/knowledge-bases/${baseId}/sources`, token, { type: 'TEXT', name, text });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as TKnowledgeSource;
  };
  const upload = (token: string, baseId: string, fileName: string, data: Buffer, contentType?: string) =>
    postMultipart(
      ctx.app,
      `/api/v1/knowledge-bases/${baseId}/sources/upload`,
      [{ kind: 'file', name: 'file', fileName, data, contentType }],
      { token },
    );
  /** Polls the source until its job ends; returns it (ready or failed). */
  const settled = async (token: string, baseId: string, sourceId: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await api('GET', `/knowledge-bases/${baseId}/sources/${sourceId}`, token);
      expect(res.status).toBe(200);
      const s = res.body as TKnowledgeSource;
      if (s.status === 'ready' || s.status === 'failed') return s;
      if (Date.now() > deadline) throw new Error(`source ${sourceId} still ${s.status} (${s.progress}%)`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const ready = async (token: string, baseId: string, sourceId: string) => {
    const s = await settled(token, baseId, sourceId);
    expect(s.status, s.error ?? '').toBe('ready');
    return s;
  };
  const search = async (token: string, baseId: string, query: string, topK = 5) => {
    const res = await api('POST', `/knowledge-bases/${baseId}/search`, token, { query, topK });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.hits as TKnowledgeSearchHit[];
  };
  const chunkRows = async (sourceId: string) =>
    (
      await ctx.database.unsafe.execute<{ id: string; seq: number; text: string; vector_key: string }>(
        sql`select id, seq, text, vector_key from knowledge_chunks where source_id = ${sourceId} order by seq`,
      )
    ).rows;
  const countOf = async (table: 'knowledge_sources' | 'knowledge_chunks', baseId: string) =>
    Number(
      (
        await ctx.database.unsafe.execute<{ n: string }>(
          sql`select count(*) as n from ${sql.identifier(table)} where knowledge_base_id = ${baseId}`,
        )
      ).rows[0]!.n,
    );

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'orbitdesk-knowledge-'));
    ai = await startAiService();
    ctx = await startTestApp({ env: { AI_SERVICE_URL: ai.url, STORAGE_LOCAL_DIR: storageDir } });
    worker = await startWorker(ctx.config);
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    agentA = (await login(ctx.app, agent.email)).token;
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    await ai?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  describe('administration', () => {
    it('creates, reads, renames and lists bases; the embedding model is fixed at creation', async () => {
      const created = await api('POST', '/knowledge-bases', A.token, {
        name: ' Product manuals ',
        description: 'Everything about kettles',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'Product manuals',
        description: 'Everything about kettles',
        embeddingModel: 'local:hash-384',
        sourceCount: 0,
        chunkCount: 0,
      });
      const id = created.body.id as string;

      const renamed = await api('PATCH', `/knowledge-bases/${id}`, A.token, {
        name: 'Manuals',
        description: null,
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ id, name: 'Manuals', description: null });

      // Every member reads; only admins write.
      const list = await api('GET', '/knowledge-bases', agentA);
      expect(list.status).toBe(200);
      expect(list.body.items.map((b: TKnowledgeBase) => b.name)).toContain('Manuals');
      expect((await api('GET', `/knowledge-bases/${id}`, agentA)).body.name).toBe('Manuals');
      expect((await api('POST', '/knowledge-bases', agentA, { name: 'Nope' })).status).toBe(403);
      expect((await api('PATCH', `/knowledge-bases/${id}`, agentA, { name: 'Nope' })).status).toBe(403);
      expect((await api('DELETE', `/knowledge-bases/${id}`, agentA)).status).toBe(403);
      expect(
        (await api('POST', `/knowledge-bases/${id}/sources`, agentA, { type: 'TEXT', name: 'x', text: 'y' }))
          .status,
      ).toBe(403);
    });

    it('refuses a duplicate name with 409 and bad input with 400, changing nothing', async () => {
      const base = await createBase(A.token, 'Policies');
      const dup = await api('POST', '/knowledge-bases', A.token, { name: 'Policies' });
      expect(dup.status).toBe(409);
      expect(dup.body.message).toBe('A knowledge base named "Policies" already exists');
      const other = await createBase(A.token, 'Other');
      const renameDup = await api('PATCH', `/knowledge-bases/${other.id}`, A.token, { name: 'Policies' });
      expect(renameDup.status).toBe(409);
      // Names are per workspace: tenant B may use it.
      expect((await api('POST', '/knowledge-bases', B.token, { name: 'Policies' })).status).toBe(201);

      for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'ok', extra: 1 }]) {
        const res = await api('POST', '/knowledge-bases', A.token, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.message).toMatch(/^Validation failed: body/);
      }
      const badSources = [
        { type: 'TEXT', name: 'empty', text: '   ' },
        { type: 'TEXT', text: 'no name' },
        { type: 'URL', url: 'ftp://example.com/file' },
        { type: 'URL', url: 'not a url' },
        { type: 'FILE', name: 'x' },
      ];
      for (const body of badSources) {
        const res = await api('POST', `/knowledge-bases/${base.id}/sources`, A.token, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
      expect((await api('GET', `/knowledge-bases/not-a-uuid`, A.token)).status).toBe(400);
      expect((await api('GET', `/knowledge-bases/${base.id}/sources?limit=0`, A.token)).status).toBe(400);
      expect((await api('POST', `/knowledge-bases/${base.id}/search`, A.token, { query: ' ' })).status).toBe(
        400,
      );
      expect(await countOf('knowledge_sources', base.id)).toBe(0);
      expect((await api('GET', `/knowledge-bases/${other.id}`, A.token)).body.name).toBe('Other');
    });

    it('pages the sources of a base newest first', async () => {
      const base = await createBase(A.token, 'Paged');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++)
        ids.push((await addText(A.token, base.id, `Note ${i}`, `Note number ${i}.`)).id);
      const first = await api('GET', `/knowledge-bases/${base.id}/sources?limit=2`, agentA);
      expect(first.status).toBe(200);
      expect(first.body.items.map((s: TKnowledgeSource) => s.name)).toEqual(['Note 4', 'Note 3']);
      const seen: string[] = [...first.body.items.map((s: TKnowledgeSource) => s.id)];
      let cursor = first.body.nextCursor as string | null;
      while (cursor) {
        const page = await api(
          'GET',
          `/knowledge-bases/${base.id}/sources?limit=2&cursor=${encodeURIComponent(cursor)}`,
          agentA,
        );
        seen.push(...page.body.items.map((s: TKnowledgeSource) => s.id));
        cursor = page.body.nextCursor;
      }
      expect(seen).toEqual([...ids].reverse());
      for (const id of ids) await ready(A.token, base.id, id);
    });
  });

  describe('ingestion', () => {
    it('indexes a pasted text: pending → ready with chunks, vectors and its content kept in storage', async () => {
      const base = await createBase(A.token, 'Pasted');
      const source = await addText(A.token, base.id, 'Refund policy', REFUNDS);
      expect(source).toMatchObject({ type: 'TEXT', name: 'Refund policy', status: 'pending', progress: 0 });
      const done = await ready(A.token, base.id, source.id);
      expect(done).toMatchObject({ progress: 100, chunkCount: 1, error: null, mimeType: 'text/plain' });
      expect(done.indexedAt).not.toBeNull();
      const rows = await ctx.database.unsafe.execute<{ text: string; dims: number; storage_key: string }>(
        sql`select c.text, length(c.embedding) / 4 as dims, s.storage_key
            from knowledge_chunks c join knowledge_sources s on s.id = c.source_id where c.source_id = ${source.id}`,
      );
      expect(rows.rows).toEqual([{ text: REFUNDS, dims: 384, storage_key: expect.any(String) }]);
      expect(await ctx.app.get(StorageDriver).exists(rows.rows[0]!.storage_key)).toBe(true);
      const fresh = await api('GET', `/knowledge-bases/${base.id}`, A.token);
      expect(fresh.body).toMatchObject({ sourceCount: 1, chunkCount: 1 });
    });

    it('indexes PDF, DOCX, CSV and TXT uploads, each found by search', async () => {
      const base = await createBase(A.token, 'Uploads');
      const files = [
        ['warranty.pdf', 'application/pdf', 'how long is the kettle warranty', 'warranty of 27 months'],
        ['returns.docx', 'application/octet-stream', 'returned within 45 days', 'full refund'],
        [
          'shipping.csv',
          'text/csv',
          'Iceland carrier',
          'region: Iceland; carrier: Posturinn; delivery_days: 9',
        ],
        [
          'opening-hours.txt',
          'text/plain',
          'when does the café open',
          'café in the Porto store opens at 07:30',
        ],
      ] as const;
      for (const [name, type, query, expected] of files) {
        const res = await upload(A.token, base.id, name, await fixture(name), type);
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        expect(res.body).toMatchObject({ type: 'FILE', name, status: 'pending' });
        const done = await ready(A.token, base.id, res.body.id);
        expect(done.chunkCount).toBeGreaterThan(0);
        const hits = await search(A.token, base.id, query);
        expect(hits[0]?.sourceId, `${name}: ${JSON.stringify(hits)}`).toBe(res.body.id);
        expect(hits[0]!.sourceName).toBe(name);
        expect(hits[0]!.text).toContain(expected);
      }
      const mimes = (await api('GET', `/knowledge-bases/${base.id}/sources`, A.token)).body.items.map(
        (s: TKnowledgeSource) => s.mimeType,
      );
      expect(mimes.sort()).toEqual([
        'application/pdf',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'text/csv',
        'text/plain',
      ]);
    });

    it('fails a PDF without a text layer with a reason a person understands', async () => {
      const base = await createBase(A.token, 'Scans');
      const res = await upload(A.token, base.id, 'scanned.pdf', await fixture('scanned.pdf'));
      expect(res.status).toBe(201);
      const done = await settled(A.token, base.id, res.body.id);
      expect(done).toMatchObject({ status: 'failed', chunkCount: 0 });
      expect(done.error).toMatch(/^The PDF has no extractable text/);
    });

    it('refuses unsupported types (415), empty files (400) and files over the limit (413)', async () => {
      const base = await createBase(A.token, 'Refusals');
      const xlsx = await upload(A.token, base.id, 'prices.xlsx', Buffer.from('PK\u0003\u0004data'));
      expect(xlsx.status).toBe(415);
      expect(xlsx.body.message).toBe('Unsupported file type ".xlsx": upload a PDF, DOCX, TXT or CSV file');
      const renamed = await upload(
        A.token,
        base.id,
        'photo.pdf',
        Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]),
      );
      expect(renamed.status).toBe(415);
      expect(renamed.body.message).toBe('The file is named .pdf but its content is not a PDF');
      const empty = await upload(A.token, base.id, 'empty.txt', Buffer.alloc(0));
      expect(empty.status).toBe(400);
      expect(empty.body.message).toBe('Validation failed: file: the file is empty');
      const big = await upload(A.token, base.id, 'big.txt', Buffer.alloc(KNOWLEDGE_MAX_FILE_BYTES + 1, 'a'));
      expect(big.status).toBe(413);
      expect(big.body.message).toBe('The file is too large: the limit is 20 MiB');
      const noFile = await postMultipart(
        ctx.app,
        `/api/v1/knowledge-bases/${base.id}/sources/upload`,
        [{ kind: 'field', name: 'note', value: 'no file here' }],
        { token: A.token },
      );
      expect(noFile.status).toBe(400);
      expect(await countOf('knowledge_sources', base.id)).toBe(0);
      // Exactly at the limit is accepted.
      const atLimit = await upload(
        A.token,
        base.id,
        'limit.txt',
        Buffer.alloc(KNOWLEDGE_MAX_FILE_BYTES, 'b'),
      );
      expect(atLimit.status).toBe(201);
      expect(atLimit.body.sizeBytes).toBe(KNOWLEDGE_MAX_FILE_BYTES);
      await api('DELETE', `/knowledge-bases/${base.id}/sources/${atLimit.body.id}`, A.token);
    });

    it('writes progress to the source while a large text is processed', async () => {
      const base = await createBase(A.token, 'Large');
      const paragraphs = Array.from(
        // Just under the contract's 400,000-character limit for pasted text.
        { length: 2000 },
        (_, i) =>
          `Section ${i}. The maintenance schedule for machine ${i} asks for a filter change every ${i % 12} weeks ` +
          `and a full inspection by a certified technician once a year, logged in the service book.`,
      );
      const source = await addText(A.token, base.id, 'Maintenance handbook', paragraphs.join('\n\n'));
      const seen: { status: string; progress: number }[] = [];
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = (await api('GET', `/knowledge-bases/${base.id}/sources/${source.id}`, A.token))
          .body as TKnowledgeSource;
        seen.push({ status: s.status, progress: s.progress });
        if (s.status === 'ready' || s.status === 'failed') break;
        if (Date.now() > deadline) throw new Error('large text not indexed within 60 s');
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(seen.at(-1)).toEqual({ status: 'ready', progress: 100 });
      const during = seen.filter((s) => s.status === 'processing');
      expect(during.some((s) => s.progress > 0 && s.progress < 100)).toBe(true);
      // Progress only moves forward.
      const values = seen.map((s) => s.progress).filter((_, i) => seen[i]!.status !== 'pending');
      for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]!);
      const chunks = await chunkRows(source.id);
      expect(chunks.length).toBeGreaterThan(300);
      expect(chunks.every((c) => c.text.length > 0 && c.text.length <= 1000)).toBe(true);
      const hits = await search(A.token, base.id, 'machine 1718 filter change');
      expect(hits[0]!.text).toContain('machine 1718 ');
    });

    it('re-indexes a source to the same content and count, without duplicates, even when jobs repeat', async () => {
      const base = await createBase(A.token, 'Reindex');
      const long = Array.from(
        { length: 40 },
        (_, i) =>
          `Rule ${i}: locker ${i} at the depot opens with code ${1000 + i * 37}; it holds parcels for ` +
          `${i % 7} days before they return to the sender. ${i % 2 ? SHIPPING : LOYALTY}`,
      ).join('\n\n');
      const source = await addText(A.token, base.id, 'Rules', long);
      const first = await ready(A.token, base.id, source.id);
      const before = await chunkRows(source.id);
      expect(before.length).toBe(first.chunkCount);
      const question = 'which code opens locker 17';
      const hitsBefore = await search(A.token, base.id, question);
      expect(hitsBefore[0]!.text).toContain('locker 17 at the depot opens with code 1629');

      const again = await api('POST', `/knowledge-bases/${base.id}/sources/${source.id}/reindex`, A.token);
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({ status: 'pending', progress: 0 });
      const second = await ready(A.token, base.id, source.id);
      expect(second.chunkCount).toBe(first.chunkCount);
      const after = await chunkRows(source.id);
      expect(after.map((c) => c.text)).toEqual(before.map((c) => c.text));
      // New rows replaced the old ones.
      expect(after.map((c) => c.id).some((id) => before.some((b) => b.id === id))).toBe(false);
      const hitsAfter = await search(A.token, base.id, question);
      // Same answer; the vector rank may move by one among near-equal neighbours (the index is approximate).
      expect(hitsAfter[0]).toMatchObject({ text: hitsBefore[0]!.text, textRank: 1 });

      // A duplicated and a retried job of the same source, run at once: still one set of chunks.
      const processor = worker.app.get(KnowledgeIngestProcessor);
      const job = (attemptsMade: number) =>
        ({
          data: { tenantId: A.tenant.id, sourceId: source.id },
          attemptsMade,
          opts: { attempts: 3 },
        }) as unknown as Job<KnowledgeIngestJobData>;
      await Promise.all([processor.process(job(0)), processor.process(job(0)), processor.process(job(1))]);
      const rows = await chunkRows(source.id);
      expect(rows.length).toBe(first.chunkCount);
      expect(new Set(rows.map((r) => r.seq)).size).toBe(rows.length);
      expect((await ready(A.token, base.id, source.id)).chunkCount).toBe(first.chunkCount);

      // The whole base at once.
      const all = await api('POST', `/knowledge-bases/${base.id}/reindex`, A.token);
      expect(all.status).toBe(202);
      expect(all.body.id).toBe(base.id);
      expect((await ready(A.token, base.id, source.id)).chunkCount).toBe(first.chunkCount);
      expect(await countOf('knowledge_chunks', base.id)).toBe(first.chunkCount);
    });
  });

  describe('retrieval', () => {
    let base: TKnowledgeBase;
    const sources: Record<string, TKnowledgeSource> = {};

    beforeAll(async () => {
      base = await createBase(A.token, 'Help center');
      for (const [name, text] of [
        ['Refunds', REFUNDS],
        ['Shipping', SHIPPING],
        ['Loyalty', LOYALTY],
      ] as const) {
        sources[name] = await addText(A.token, base.id, name, text);
      }
      for (const s of Object.values(sources)) await ready(A.token, base.id, s.id);
    });

    it('ranks the chunk holding the question’s words first, with both ranks and the source', async () => {
      const hits = await search(A.token, base.id, 'free shipping Portugal');
      expect(hits[0]).toMatchObject({
        sourceId: sources.Shipping!.id,
        sourceName: 'Shipping',
        text: SHIPPING,
        textRank: 1,
        vectorRank: 1,
      });
      expect(hits[0]!.score).toBeCloseTo(2 / 61, 6);
      // Scores fall with rank.
      for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
      // Agents read too.
      expect((await search(agentA, base.id, 'free shipping Portugal'))[0]!.sourceId).toBe(
        sources.Shipping!.id,
      );
    });

    it('finds a paraphrase through the vector side when full text finds nothing', async () => {
      const hits = await search(
        A.token,
        base.id,
        'How many days until the money for my refund is on my card?',
      );
      expect(hits[0]).toMatchObject({ sourceId: sources.Refunds!.id, textRank: null, vectorRank: 1 });
    });

    it('searches several bases at once through the exported retrieval service', async () => {
      const other = await createBase(A.token, 'Second base');
      const extra = await addText(
        A.token,
        other.id,
        'Gift cards',
        'Gift cards never expire and work online.',
      );
      await ready(A.token, other.id, extra.id);
      const { KnowledgeRetrievalService } =
        await import('../../src/modules/knowledge/knowledge-retrieval.service.js');
      // The worker's instance: chat agents call it there.
      const retrieval = worker.app.get(KnowledgeRetrievalService);
      const gift = await retrieval.retrieve(A.tenant.id, [base.id, other.id], 'do gift cards expire', 3);
      expect(gift[0]).toMatchObject({ sourceId: extra.id, sourceName: 'Gift cards' });
      const refund = await retrieval.retrieve(
        A.tenant.id,
        [base.id, other.id],
        'refund card business days',
        3,
      );
      expect(refund[0]!.sourceId).toBe(sources.Refunds!.id);
      // Another tenant's bases give nothing, whatever ids it names.
      expect(await retrieval.retrieve(B.tenant.id, [base.id, other.id], 'gift cards', 3)).toEqual([]);
      expect(await retrieval.retrieve(A.tenant.id, [], 'gift cards', 3)).toEqual([]);
    });

    it('builds and grows an index in a worker thread, with the same answers', async () => {
      const indexes = ctx.app.get(KnowledgeVectorIndexes);
      const before = { ...indexes.grown };
      // Every add goes to a worker, as a base of more than a few hundred chunks does.
      indexes.workerMinVectors = 0;
      try {
        const threads = await createBase(A.token, 'Built in a worker');
        const shipping = await addText(A.token, threads.id, 'Shipping', SHIPPING);
        await ready(A.token, threads.id, shipping.id);
        expect((await search(A.token, threads.id, 'free shipping Portugal'))[0]).toMatchObject({
          sourceId: shipping.id,
          vectorRank: 1,
        });
        expect(indexes.grown.worker).toBe(before.worker + 1);
        expect(indexes.sizeOf(threads.id)).toBe(1);

        // A new source: the worker starts from a copy of the index built above and adds the new vector.
        const refunds = await addText(A.token, threads.id, 'Refunds', REFUNDS);
        await ready(A.token, threads.id, refunds.id);
        const paraphrase = 'How many days until the money for my refund is on my card?';
        expect((await search(A.token, threads.id, paraphrase))[0]).toMatchObject({
          sourceId: refunds.id,
          textRank: null,
          vectorRank: 1,
        });
        expect(indexes.grown.worker).toBe(before.worker + 2);
        expect(indexes.sizeOf(threads.id)).toBe(2);
        expect(indexes.grown.mainThread).toBe(before.mainThread);
      } finally {
        indexes.workerMinVectors = 256;
      }
    });

    it('deletes a source with its chunks; search and the vector index follow', async () => {
      const local = await createBase(A.token, 'Deletions');
      const keep = await addText(A.token, local.id, 'Keep', SHIPPING);
      const drop = await addText(A.token, local.id, 'Drop', REFUNDS);
      await ready(A.token, local.id, keep.id);
      await ready(A.token, local.id, drop.id);
      const paraphrase = 'How many days until the money for my refund is on my card?';
      expect((await search(A.token, local.id, paraphrase))[0]!.sourceId).toBe(drop.id);
      const indexes = ctx.app.get(KnowledgeVectorIndexes);
      expect(indexes.sizeOf(local.id)).toBe(2);

      const res = await api('DELETE', `/knowledge-bases/${local.id}/sources/${drop.id}`, A.token);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(drop.id);
      expect(await chunkRows(drop.id)).toEqual([]);
      expect((await api('GET', `/knowledge-bases/${local.id}/sources/${drop.id}`, A.token)).status).toBe(404);
      const hits = await search(A.token, local.id, paraphrase);
      expect(hits.map((h) => h.sourceId)).not.toContain(drop.id);
      expect(hits.map((h) => h.sourceId)).toEqual([keep.id]);
      expect(indexes.sizeOf(local.id)).toBe(1);
      expect((await api('GET', `/knowledge-bases/${local.id}`, A.token)).body).toMatchObject({
        sourceCount: 1,
        chunkCount: 1,
      });
    });

    it('deletes a base with its two sources, their chunks and stored content', async () => {
      const doomed = await createBase(A.token, 'Doomed');
      const one = await addText(A.token, doomed.id, 'One', LOYALTY);
      const two = await upload(A.token, doomed.id, 'returns.docx', await fixture('returns.docx'));
      await ready(A.token, doomed.id, one.id);
      await ready(A.token, doomed.id, two.body.id);
      await search(A.token, doomed.id, 'voucher points');
      const indexes = ctx.app.get(KnowledgeVectorIndexes);
      expect(indexes.sizeOf(doomed.id)).toBeGreaterThan(1);
      const keys = (
        await ctx.database.unsafe.execute<{ storage_key: string }>(
          sql`select storage_key from knowledge_sources where knowledge_base_id = ${doomed.id}`,
        )
      ).rows.map((r) => r.storage_key);
      expect(keys).toHaveLength(2);

      const res = await api('DELETE', `/knowledge-bases/${doomed.id}`, A.token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: doomed.id, sourceCount: 2 });
      expect(await countOf('knowledge_sources', doomed.id)).toBe(0);
      expect(await countOf('knowledge_chunks', doomed.id)).toBe(0);
      expect(indexes.sizeOf(doomed.id)).toBeUndefined();
      const storage = ctx.app.get(StorageDriver);
      for (const key of keys) expect(await storage.exists(key)).toBe(false);
      expect((await api('GET', `/knowledge-bases/${doomed.id}`, A.token)).status).toBe(404);
      expect(
        (await api('POST', `/knowledge-bases/${doomed.id}/search`, A.token, { query: 'x' })).status,
      ).toBe(404);
    });
  });

  it("answers 404 for another tenant's base and source, and changes nothing", async () => {
    const base = await createBase(A.token, 'Private');
    const source = await addText(A.token, base.id, 'Secret', LOYALTY);
    await ready(A.token, base.id, source.id);
    const snapshot = async () => ({
      base: (await api('GET', `/knowledge-bases/${base.id}`, A.token)).body,
      source: (await api('GET', `/knowledge-bases/${base.id}/sources/${source.id}`, A.token)).body,
      chunks: (await chunkRows(source.id)).map((c) => c.id),
    });
    const before = await snapshot();
    const b = `/knowledge-bases/${base.id}`;
    const s = `${b}/sources/${source.id}`;
    const attempts: [Parameters<typeof api>[0], string, unknown?][] = [
      ['GET', b],
      ['PATCH', b, { name: 'Stolen' }],
      ['DELETE', b],
      ['POST', `${b}/reindex`],
      ['POST', `${b}/search`, { query: 'voucher' }],
      ['GET', `${b}/sources`],
      ['POST', `${b}/sources`, { type: 'TEXT', name: 'Planted', text: 'planted text' }],
      ['GET', s],
      ['POST', `${s}/reindex`],
      ['DELETE', s],
    ];
    for (const [method, url, body] of attempts) {
      const res = await api(method, url, B.token, body);
      expect(res.status, `${method} ${url}`).toBe(404);
    }
    const up = await upload(B.token, base.id, 'x.txt', Buffer.from('planted'));
    expect(up.status).toBe(404);
    // A's source id under B's own base is not found either.
    const own = await createBase(B.token, 'Mine');
    expect((await api('GET', `/knowledge-bases/${own.id}/sources/${source.id}`, B.token)).status).toBe(404);
    expect(
      (await api('GET', '/knowledge-bases', B.token)).body.items.map((x: TKnowledgeBase) => x.id),
    ).not.toContain(base.id);
    expect(await snapshot()).toEqual(before);
  });
});
