import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { bullPrefix } from '../../src/common/queue/bullmq-connection.js';
import {
  CONVERSATION_WAKE_QUEUE,
  SWEEP_JOB,
  wakeJobId,
} from '../../src/modules/conversations/conversation-wake.queue.js';
import {
  ConversationWakeWorker,
  SWEEP_EVERY_MS,
} from '../../src/modules/conversations/conversation-wake.worker.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { makeTenantWithUser, makeConversation } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

describe('snoozing', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let queue: Queue;
  let queueConnection: Redis;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let inbox: Awaited<ReturnType<typeof makeApiInbox>>;
  let seq = 0;
  /** Overdue snoozed conversations written straight to the database before the worker started. */
  const overdueBeforeStart: string[] = [];

  const arrive = async (identifier = `snoozer-${++seq}`) => {
    const res = await inbound(ctx.app, inbox.id, inbox.secret, textFrom(identifier, 'hello'));
    expect(res.status).toBe(200);
    return res.body.conversationId as string;
  };
  const patch = (id: string, body: Record<string, unknown>, token = A.token) =>
    http(ctx.app, 'PATCH', `/api/v1/conversations/${id}`, { token, body });
  const row = async (id: string) =>
    (
      await ctx.database.unsafe.execute<{ status: string; snoozed_until: Date | null }>(
        sql`select status, snoozed_until from conversations where id = ${id}`,
      )
    ).rows[0]!;
  const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString();

  /** A conversation already snoozed past its time, with no job: what a lost Redis job leaves behind. */
  async function overdueSnoozed(tenantId: string): Promise<string> {
    const row = await makeConversation(ctx.database, tenantId, {
      contactName: 'Sleeper',
      status: 'snoozed',
      snoozedUntil: new Date(Date.now() - 60_000),
    });
    return row.id;
  }

  function updatesOf(events: DomainEvents) {
    const seen: DomainEventMap['conversation.updated'][] = [];
    const off = events.on('conversation.updated', (e) => void seen.push(e));
    return { seen, off };
  }

  beforeAll(async () => {
    ctx = await startTestApp();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    inbox = await makeApiInbox(ctx.app, A.token);
    overdueBeforeStart.push(await overdueSnoozed(A.tenant.id), await overdueSnoozed(B.tenant.id));
    worker = await startWorker(ctx.config);
    queueConnection = new Redis(ctx.config.REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(CONVERSATION_WAKE_QUEUE, {
      connection: queueConnection,
      prefix: bullPrefix(ctx.config),
    });
  });
  afterAll(async () => {
    await queue?.close();
    queueConnection?.disconnect();
    await worker?.close();
    await ctx?.close();
  });

  it('validates: snoozed needs a future snoozedUntil, and snoozedUntil needs snoozed', async () => {
    const id = await arrive();
    for (const body of [
      { status: 'snoozed' },
      { status: 'snoozed', snoozedUntil: new Date(Date.now() - 1000).toISOString() },
      { status: 'snoozed', snoozedUntil: 'tomorrow' },
      { status: 'open', snoozedUntil: inSeconds(3600) },
      { snoozedUntil: inSeconds(3600) },
    ]) {
      const res = await patch(id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toContain('body.snoozedUntil');
    }
    expect(await row(id)).toMatchObject({ status: 'open', snoozed_until: null });
  });

  it('any other status clears snoozedUntil', async () => {
    const id = await arrive();
    const until = inSeconds(3600);
    const snoozed = await patch(id, { status: 'snoozed', snoozedUntil: until });
    expect(snoozed.status).toBe(200);
    expect(snoozed.body).toMatchObject({ status: 'snoozed', snoozedUntil: new Date(until).toISOString() });
    const pending = await patch(id, { status: 'pending' });
    expect(pending.body).toMatchObject({ status: 'pending', snoozedUntil: null });
    expect(await row(id)).toMatchObject({ status: 'pending', snoozed_until: null });
  });

  it('the delayed job opens the conversation at its time and publishes conversation.updated', async () => {
    const id = await arrive();
    const { seen, off } = updatesOf(worker.app.get(DomainEvents));
    const until = inSeconds(1);
    expect((await patch(id, { status: 'snoozed', snoozedUntil: until })).status).toBe(200);
    expect(await queue.getJob(wakeJobId(id, new Date(until)))).toBeDefined();
    expect((await row(id)).status).toBe('snoozed');

    await expect.poll(() => seen.find((e) => e.conversation.id === id), { timeout: 5_000 }).toBeDefined();
    off();
    const event = seen.find((e) => e.conversation.id === id)!;
    expect(event.tenantId).toBe(A.tenant.id);
    expect(event.changes).toEqual(['status', 'snoozedUntil']);
    expect(event.conversation).toMatchObject({ status: 'open', snoozedUntil: null });
    expect(await row(id)).toMatchObject({ status: 'open', snoozed_until: null });
  });

  it('re-snoozing supersedes the earlier job: it finds the conversation not due and does nothing', async () => {
    const id = await arrive();
    const first = inSeconds(1);
    const second = inSeconds(3);
    expect((await patch(id, { status: 'snoozed', snoozedUntil: first })).status).toBe(200);
    const resnoozed = await patch(id, { status: 'snoozed', snoozedUntil: second });
    expect(resnoozed.status).toBe(200);
    expect(resnoozed.body.snoozedUntil).toBe(new Date(second).toISOString());
    // Two jobs, one per wake-up time.
    expect(await queue.getJob(wakeJobId(id, new Date(first)))).toBeDefined();
    expect(await queue.getJob(wakeJobId(id, new Date(second)))).toBeDefined();

    // The first job has run (completed jobs are removed) and left the conversation asleep.
    await expect.poll(() => queue.getJob(wakeJobId(id, new Date(first))), { timeout: 5_000 }).toBeUndefined();
    expect((await row(id)).status).toBe('snoozed');
    await expect.poll(async () => (await row(id)).status, { timeout: 6_000, interval: 100 }).toBe('open');
  });

  it('the sweep opens overdue snoozes whose job was lost: at worker start, and on schedule', async () => {
    // Written before the worker started, in two workspaces, without jobs.
    for (const id of overdueBeforeStart)
      expect(await row(id)).toMatchObject({ status: 'open', snoozed_until: null });

    // A snooze whose job Redis lost: the job is removed, and its time passes.
    const id = await arrive();
    const until = inSeconds(3600);
    await patch(id, { status: 'snoozed', snoozedUntil: until });
    expect(await queue.remove(wakeJobId(id, new Date(until)))).toBe(1);
    await ctx.database.unsafe.execute(
      sql`update conversations set snoozed_until = now() - interval '1 second' where id = ${id}`,
    );
    const otherTenant = await overdueSnoozed(B.tenant.id);
    const notDue = await arrive();
    await patch(notDue, { status: 'snoozed', snoozedUntil: inSeconds(3600) });

    const { seen, off } = updatesOf(worker.app.get(DomainEvents));
    expect(await worker.app.get(ConversationWakeWorker).sweep()).toBe(2);
    await expect.poll(() => seen.length).toBe(2);
    off();
    expect(seen.map((e) => [e.conversation.id, e.tenantId]).sort()).toEqual(
      [
        [id, A.tenant.id],
        [otherTenant, B.tenant.id],
      ].sort(),
    );
    expect(await row(id)).toMatchObject({ status: 'open', snoozed_until: null });
    expect((await row(notDue)).status).toBe('snoozed');
    // Nothing left to do: a second sweep opens nothing.
    expect(await worker.app.get(ConversationWakeWorker).sweep()).toBe(0);

    // The sweep is a BullMQ job scheduler, so it runs on one worker every minute however many there are.
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toEqual([expect.objectContaining({ key: SWEEP_JOB, every: SWEEP_EVERY_MS })]);
  });

  it('a message from the contact opens a snoozed conversation', async () => {
    const id = await arrive('wakes-by-writing');
    await patch(id, { status: 'snoozed', snoozedUntil: inSeconds(3600) });
    const { seen, off } = updatesOf(ctx.app.get(DomainEvents));
    expect(await arrive('wakes-by-writing')).toBe(id);
    expect(await row(id)).toMatchObject({ status: 'open', snoozed_until: null });
    await expect.poll(() => seen.find((e) => e.conversation.id === id)?.changes).toEqual(['status']);
    off();
  });

  it('another workspace cannot snooze a conversation: 404 and no job', async () => {
    const id = await arrive();
    const until = inSeconds(3600);
    const res = await patch(id, { status: 'snoozed', snoozedUntil: until }, B.token);
    expect(res.status).toBe(404);
    expect(await row(id)).toMatchObject({ status: 'open', snoozed_until: null });
    expect(await queue.getJob(wakeJobId(id, new Date(until)))).toBeUndefined();
  });
});
