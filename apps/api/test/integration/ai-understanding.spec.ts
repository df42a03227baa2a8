import type { TMessage } from '@orbitdesk/shared';
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { AI_UNDERSTANDING_QUEUE } from '../../src/common/queue/ai-understanding.queue.js';
import { bullPrefix } from '../../src/common/queue/bullmq-connection.js';
import { UNDERSTANDING_GATHER_MS } from '../../src/modules/ai-understanding/ai-understanding.listener.js';
import { MessageUnderstandingService } from '../../src/modules/ai-understanding/message-understanding.service.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { startAiService, type RunningAiService } from '../support/ai-service.js';
import { eventually } from '../support/eventually.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { connectAgent, eventsDuring, listen, nextEvent } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

type UnderstandingRow = {
  intent: string | null;
  intent_confidence: number | null;
  sentiment: number | null;
  language: string | null;
  understanding_model: string | null;
  content: Record<string, unknown>;
};

/** What a workspace needs to receive messages: an admin and an api inbox. */
async function workspace(ctx: TestContext) {
  const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  const inbox = await makeApiInbox(ctx.app, admin.token);
  const send = async (identifier: string, body: Parameters<typeof inbound>[3]['message']) => {
    const res = await inbound(ctx.app, inbox.id, inbox.secret, { contact: { identifier }, message: body });
    expect(res.status).toBe(200);
    return res.body as { messageId: string; conversationId: string };
  };
  const text = (identifier: string, words: string) => send(identifier, textFrom(identifier, words).message);
  return { ...admin, inbox, send, text };
}

const rowOf = async (ctx: TestContext, messageId: string) =>
  (
    await ctx.database.unsafe.execute<UnderstandingRow>(
      sql`select intent, intent_confidence, sentiment, language, understanding_model, content
          from messages where id = ${messageId}`,
    )
  ).rows[0]!;

describe('message understanding', () => {
  let ai: RunningAiService;
  let ctx: TestContext;
  let worker: RunningWorker;
  let base: string;
  let jobs: Queue;
  let queueConnection: Redis;
  const sockets: ClientSocket[] = [];

  /** Waits until the message is classified and returns its row. */
  const classified = (messageId: string) =>
    eventually(async () => {
      const row = await rowOf(ctx, messageId);
      expect(row.intent).not.toBeNull();
      return row;
    }, 15_000);

  beforeAll(async () => {
    ai = await startAiService();
    ctx = await startTestApp({ env: { AI_SERVICE_URL: ai.url } });
    base = await listen(ctx.app);
    worker = await startWorker(ctx.config);
    queueConnection = new Redis(ctx.config.REDIS_URL, { maxRetriesPerRequest: null });
    jobs = new Queue(AI_UNDERSTANDING_QUEUE, { connection: queueConnection, prefix: bullPrefix(ctx.config) });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await jobs?.close();
    queueConnection?.disconnect();
    await worker?.close();
    await ctx?.close();
    await ai?.close();
  });

  it('classifies an inbound message in the worker, stores it, shows it in the messages and tells the inbox live', async () => {
    const ws = await workspace(ctx);
    const agent = await makeUser(ctx.database, ws.tenant.id, { role: 'AGENT' });
    const socket = await connectAgent(base, (await login(ctx.app, agent.email)).token);
    sockets.push(socket);
    const other = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    const otherSocket = await connectAgent(base, other.token);
    sockets.push(otherSocket);
    const updated = nextEvent<{ message: TMessage }>(socket, 'message_updated', 15_000);
    const quietOther = eventsDuring(otherSocket, 3_000);

    const sent = await ws.text('ann', 'I was charged twice on my invoice, please refund me');
    const row = await classified(sent.messageId);
    expect(row).toMatchObject({
      intent: 'billing',
      language: 'en',
      understanding_model: 'local:orbitdesk-local-1',
    });
    expect(row.sentiment).toBeLessThan(0);
    expect(row.intent_confidence).toBeGreaterThan(0);
    expect(row.intent_confidence).toBeLessThanOrEqual(1);
    // The message itself is as it came in.
    expect(row.content).toEqual({ text: 'I was charged twice on my invoice, please refund me' });

    const event = await updated;
    expect(event.message).toMatchObject({
      id: sent.messageId,
      conversationId: sent.conversationId,
      direction: 'in',
      understanding: { intent: 'billing', language: 'en', model: 'local:orbitdesk-local-1' },
    });
    expect(await quietOther).toEqual([]);

    const page = await http(ctx.app, 'GET', `/api/v1/conversations/${sent.conversationId}/messages`, {
      token: ws.token,
    });
    expect(page.status).toBe(200);
    const listed = (page.body.items as TMessage[]).find((m) => m.id === sent.messageId)!;
    expect(listed.understanding).toEqual({
      intent: 'billing',
      confidence: row.intent_confidence,
      sentiment: row.sentiment,
      language: 'en',
      model: 'local:orbitdesk-local-1',
    });
  });

  it('tells languages apart and reads buying intent', async () => {
    const ws = await workspace(ctx);
    const spanish = await ws.text(
      'bea',
      'Quisiera comprar tres camisetas de la nueva colección, ¿me pueden decir el precio, por favor?',
    );
    const french = await ws.text(
      'chloe',
      "Bonjour, je voudrais savoir quand ma commande sera livrée s'il vous plaît",
    );
    expect(await classified(spanish.messageId)).toMatchObject({ intent: 'purchase', language: 'es' });
    expect((await classified(french.messageId)).language).toBe('fr');
  });

  it('reads the words of a media caption, and skips messages without words', async () => {
    const ws = await workspace(ctx);
    const caption = await ws.send('dan', {
      type: 'image',
      content: {
        url: 'https://cdn.example.test/receipt.png',
        caption: 'You charged my card twice, I want a refund',
      },
    });
    const sticker = await ws.send('dan', {
      type: 'sticker',
      content: { url: 'https://cdn.example.test/s.webp' },
    });
    const location = await ws.send('dan', { type: 'location', content: { latitude: 1.5, longitude: 2.5 } });
    expect((await classified(caption.messageId)).intent).toBe('billing');

    // Nothing is queued for a message without words, so nothing can ever classify it.
    for (const id of [sticker.messageId, location.messageId]) {
      expect(await jobs.getJob(id)).toBeUndefined();
      expect((await rowOf(ctx, id)).intent).toBeNull();
    }
  });

  it("leaves the workspace's own replies and private notes alone", async () => {
    const ws = await workspace(ctx);
    const first = await ws.text('eve', 'Hello there, I have a question about my order');
    await classified(first.messageId);
    const sendOut = (text: string, isPrivate: boolean) =>
      http(ctx.app, 'POST', '/api/v1/messages', {
        token: ws.token,
        body: { conversationId: first.conversationId, type: 'text', content: { text }, isPrivate },
      });
    const reply = await sendOut('Sorry you were charged twice, I will refund you now', false);
    const note = await sendOut('This customer is angry about a double charge, refund them', true);
    expect([reply.status, note.status]).toEqual([201, 201]);
    await new Promise((r) => setTimeout(r, 1_000));
    for (const id of [reply.body.id as string, note.body.id as string]) {
      expect(await jobs.getJob(id)).toBeUndefined();
      expect((await rowOf(ctx, id)).intent).toBeNull();
    }
  });

  it('classifies nothing in a workspace that switched understanding off, and resumes when it is back on', async () => {
    const ws = await workspace(ctx);
    const off = await http(ctx.app, 'PUT', '/api/v1/ai/settings', {
      token: ws.token,
      body: { provider: 'local', understandingEnabled: false },
    });
    expect(off.status).toBe(200);
    const ignored = await ws.text('finn', 'My invoice is wrong, you billed me twice');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await jobs.getJob(ignored.messageId)).toBeUndefined();
    expect((await rowOf(ctx, ignored.messageId)).intent).toBeNull();

    // The cached switch is dropped when the settings are saved, so the next message is classified at once.
    await http(ctx.app, 'PUT', '/api/v1/ai/settings', {
      token: ws.token,
      body: { provider: 'local', understandingEnabled: true },
    });
    const read = await ws.text('finn', 'My invoice is wrong, you billed me twice');
    expect((await classified(read.messageId)).intent).toBe('billing');
  });

  it('messages that arrive together go to the worker as one job per eight, and each is classified', async () => {
    const ws = await workspace(ctx);
    // Stored while understanding is off (no jobs), then announced together, as a group-committed batch is.
    await http(ctx.app, 'PUT', '/api/v1/ai/settings', {
      token: ws.token,
      body: { provider: 'local', understandingEnabled: false },
    });
    const words = [
      'I was charged twice, please refund me',
      'How much does the premium plan cost?',
      'Where is my order? It is late',
      'Thanks, your team was wonderful',
      'My invoice shows the wrong amount',
      'Do you ship to Canada?',
      'The app crashes when I log in',
      'Can I buy ten licenses at a discount?',
      'I want to cancel my subscription',
      'Is there a student price?',
    ];
    const sent = [];
    for (const [i, w] of words.entries()) sent.push(await ws.text(`batch-${i}`, w));
    // The listener reads the switch when its gathering window ends: let the last message's window end while it is
    // still off (switched on within it, that message would be queued and classified on its own).
    await new Promise((r) => setTimeout(r, UNDERSTANDING_GATHER_MS * 5));
    await http(ctx.app, 'PUT', '/api/v1/ai/settings', {
      token: ws.token,
      body: { provider: 'local', understandingEnabled: true },
    });
    const announced: DomainEventMap['message.created'][] = [];
    for (const s of sent) {
      const page = await http(ctx.app, 'GET', `/api/v1/conversations/${s.conversationId}/messages`, {
        token: ws.token,
      });
      const conversation = await http(ctx.app, 'GET', `/api/v1/conversations/${s.conversationId}`, {
        token: ws.token,
      });
      announced.push({
        tenantId: ws.tenant.id,
        message: (page.body.items as TMessage[]).find((m) => m.id === s.messageId)!,
        conversation: conversation.body,
      });
    }
    const events = ctx.app.get(DomainEvents);
    for (const payload of announced) events.publish('message.created', payload);

    for (const s of sent) await classified(s.messageId);
    const first = await jobs.getJob(sent[0]!.messageId);
    const ninth = await jobs.getJob(sent[8]!.messageId);
    expect(first?.data).toEqual({
      tenantId: ws.tenant.id,
      messageIds: sent.slice(0, 8).map((s) => s.messageId),
    });
    expect(ninth?.data).toEqual({
      tenantId: ws.tenant.id,
      messageIds: sent.slice(8).map((s) => s.messageId),
    });
    expect(await first!.getState()).toBe('completed');
    // No job of its own for the others.
    for (const s of [...sent.slice(1, 8), sent[9]!]) expect(await jobs.getJob(s.messageId)).toBeUndefined();
  });

  it('a message classified already is not sent to the AI service again, nor announced again', async () => {
    const ws = await workspace(ctx);
    const sent = await ws.text('gus', 'Thanks a lot, your support team was wonderful!');
    const before = await classified(sent.messageId);
    expect(await (await jobs.getJob(sent.messageId))?.getState()).toBe('completed');

    // A second instance whose AI service cannot be reached: it only succeeds if it never asks.
    const other = await startTestApp({ db: ctx.db, env: { AI_SERVICE_URL: 'http://127.0.0.1:9' } });
    try {
      const announced: string[] = [];
      const off = other.app.get(DomainEvents).on('message.updated', ({ message }) => {
        announced.push(message.id);
      });
      const outcome = await other.app
        .get(MessageUnderstandingService)
        .classifyStored(ws.tenant.id, sent.messageId);
      expect(outcome).toEqual({
        kind: 'found',
        understanding: {
          intent: before.intent,
          confidence: before.intent_confidence,
          sentiment: before.sentiment,
          language: before.language,
          model: before.understanding_model,
        },
      });
      await new Promise((r) => setTimeout(r, 200));
      off();
      expect(announced).toEqual([]);
    } finally {
      await other.close();
    }
    expect(await rowOf(ctx, sent.messageId)).toEqual(before);
  });
});

describe('message understanding when the AI service is down', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let jobs: Queue;
  let queueConnection: Redis;

  beforeAll(async () => {
    // Nothing listens on the discard port: every call to the AI service fails to connect.
    ctx = await startTestApp({ env: { AI_SERVICE_URL: 'http://127.0.0.1:9' } });
    worker = await startWorker(ctx.config);
    queueConnection = new Redis(ctx.config.REDIS_URL, { maxRetriesPerRequest: null });
    jobs = new Queue(AI_UNDERSTANDING_QUEUE, { connection: queueConnection, prefix: bullPrefix(ctx.config) });
  });
  afterAll(async () => {
    await jobs?.close();
    queueConnection?.disconnect();
    await worker?.close();
    await ctx?.close();
  });

  it('stores the message as usual, leaves it unclassified and retries later', async () => {
    const ws = await workspace(ctx);
    const sent = await ws.text('hal', 'Where is my parcel? It is a week late');
    await eventually(async () => expect(await jobs.getJobState(sent.messageId)).toBe('delayed'), 10_000);
    // Read after the state settled: a job fetched while it ran would show the attempt before it.
    const job = (await jobs.getJob(sent.messageId))!;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/AI service unreachable/);
    expect(await rowOf(ctx, sent.messageId)).toMatchObject({
      intent: null,
      sentiment: null,
      language: null,
      content: { text: 'Where is my parcel? It is a week late' },
    });
    const page = await http(ctx.app, 'GET', `/api/v1/conversations/${sent.conversationId}/messages`, {
      token: ws.token,
    });
    expect(page.body.items).toEqual([expect.objectContaining({ id: sent.messageId, understanding: null })]);
  });
});

describe('message understanding when the AI service refuses the request', () => {
  let ai: RunningAiService;
  let ctx: TestContext;
  let worker: RunningWorker;
  let jobs: Queue;
  let queueConnection: Redis;

  beforeAll(async () => {
    // An AI service that trusts another secret answers every call 401: asking again cannot help.
    ai = await startAiService({ internalJwtSecret: 'another-internal-secret-0123456789abcdef' });
    ctx = await startTestApp({ env: { AI_SERVICE_URL: ai.url } });
    worker = await startWorker(ctx.config);
    queueConnection = new Redis(ctx.config.REDIS_URL, { maxRetriesPerRequest: null });
    jobs = new Queue(AI_UNDERSTANDING_QUEUE, { connection: queueConnection, prefix: bullPrefix(ctx.config) });
  });
  afterAll(async () => {
    await jobs?.close();
    queueConnection?.disconnect();
    await worker?.close();
    await ctx?.close();
    await ai?.close();
  });

  it('gives up at once, leaving the message unclassified', async () => {
    const ws = await workspace(ctx);
    const sent = await ws.text('ivy', 'Can I change the delivery address of my order?');
    await eventually(async () => expect(await jobs.getJobState(sent.messageId)).toBe('failed'), 10_000);
    const job = (await jobs.getJob(sent.messageId))!;
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/\(401\)/);
    expect(await rowOf(ctx, sent.messageId)).toMatchObject({ intent: null, sentiment: null, language: null });
  });
});
