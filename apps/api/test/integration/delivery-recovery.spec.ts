import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullPrefix, createBullConnection } from '../../src/common/queue/bullmq-connection.js';
import { SWEEP_JOB } from '../../src/common/queue/periodic-sweep.js';
import { OutboundQueue } from '../../src/common/queue/queue.module.js';
import { WebhooksQueue } from '../../src/common/queue/webhooks.queue.js';
import { messages, webhookDeliveries } from '../../src/db/schema/index.js';
import {
  OUTBOUND_RECOVERY_QUEUE,
  OutboundRecoveryWorker,
} from '../../src/modules/messages/outbound-recovery.worker.js';
import {
  WEBHOOKS_RECOVERY_QUEUE,
  WebhookRecoveryWorker,
} from '../../src/modules/webhooks-out/webhook-recovery.worker.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { makeTenantWithUser } from '../support/factories.js';
import { inbound, makeApiInbox, startCallbackServer, textFrom } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/** Stored this long ago, a row is past the sweeps' one-minute grace. */
const TWO_MINUTES_AGO = () => new Date(Date.now() - 120_000);

/** A loopback webhook receiver that answers 200 and records the delivery id of each request. */
async function startReceiver() {
  const deliveries: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      deliveries.push(String(req.headers['orbitdesk-delivery']));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('recovery of jobs lost between commit and enqueue', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let tenantId: string;
  let userId: string;
  let inboxId: string;
  let conversationId: string;
  let endpointId: string;
  let lostAtStart: { message: string; delivery: string };

  /** A message as POST /messages stores it, as if the API crashed before enqueueing it. */
  const storeQueued = async (overrides: Partial<typeof messages.$inferInsert> = {}) => {
    const [row] = await ctx.database.unsafe
      .insert(messages)
      .values({
        tenantId,
        conversationId,
        channelId: inboxId,
        direction: 'out',
        type: 'text',
        content: { text: `reply ${randomUUID()}` },
        status: 'queued',
        senderType: 'user',
        senderId: userId,
        createdAt: TWO_MINUTES_AGO(),
        ...overrides,
      })
      .returning();
    return row!.id;
  };
  /** A delivery as the events listener stores it, as if the process died before enqueueing it. */
  const storePending = async (overrides: Partial<typeof webhookDeliveries.$inferInsert> = {}) => {
    const eventId = randomUUID();
    const [row] = await ctx.database.unsafe
      .insert(webhookDeliveries)
      .values({
        tenantId,
        endpointId,
        eventType: 'contact.updated',
        eventId,
        payload: { id: eventId, type: 'contact.updated', tenantId, data: {} },
        createdAt: TWO_MINUTES_AGO(),
        ...overrides,
      })
      .returning();
    return row!.id;
  };
  const messageStatus = async (id: string) =>
    (await ctx.database.unsafe.select().from(messages).where(eq(messages.id, id)))[0]?.status;
  const deliveryStatus = async (id: string) =>
    (await ctx.database.unsafe.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)))[0]
      ?.status;
  const callsFor = (messageId: string) =>
    callback.state.requests.filter((r) => r.json?.message?.id === messageId).length;
  const receivedFor = (deliveryId: string) => receiver.deliveries.filter((d) => d === deliveryId).length;

  beforeAll(async () => {
    // The loopback receivers need private networks allowed.
    ctx = await startTestApp({ env: { OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' } });
    callback = await startCallbackServer();
    receiver = await startReceiver();
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    tenantId = admin.tenant.id;
    userId = admin.user.id;
    const inbox = await makeApiInbox(ctx.app, admin.token, { callbackUrl: callback.url });
    callback.state.secret = inbox.secret;
    inboxId = inbox.id;
    const res = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('stuck-1', 'hello?'));
    expect(res.status).toBe(200);
    conversationId = res.body.conversationId as string;
    const endpoint = await http(ctx.app, 'POST', '/api/v1/outgoing-webhooks/endpoints', {
      token: admin.token,
      body: { url: receiver.url, events: ['contact.updated'] },
    });
    expect(endpoint.status).toBe(201);
    endpointId = endpoint.body.id as string;

    // Lost before any worker ran: the worker's start-up sweep must pick these up.
    lostAtStart = { message: await storeQueued(), delivery: await storePending() };
    worker = await startWorker(ctx.config);
  });
  afterAll(async () => {
    await worker?.close();
    await callback?.close();
    await receiver?.close();
    await ctx?.close();
  });

  describe('outbound messages', () => {
    it('a worker starting up sends a message left queued without a job', async () => {
      await expect.poll(() => messageStatus(lostAtStart.message), { timeout: 10_000 }).toBe('sent');
      expect(callsFor(lostAtStart.message)).toBe(1);
    });

    it('the sweep re-queues an old queued message with no job, once; not notes, not fresh ones', async () => {
      const lost = await storeQueued();
      const note = await storeQueued({ isPrivate: true });
      const fresh = await storeQueued({ createdAt: new Date() });
      const sweeper = worker.app.get(OutboundRecoveryWorker);

      expect(await sweeper.sweep()).toBe(1);
      await expect.poll(() => messageStatus(lost), { timeout: 10_000 }).toBe('sent');
      expect(await sweeper.sweep()).toBe(0);
      expect(callsFor(lost)).toBe(1);
      expect(await messageStatus(note)).toBe('queued');
      expect(await messageStatus(fresh)).toBe('queued');
      expect(callsFor(note) + callsFor(fresh)).toBe(0);
      await ctx.database.unsafe.delete(messages).where(sql`${messages.id} in (${note}, ${fresh})`);
    });

    it('a message whose job exists is not queued again: the callback receives it once', async () => {
      const queued = await storeQueued();
      await ctx.app.get(OutboundQueue).enqueue({ tenantId, messageId: queued });
      expect(await worker.app.get(OutboundRecoveryWorker).sweep()).toBe(0);
      await expect.poll(() => messageStatus(queued), { timeout: 10_000 }).toBe('sent');
      expect(await worker.app.get(OutboundRecoveryWorker).sweep()).toBe(0);
      // Give a duplicate job, had there been one, time to reach the callback.
      await new Promise((r) => setTimeout(r, 300));
      expect(callsFor(queued)).toBe(1);
    });

    it('a completed job whose status write was lost is left alone, not sent twice', async () => {
      const queued = await storeQueued();
      await ctx.app.get(OutboundQueue).enqueue({ tenantId, messageId: queued });
      await expect.poll(() => messageStatus(queued), { timeout: 10_000 }).toBe('sent');
      await ctx.database.unsafe.update(messages).set({ status: 'queued' }).where(eq(messages.id, queued));

      expect(await worker.app.get(OutboundRecoveryWorker).sweep()).toBe(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(callsFor(queued)).toBe(1);
      expect(await messageStatus(queued)).toBe('queued');
      await ctx.database.unsafe.delete(messages).where(eq(messages.id, queued));
    });
  });

  describe('webhook deliveries', () => {
    it('a worker starting up sends a delivery left pending without a job', async () => {
      await expect.poll(() => deliveryStatus(lostAtStart.delivery), { timeout: 10_000 }).toBe('succeeded');
      expect(receivedFor(lostAtStart.delivery)).toBe(1);
    });

    it('the sweep re-queues an old unattempted pending delivery with no job, once; not fresh ones', async () => {
      const lost = await storePending();
      const fresh = await storePending({ createdAt: new Date() });
      const sweeper = worker.app.get(WebhookRecoveryWorker);

      expect(await sweeper.sweep()).toBe(1);
      await expect.poll(() => deliveryStatus(lost), { timeout: 10_000 }).toBe('succeeded');
      expect(await sweeper.sweep()).toBe(0);
      expect(receivedFor(lost)).toBe(1);
      expect(await deliveryStatus(fresh)).toBe('pending');
      expect(receivedFor(fresh)).toBe(0);
      await ctx.database.unsafe.delete(webhookDeliveries).where(eq(webhookDeliveries.id, fresh));
    });

    it('a delivery whose job exists is not queued again: the receiver gets it once', async () => {
      const pending = await storePending();
      await ctx.app.get(WebhooksQueue).enqueue({ tenantId, deliveryId: pending });
      expect(await worker.app.get(WebhookRecoveryWorker).sweep()).toBe(0);
      await expect.poll(() => deliveryStatus(pending), { timeout: 10_000 }).toBe('succeeded');
      await new Promise((r) => setTimeout(r, 300));
      expect(receivedFor(pending)).toBe(1);
    });
  });

  it('both sweeps run on BullMQ job schedulers, every minute', async () => {
    const connection = createBullConnection(ctx.config, 'producer');
    try {
      for (const name of [OUTBOUND_RECOVERY_QUEUE, WEBHOOKS_RECOVERY_QUEUE]) {
        const queue = new Queue(name, { connection, prefix: bullPrefix(ctx.config) });
        const schedulers = await queue.getJobSchedulers();
        expect(schedulers).toEqual([expect.objectContaining({ key: SWEEP_JOB, every: 60_000 })]);
        await queue.close();
      }
    } finally {
      connection.disconnect();
    }
  });
});
