import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TFlowSessionEvent } from '@orbitdesk/shared';
import { Queue, Worker } from 'bullmq';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullPrefix } from '../../src/common/queue/bullmq-connection.js';
import { OUTBOUND_QUEUE } from '../../src/common/queue/queue.constants.js';
import { teams } from '../../src/db/schema/index.js';
import {
  FLOW_RESUME_QUEUE,
  FlowRunQueue,
  MAX_SWEEP_RETRIES,
} from '../../src/modules/flows/queue/flow-queues.js';
import { FlowWaitRecoveryWorker } from '../../src/modules/flows/queue/flow-wait-recovery.worker.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { connectAgent, listen } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { delayGraph, edge, helloGraph, node, supportGraph } from './graphs.js';

type SessionRow = {
  id: string;
  status: string;
  current_node_id: string | null;
  version_id: string | null;
  handed_off: boolean;
  error: string | null;
  variables: Record<string, unknown>;
  test_mode: boolean;
};

describe('flows: execution in the worker', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let outbound: Queue;
  let resume: Queue;
  let queueConnection: Redis;

  /** A workspace of its own per test, so one test's active flows never answer another's messages. */
  async function workspace() {
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inbox = await makeApiInbox(ctx.app, admin.token);
    return { ...admin, inbox };
  }

  async function activeFlow(token: string, body: Record<string, unknown>) {
    const created = await http(ctx.app, 'POST', '/api/v1/flows', { token, body });
    expect(created.status).toBe(201);
    const published = await http(ctx.app, 'POST', `/api/v1/flows/${created.body.id}/publish`, { token });
    expect(published.status).toBe(200);
    return published.body as { id: string; publishedVersionId: string };
  }

  const sessionsOf = async (flowId: string) =>
    (
      await ctx.database.unsafe.execute<SessionRow>(
        sql`select * from flow_sessions where flow_id = ${flowId} order by created_at`,
      )
    ).rows;

  const outgoingTexts = async (tenantId: string) =>
    (
      await ctx.database.unsafe.execute<{ text: string; is_private: boolean }>(
        sql`select content->>'text' as text, is_private from messages
            where tenant_id = ${tenantId} and direction = 'out' order by created_at`,
      )
    ).rows;

  beforeAll(async () => {
    // HTTP Request nodes call a loopback server in one test.
    ctx = await startTestApp({ env: { OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' } });
    worker = await startWorker(ctx.config);
    queueConnection = new Redis(ctx.config.REDIS_URL, { maxRetriesPerRequest: null });
    outbound = new Queue(OUTBOUND_QUEUE, { connection: queueConnection, prefix: bullPrefix(ctx.config) });
    resume = new Queue(FLOW_RESUME_QUEUE, { connection: queueConnection, prefix: bullPrefix(ctx.config) });
  });
  afterAll(async () => {
    await outbound?.close();
    await resume?.close();
    queueConnection?.disconnect();
    await worker?.close();
    await ctx?.close();
  });

  it('keyword → question → wait for reply → condition on the answer → handoff, on the api channel', async () => {
    const ws = await workspace();
    const [team] = await ctx.database.unsafe
      .insert(teams)
      .values({ tenantId: ws.tenant.id, name: 'Support' })
      .returning();
    const flow = await activeFlow(ws.token, {
      name: 'Support desk',
      trigger: { type: 'keyword', settings: { keywords: ['help'], match: 'contains' } },
      graph: supportGraph(team!.id),
    });

    const first = await inbound(
      ctx.app,
      ws.inbox.id,
      ws.inbox.secret,
      textFrom('ann-1', 'HELP please', undefined, 'Ann'),
    );
    expect(first.status).toBe(200);
    const conversationId = first.body.conversationId as string;
    const waiting = await eventually(async () => {
      const [s] = await sessionsOf(flow.id);
      expect(s).toMatchObject({ status: 'waiting', current_node_id: 'wait' });
      return s!;
    });
    expect((await outgoingTexts(ws.tenant.id)).map((m) => m.text)).toEqual(['Hi Ann! Sales or support?']);

    await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('ann-1', 'I need SUPPORT with my order'));
    await eventually(async () => {
      const [s] = await sessionsOf(flow.id);
      expect(s).toMatchObject({
        id: waiting.id,
        status: 'completed',
        handed_off: true,
        current_node_id: 'handoff',
      });
      expect(s!.variables.topic).toBe('I need SUPPORT with my order');
    });
    const conversation = await http(ctx.app, 'GET', `/api/v1/conversations/${conversationId}`, {
      token: ws.token,
    });
    expect(conversation.body.teamId).toBe(team!.id);
    expect(await outgoingTexts(ws.tenant.id)).toContainEqual({
      text: 'Bot: Ann asked for I need SUPPORT with my order',
      is_private: true,
    });

    const detail = await http(ctx.app, 'GET', `/api/v1/flows/${flow.id}/sessions/${waiting.id}`, {
      token: ws.token,
    });
    expect(detail.body.log.map((l: { nodeId: string }) => l.nodeId)).toEqual([
      'start',
      'ask',
      'wait',
      'wait',
      'route',
      'handoff',
    ]);
    expect(detail.body.log[4].output).toEqual({ branch: 'support' });
    expect(detail.body.log.every((l: { durationMs: number }) => l.durationMs >= 0)).toBe(true);

    // The bot stopped: a further message (even with the keyword) starts nothing while people hold the conversation.
    await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('ann-1', 'help again'));
    await new Promise((r) => setTimeout(r, 700));
    expect(await sessionsOf(flow.id)).toHaveLength(1);
  });

  it('the else branch: an answer that matches no rule', async () => {
    const ws = await workspace();
    const [team] = await ctx.database.unsafe
      .insert(teams)
      .values({ tenantId: ws.tenant.id, name: 'Sales' })
      .returning();
    const flow = await activeFlow(ws.token, {
      name: 'Desk',
      trigger: { type: 'keyword', settings: { keywords: ['help'] } },
      graph: supportGraph(team!.id),
    });
    await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('bob-1', ' Help ', undefined, 'Bob'));
    await eventually(async () => expect((await sessionsOf(flow.id))[0]?.status).toBe('waiting'));
    await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('bob-1', 'sales please'));
    await eventually(async () =>
      expect((await sessionsOf(flow.id))[0]).toMatchObject({ status: 'completed', handed_off: false }),
    );
    expect((await outgoingTexts(ws.tenant.id)).map((m) => m.text)).toContain('Thanks, we will write to you.');
  });

  it('a specific keyword flow wins over a catch-all of higher priority; exact keywords ignore case', async () => {
    const ws = await workspace();
    const catchAll = await activeFlow(ws.token, {
      name: 'Catch-all',
      priority: 100,
      trigger: { type: 'message_received' },
      graph: helloGraph('catch-all'),
    });
    const keyword = await activeFlow(ws.token, {
      name: 'Prices',
      trigger: { type: 'keyword', settings: { keywords: ['price'] } },
      graph: helloGraph('keyword'),
    });
    await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('kw-1', 'PRICE'));
    await eventually(async () => expect((await sessionsOf(keyword.id))[0]?.status).toBe('completed'));
    await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('kw-2', 'what is the price?'));
    await eventually(async () => expect((await sessionsOf(catchAll.id))[0]?.status).toBe('completed'));
    expect(await sessionsOf(keyword.id)).toHaveLength(1);
    expect((await outgoingTexts(ws.tenant.id)).map((m) => m.text).sort()).toEqual(['catch-all', 'keyword']);
  });

  it('Wait for Reply takes its timeout port when no reply comes in time', async () => {
    const ws = await workspace();
    const flow = await activeFlow(ws.token, {
      name: 'Impatient',
      trigger: { type: 'keyword', settings: { keywords: ['ping'] } },
      graph: {
        nodes: [
          node('start', 'trigger'),
          node('wait', 'wait_for_reply', { timeout: { amount: 1, unit: 'seconds' } }),
          node('answered', 'send_message', { messageType: 'text', text: 'answered' }),
          node('late', 'send_message', { messageType: 'text', text: 'too late' }),
        ],
        edges: [edge('start', 'wait'), edge('wait', 'answered'), edge('wait', 'late', 'timeout')],
      },
    });
    await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('slow-1', 'ping'));
    await eventually(async () => expect((await sessionsOf(flow.id))[0]?.status).toBe('waiting'));
    await eventually(async () => expect((await sessionsOf(flow.id))[0]?.status).toBe('completed'), 8_000);
    expect((await outgoingTexts(ws.tenant.id)).map((m) => m.text)).toEqual(['too late']);
  });

  it('contact_created and tag_added triggers start their flows', async () => {
    const ws = await workspace();
    const remember = (text: string) => ({
      nodes: [
        node('start', 'trigger'),
        node('keep', 'set_variable', { assignments: [{ name: 'seen', value: text }] }),
      ],
      edges: [edge('start', 'keep')],
    });
    const created = await activeFlow(ws.token, {
      name: 'New contact',
      trigger: { type: 'contact_created' },
      graph: remember('new {{contact.name}}'),
    });
    const tagged = await activeFlow(ws.token, {
      name: 'VIP',
      trigger: { type: 'tag_added', settings: { tags: ['VIP'] } },
      graph: remember('vip {{contact.name}}'),
    });
    const contact = await http(ctx.app, 'POST', '/api/v1/contacts', {
      token: ws.token,
      body: { name: 'Cleo' },
    });
    await eventually(async () =>
      expect((await sessionsOf(created.id))[0]).toMatchObject({
        status: 'completed',
        variables: { seen: 'new Cleo' },
      }),
    );
    expect(await sessionsOf(tagged.id)).toHaveLength(0);

    await http(ctx.app, 'PATCH', `/api/v1/contacts/${contact.body.id}`, {
      token: ws.token,
      body: { tags: ['other'] },
    });
    await http(ctx.app, 'PATCH', `/api/v1/contacts/${contact.body.id}`, {
      token: ws.token,
      body: { tags: ['other', 'vip'] },
    });
    await eventually(async () =>
      expect((await sessionsOf(tagged.id))[0]).toMatchObject({
        status: 'completed',
        variables: { seen: 'vip Cleo' },
      }),
    );
    // The tag was already there: changing something else adds no tag and starts nothing.
    await http(ctx.app, 'PATCH', `/api/v1/contacts/${contact.body.id}`, {
      token: ws.token,
      body: { name: 'Cleo B' },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await sessionsOf(tagged.id)).toHaveLength(1);
  });

  it('a running session keeps the version it started on', async () => {
    const ws = await workspace();
    const graph = (reply: string) => ({
      nodes: [
        node('start', 'trigger'),
        node('wait', 'wait_for_reply'),
        node('answer', 'send_message', { messageType: 'text', text: reply }),
      ],
      edges: [edge('start', 'wait'), edge('wait', 'answer')],
    });
    const flow = await activeFlow(ws.token, {
      name: 'Versioned',
      trigger: { type: 'keyword', settings: { keywords: ['start'] } },
      graph: graph('from v1'),
    });
    await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('ver-1', 'start'));
    await eventually(async () => expect((await sessionsOf(flow.id))[0]?.status).toBe('waiting'));

    await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}`, {
      token: ws.token,
      body: { graph: graph('from v2') },
    });
    const v2 = await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/publish`, { token: ws.token });
    expect(v2.body.publishedVersion).toBe(2);

    await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('ver-1', 'go on'));
    await eventually(async () => expect((await sessionsOf(flow.id))[0]?.status).toBe('completed'));
    expect((await sessionsOf(flow.id))[0]!.version_id).toBe(flow.publishedVersionId);
    expect((await outgoingTexts(ws.tenant.id)).map((m) => m.text)).toEqual(['from v1']);
  });

  it('a delay survives a worker restart', async () => {
    const ws = await workspace();
    const flow = await activeFlow(ws.token, {
      name: 'Later',
      trigger: { type: 'manual' },
      graph: delayGraph(2),
    });
    const arrived = await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('late-1', 'hi'));
    const conversation = await http(ctx.app, 'GET', `/api/v1/conversations/${arrived.body.conversationId}`, {
      token: ws.token,
    });
    const contactId = conversation.body.contactId as string;
    expect(contactId).toBeTruthy();
    const started = await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/trigger`, {
      token: ws.token,
      body: { contactId },
    });
    expect(started.status).toBe(202);
    await eventually(async () =>
      expect((await sessionsOf(flow.id))[0]).toMatchObject({ status: 'waiting', current_node_id: 'pause' }),
    );

    await worker.close();
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await sessionsOf(flow.id))[0]!.status).toBe('waiting');
    worker = await startWorker(ctx.config);

    await eventually(async () => expect((await sessionsOf(flow.id))[0]?.status).toBe('completed'), 10_000);
    expect((await outgoingTexts(ws.tenant.id)).map((m) => m.text)).toEqual(['After the delay']);
  });

  /** A session of a long Delay flow, waiting; with its flow-resume job. */
  async function waitingOnDelay(identifier: string) {
    const ws = await workspace();
    const flow = await activeFlow(ws.token, {
      name: 'Lost timer',
      trigger: { type: 'manual' },
      graph: delayGraph(3600),
    });
    const arrived = await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom(identifier, 'hi'));
    const conversation = await http(ctx.app, 'GET', `/api/v1/conversations/${arrived.body.conversationId}`, {
      token: ws.token,
    });
    const started = await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/trigger`, {
      token: ws.token,
      body: { contactId: conversation.body.contactId },
    });
    expect(started.status).toBe(202);
    await eventually(async () =>
      expect((await sessionsOf(flow.id))[0]).toMatchObject({ status: 'waiting', current_node_id: 'pause' }),
    );
    const session = (await sessionsOf(flow.id))[0]!;
    const jobId = `${session.id}-pause-2`;
    await eventually(async () => expect(await resume.getJobState(jobId)).toBe('delayed'));
    return { ws, flow, session, jobId };
  }
  /** The wait's time as long past: the timer should have fired two minutes ago. */
  const overdue = (sessionId: string) =>
    ctx.database.unsafe.execute(
      sql`update flow_sessions set waiting_until = now() - interval '2 minutes' where id = ${sessionId}`,
    );

  it('a wait whose timer job was lost is woken by the recovery sweep', async () => {
    const { ws, flow, session, jobId } = await waitingOnDelay('lost-1');
    const sweeper = worker.app.get(FlowWaitRecoveryWorker);
    // Not overdue yet: the job is there and due in an hour, nothing to do.
    expect(await sweeper.sweep()).toBe(0);

    await (await resume.getJob(jobId))!.remove();
    await overdue(session.id);
    expect(await sweeper.sweep()).toBe(1);
    await eventually(async () => expect((await sessionsOf(flow.id))[0]?.status).toBe('completed'), 10_000);
    expect((await outgoingTexts(ws.tenant.id)).map((m) => m.text)).toEqual(['After the delay']);
    // Resumed once: a second sweep finds nothing, and the message went once.
    expect(await sweeper.sweep()).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await outgoingTexts(ws.tenant.id)).toHaveLength(1);
  });

  /** With the worker closed, the wait's job runs now and fails for good (its one attempt), as when Postgres was
   * down through every retry; `sweepRetries` as the sweep would have left it. */
  async function failForGood(jobId: string, sweepRetries?: number) {
    await worker.close();
    const job = (await resume.getJob(jobId))!;
    await job.remove();
    await resume.add(job.name, { ...job.data, sweepRetries }, { jobId, attempts: 1 });
    const failing = new Worker(FLOW_RESUME_QUEUE, () => Promise.reject(new Error('database unavailable')), {
      connection: queueConnection,
      prefix: bullPrefix(ctx.config),
    });
    await eventually(async () => expect(await resume.getJobState(jobId)).toBe('failed'));
    await failing.close();
  }

  it('a wait whose timer job failed every attempt is retried when the worker starts', async () => {
    const { ws, flow, session, jobId } = await waitingOnDelay('lost-2');
    await failForGood(jobId);
    await overdue(session.id);

    worker = await startWorker(ctx.config);
    await eventually(async () => expect((await sessionsOf(flow.id))[0]?.status).toBe('completed'), 10_000);
    expect((await outgoingTexts(ws.tenant.id)).map((m) => m.text)).toEqual(['After the delay']);
  });

  it('a timer job that keeps failing ends its session as failed, with the reason, instead of being retried for ever', async () => {
    const { ws, flow, session, jobId } = await waitingOnDelay('lost-3');
    await failForGood(jobId, MAX_SWEEP_RETRIES);
    await overdue(session.id);

    worker = await startWorker(ctx.config);
    await eventually(async () => expect((await sessionsOf(flow.id))[0]?.status).toBe('failed'), 10_000);
    expect((await sessionsOf(flow.id))[0]!.error).toBe(
      `the wait at node pause could not be resumed (${MAX_SWEEP_RETRIES + 1} tries of its job): database unavailable`,
    );
    expect(await resume.getJobState(jobId)).toBe('failed');
    expect(await outgoingTexts(ws.tenant.id)).toEqual([]);
  });

  it('a failing node ends the session failed with its error; a type without a handler is "not available"', async () => {
    const ws = await workspace();
    // A contact with no conversation: Send Message has nowhere to send.
    const contact = await http(ctx.app, 'POST', '/api/v1/contacts', {
      token: ws.token,
      body: { name: 'Lonely' },
    });
    expect(contact.status).toBe(201);
    const flow = await activeFlow(ws.token, {
      name: 'Nowhere',
      trigger: { type: 'manual' },
      graph: helloGraph(),
    });
    await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/trigger`, {
      token: ws.token,
      body: { contactId: contact.body.id },
    });
    await eventually(async () => {
      const [s] = await sessionsOf(flow.id);
      expect(s).toMatchObject({ status: 'failed', current_node_id: 'hello' });
      expect(s!.error).toMatch(/no conversation to send to/);
    });

    // A stored version naming a type no handler serves (an older or hand-edited graph).
    const odd = await activeFlow(ws.token, { name: 'Odd', trigger: { type: 'manual' }, graph: helloGraph() });
    await ctx.database.unsafe.execute(
      sql`update flow_versions set graph = jsonb_set(graph, '{nodes,1,type}', '"teleport"') where id = ${odd.publishedVersionId}`,
    );
    await http(ctx.app, 'POST', `/api/v1/flows/${odd.id}/trigger`, {
      token: ws.token,
      body: { contactId: contact.body.id },
    });
    await eventually(async () =>
      expect((await sessionsOf(odd.id))[0]).toMatchObject({
        status: 'failed',
        error: 'Node type teleport is not available',
      }),
    );
  });

  it("an HTTP error fails the run unless the flow wires the node's error port", async () => {
    const ws = await workspace();
    const server = createServer((_req, res) => res.writeHead(503).end('down for maintenance'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
    try {
      const contact = await http(ctx.app, 'POST', '/api/v1/contacts', {
        token: ws.token,
        body: { name: 'Ann' },
      });
      const call = node('call', 'http_request', { method: 'GET', url }, 200);
      const unhandled = await activeFlow(ws.token, {
        name: 'Unhandled',
        trigger: { type: 'manual' },
        graph: {
          nodes: [node('start', 'trigger'), call, node('done', 'end', {}, 400)],
          edges: [edge('start', 'call'), edge('call', 'done')],
        },
      });
      const handled = await activeFlow(ws.token, {
        name: 'Handled',
        trigger: { type: 'manual' },
        graph: {
          nodes: [
            node('start', 'trigger'),
            call,
            node('done', 'end', {}, 400),
            node('oops', 'set_variable', { assignments: [{ name: 'failed', value: 'yes' }] }, 400),
          ],
          edges: [edge('start', 'call'), edge('call', 'done'), edge('call', 'oops', 'error')],
        },
      });
      for (const flow of [unhandled, handled]) {
        await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/trigger`, {
          token: ws.token,
          body: { contactId: contact.body.id },
        });
      }
      await eventually(async () => {
        const [s] = await sessionsOf(unhandled.id);
        expect(s).toMatchObject({ status: 'failed', current_node_id: 'call' });
        expect(s!.error).toMatch(/503/);
      });
      await eventually(async () => {
        const [s] = await sessionsOf(handled.id);
        expect(s).toMatchObject({ status: 'completed', current_node_id: 'oops' });
        expect(s!.variables).toMatchObject({ failed: 'yes' });
      });
    } finally {
      server.close();
    }
  });

  it('adds no flow-run job for a workspace without an active flow; publishing one turns its events on', async () => {
    const ws = await workspace();
    const runQueue = ctx.app.get(FlowRunQueue);
    const queued: string[] = [];
    const enqueue = runQueue.enqueue.bind(runQueue);
    runQueue.enqueue = async (data) => {
      if (data.tenantId === ws.tenant.id) queued.push(data.kind);
      return enqueue(data);
    };
    try {
      expect(
        (await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('quiet-1', 'hello'))).status,
      ).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      expect(queued).toEqual([]);

      await activeFlow(ws.token, {
        name: 'Greeter',
        trigger: { type: 'keyword', settings: { keywords: ['hello'] } },
        graph: helloGraph(),
      });
      expect(
        (await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom('quiet-2', 'hello'))).status,
      ).toBe(200);
      await eventually(() => expect(queued).toContain('message'));
    } finally {
      runQueue.enqueue = enqueue;
    }
  });

  it('test mode sends nothing (no message row, no outbound job) and returns the step log', async () => {
    const ws = await workspace();
    const [team] = await ctx.database.unsafe
      .insert(teams)
      .values({ tenantId: ws.tenant.id, name: 'Testers' })
      .returning();
    const created = await http(ctx.app, 'POST', '/api/v1/flows', {
      token: ws.token,
      body: {
        name: 'Dry run',
        trigger: { type: 'manual' },
        graph: {
          nodes: [
            node('start', 'trigger'),
            node('pause', 'delay', { amount: 3, unit: 'days' }),
            node('hello', 'send_message', {
              messageType: 'text',
              text: 'Hello {{contact.name}}: {{message.text}}',
            }),
            node('handoff', 'human_handoff', { teamId: team!.id }),
          ],
          edges: [edge('start', 'pause'), edge('pause', 'hello'), edge('hello', 'handoff')],
        },
      },
    });
    const res = await http(ctx.app, 'POST', `/api/v1/flows/${created.body.id}/test`, {
      token: ws.token,
      body: { contact: { name: 'Tess' }, message: 'is this on?' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ testMode: true, status: 'completed', handedOff: true });
    expect(res.body.log.map((l: { nodeType: string }) => l.nodeType)).toEqual([
      'trigger',
      'delay',
      'send_message',
      'human_handoff',
    ]);
    expect(res.body.log[2].output).toEqual({
      testMode: true,
      wouldSend: { type: 'text', content: { text: 'Hello Tess: is this on?' } },
    });
    expect(res.body.log[3].output).toMatchObject({ testMode: true, wouldAssign: { teamId: team!.id } });
    expect(await outgoingTexts(ws.tenant.id)).toEqual([]);
    // Only this workspace's jobs: an earlier test's flow may still be sending its own message.
    const jobs = await outbound.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']);
    expect(jobs.filter((j) => j?.data?.tenantId === ws.tenant.id)).toEqual([]);
  });

  it('a Loop runs its body for every element, past the per-run count; a cycle without a wait is still stopped', async () => {
    const ws = await workspace();
    const test = async (graph: unknown) => {
      const created = await http(ctx.app, 'POST', '/api/v1/flows', {
        token: ws.token,
        body: { name: `Loop ${Math.random()}`, trigger: { type: 'manual' }, graph },
      });
      expect(created.status).toBe(201);
      const res = await http(ctx.app, 'POST', `/api/v1/flows/${created.body.id}/test`, {
        token: ws.token,
        body: { contact: { name: 'Lou' } },
      });
      expect(res.status).toBe(200);
      return res.body as { status: string; error?: string; log: { nodeType: string; output: unknown }[] };
    };
    const list = Array.from({ length: 30 }, (_, i) => i + 1);
    // 30 elements, a body of two nodes: 90 nodes between trigger and end, in one run without a wait.
    const run = await test({
      nodes: [
        node('start', 'trigger'),
        node('list', 'set_variable', {
          assignments: [{ name: 'list', value: JSON.stringify(list), type: 'json' }],
        }),
        node('each', 'loop', { items: 'list' }),
        node('label', 'set_variable', { assignments: [{ name: 'label', value: 'Item {{vars.item}}' }] }),
        node('say', 'send_message', { messageType: 'text', text: '{{vars.label}} of 30' }),
        node('end', 'end'),
      ],
      edges: [
        edge('start', 'list'),
        edge('list', 'each'),
        edge('each', 'label', 'item'),
        edge('label', 'say'),
        edge('say', 'each'),
        edge('each', 'end', 'done'),
      ],
    });
    expect(run.status).toBe('completed');
    const said = run.log
      .filter((l) => l.nodeType === 'send_message')
      .map((l) => (l.output as { wouldSend: { content: { text: string } } }).wouldSend.content.text);
    expect(said).toEqual(list.map((n) => `Item ${n} of 30`));
    expect(run.log.at(-2)).toMatchObject({ nodeType: 'loop', output: { iterations: 30, total: 30 } });

    // A loop whose `done` leads back into it starts over for ever: each start counts on from the last one, so
    // the run is stopped like any cycle without a wait.
    const endless = await test({
      nodes: [
        node('start', 'trigger'),
        node('list', 'set_variable', { assignments: [{ name: 'list', value: '[1, 2]', type: 'json' }] }),
        node('each', 'loop', { items: 'list' }),
        node('again', 'set_variable', { assignments: [{ name: 'x', value: 'again' }] }),
      ],
      edges: [
        edge('start', 'list'),
        edge('list', 'each'),
        edge('each', 'each', 'item'),
        edge('each', 'again', 'done'),
        edge('again', 'each'),
      ],
    });
    expect(endless.status).toBe('failed');
    expect(endless.error).toMatch(/more than 20 nodes in one run/);
  });

  it('sends flow:session updates to the tenant room', async () => {
    const ws = await workspace();
    const base = await listen(ctx.app);
    const socket: ClientSocket = await connectAgent(base, ws.token);
    try {
      const flow = await http(ctx.app, 'POST', '/api/v1/flows', {
        token: ws.token,
        body: { name: 'Live', trigger: { type: 'manual' }, graph: helloGraph() },
      });
      const seen: TFlowSessionEvent[] = [];
      socket.on('flow:session', (e: TFlowSessionEvent) => seen.push(e));
      await http(ctx.app, 'POST', `/api/v1/flows/${flow.body.id}/test`, { token: ws.token, body: {} });
      await eventually(() => expect(seen.map((e) => e.step?.nodeId)).toEqual(['start', 'hello', 'done']));
      expect(seen.at(-1)).toMatchObject({ flowId: flow.body.id, status: 'completed', testMode: true });
    } finally {
      socket.disconnect();
    }
  });
});
