import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { TKnowledgeSource } from '@orbitdesk/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnowledgeIngestQueue, type KnowledgeIngestJobData } from '../../src/common/queue/knowledge.queue.js';
import {
  KnowledgeRecoveryWorker,
  UNFINISHED_AFTER_MS,
} from '../../src/modules/knowledge/knowledge-recovery.worker.js';
import { KnowledgeRepository } from '../../src/modules/knowledge/knowledge.repository.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { startAiService, type RunningAiService } from '../support/ai-service.js';
import { makeTenantWithUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/** A knowledge source whose ingest job never ran (lost from Redis, or never queued) is queued again by the sweep. */
describe('knowledge recovery sweep', () => {
  let ai: RunningAiService;
  let ctx: TestContext;
  let worker: RunningWorker | undefined;
  let storageDir: string;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let baseId: string;
  let ingest: KnowledgeIngestQueue;
  let sweeper: KnowledgeRecoveryWorker;

  const api = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    http(ctx.app, method, `/api/v1${url}`, { token: A.token, body });
  const addText = async (name: string, text: string) => {
    const res = await api('POST', `/knowledge-bases/${baseId}/sources`, { type: 'TEXT', name, text });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as TKnowledgeSource;
  };
  /** The producer's BullMQ queue (protected in the class; the test lists and removes jobs through it). */
  const rawQueue = () => (ingest as unknown as { queue: Queue<KnowledgeIngestJobData> }).queue;
  const jobsOf = async (sourceId: string) =>
    (await rawQueue().getJobs(['waiting', 'delayed', 'active', 'prioritized'])).filter(
      (job) => job?.data.sourceId === sourceId,
    );
  /** The row as if nothing had happened to it for 20 minutes. */
  const age = (sourceId: string) =>
    ctx.database.unsafe.execute(
      sql`update knowledge_sources set updated_at = now() - interval '20 minutes' where id = ${sourceId}`,
    );
  const sourceRow = async (id: string) =>
    (
      await ctx.database.unsafe.execute<{ status: string; updated_at: string }>(
        sql`select status, updated_at from knowledge_sources where id = ${id}`,
      )
    ).rows[0]!;

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'orbitdesk-knowledge-recovery-'));
    ai = await startAiService();
    // No worker yet: the jobs the API queues wait in Redis.
    ctx = await startTestApp({ env: { AI_SERVICE_URL: ai.url, STORAGE_LOCAL_DIR: storageDir } });
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const base = await api('POST', '/knowledge-bases', { name: 'Help centre' });
    expect(base.status).toBe(201);
    baseId = base.body.id as string;
    ingest = ctx.app.get(KnowledgeIngestQueue, { strict: false });
    sweeper = new KnowledgeRecoveryWorker(
      ctx.config,
      ctx.database,
      ctx.app.get(KnowledgeRepository, { strict: false }),
      ingest,
    );
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    await ai?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it('queues a new job for a source left unfinished without one, once, and leaves sources with a job alone', async () => {
    expect(UNFINISHED_AFTER_MS).toBe(15 * 60_000);
    const lost = await addText(
      'Returns',
      'Returns are accepted within 30 days of delivery, in the original box.',
    );
    const waiting = await addText('Hours', 'The support desk answers from 9:00 to 18:00, Monday to Friday.');
    const recent = await addText('Fresh', 'A source added a moment ago, whose job went missing just now.');
    // Redis lost two jobs; one source has had no change for 20 minutes, the other was added just now.
    for (const source of [lost, recent]) for (const job of await jobsOf(source.id)) await job.remove();
    expect(await jobsOf(lost.id)).toHaveLength(0);
    await age(lost.id);
    await age(waiting.id);
    const agedAt = new Date((await sourceRow(lost.id)).updated_at).getTime();

    expect(await sweeper.sweep()).toBe(1);
    const requeued = await jobsOf(lost.id);
    expect(requeued.map((job) => job.data)).toEqual([{ tenantId: A.tenant.id, sourceId: lost.id }]);
    // Marked changed, so the next passes wait for that job instead of queueing another.
    expect(new Date((await sourceRow(lost.id)).updated_at).getTime()).toBeGreaterThan(agedAt + 60_000);
    expect(await jobsOf(waiting.id)).toHaveLength(1);
    expect(await jobsOf(recent.id)).toHaveLength(0);

    // Even when the row looks old again, the job that is now waiting keeps it from a second one.
    await age(lost.id);
    expect(await sweeper.sweep()).toBe(0);
    expect(await jobsOf(lost.id)).toHaveLength(1);

    // The worker runs the re-queued job like any other: the source is indexed.
    worker = await startWorker(ctx.config);
    await expect
      .poll(async () => (await sourceRow(lost.id)).status, { timeout: 30_000, interval: 100 })
      .toBe('ready');
    await expect
      .poll(async () => (await sourceRow(waiting.id)).status, { timeout: 30_000, interval: 100 })
      .toBe('ready');
  });

  it('leaves finished sources alone however old they are', async () => {
    const done = await addText('Done', 'Gift cards never expire and can be used online and in shops.');
    await expect
      .poll(async () => (await sourceRow(done.id)).status, { timeout: 30_000, interval: 100 })
      .toBe('ready');
    await age(done.id);
    expect(await sweeper.sweep()).toBe(0);
    expect(await jobsOf(done.id)).toHaveLength(0);
  });
});
