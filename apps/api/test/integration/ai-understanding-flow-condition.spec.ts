import type { TFlowGraph } from '@orbitdesk/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { edge, node } from '../flows/graphs.js';
import { startAiService, type RunningAiService } from '../support/ai-service.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/**
 * trigger → condition on the message's understanding → one reply per branch. Billing first, then an unhappy
 * contact, then Spanish; anything else takes `else`.
 */
const routingGraph: TFlowGraph = {
  nodes: [
    node('start', 'trigger'),
    node('route', 'condition', {
      branches: [
        { id: 'billing', rules: [{ left: '{{message.intent}}', operator: 'equals', right: 'billing' }] },
        { id: 'unhappy', rules: [{ left: '{{message.sentiment}}', operator: 'less_than', right: '-0.3' }] },
        { id: 'spanish', rules: [{ left: '{{message.language}}', operator: 'equals', right: 'es' }] },
      ],
    }),
    node('to-billing', 'send_message', { messageType: 'text', text: 'Billing desk' }),
    node('to-care', 'send_message', { messageType: 'text', text: 'Customer care' }),
    node('to-spanish', 'send_message', { messageType: 'text', text: 'Hola' }),
    node('to-general', 'send_message', { messageType: 'text', text: 'General' }),
  ],
  edges: [
    edge('start', 'route'),
    edge('route', 'to-billing', 'billing'),
    edge('route', 'to-care', 'unhappy'),
    edge('route', 'to-spanish', 'spanish'),
    edge('route', 'to-general', 'else'),
  ],
};

describe('flows: conditions on message understanding', () => {
  let ai: RunningAiService;
  let ctx: TestContext;
  let worker: RunningWorker;

  async function workspace(understandingEnabled: boolean, graph: TFlowGraph = routingGraph) {
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inbox = await makeApiInbox(ctx.app, admin.token);
    const settings = await http(ctx.app, 'PUT', '/api/v1/ai/settings', {
      token: admin.token,
      body: { provider: 'local', understandingEnabled },
    });
    expect(settings.status).toBe(200);
    const created = await http(ctx.app, 'POST', '/api/v1/flows', {
      token: admin.token,
      body: { name: 'Triage', trigger: { type: 'message_received' }, graph },
    });
    expect(created.status).toBe(201);
    const published = await http(ctx.app, 'POST', `/api/v1/flows/${created.body.id}/publish`, {
      token: admin.token,
    });
    expect(published.status).toBe(200);
    return { ...admin, inbox, flowId: created.body.id as string };
  }

  /** The flow's reply to the message, once its session has completed. */
  async function replyTo(ws: Awaited<ReturnType<typeof workspace>>, identifier: string, text: string) {
    const sent = await inbound(ctx.app, ws.inbox.id, ws.inbox.secret, textFrom(identifier, text));
    expect(sent.status).toBe(200);
    const conversationId = sent.body.conversationId as string;
    const reply = await eventually(async () => {
      const { rows } = await ctx.database.unsafe.execute<{ text: string }>(
        sql`select content->>'text' as text from messages
            where conversation_id = ${conversationId} and direction = 'out'`,
      );
      expect(rows).toHaveLength(1);
      return rows[0]!.text;
    }, 15_000);
    return { reply, messageId: sent.body.messageId as string };
  }

  const understandingOf = async (messageId: string) =>
    (
      await ctx.database.unsafe.execute<{ intent: string | null; language: string | null }>(
        sql`select intent, language from messages where id = ${messageId}`,
      )
    ).rows[0]!;

  const conditionLog = async (flowId: string, messageId: string) => {
    const { rows } = await ctx.database.unsafe.execute<{ output: Record<string, any> }>(
      sql`select l.output from flow_session_logs l join flow_sessions s on s.id = l.session_id
          where s.flow_id = ${flowId} and l.node_id = 'route' and s.context->'message'->>'id' = ${messageId}`,
    );
    expect(rows).toHaveLength(1);
    return rows[0]!.output;
  };

  beforeAll(async () => {
    ai = await startAiService();
    ctx = await startTestApp({ env: { AI_SERVICE_URL: ai.url } });
    worker = await startWorker(ctx.config);
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    await ai?.close();
  });

  it('routes on intent, sentiment and language, classifying the message itself when no job will', async () => {
    // Understanding is switched off: no job classifies these messages, so the condition must do it on the spot.
    const ws = await workspace(false);

    const billing = await replyTo(ws, 'ann', 'I was charged twice on my invoice, please refund me');
    expect(billing.reply).toBe('Billing desk');
    // Stored, so the inbox shows it and the job (when there is one) finds it done.
    expect(await understandingOf(billing.messageId)).toEqual({ intent: 'billing', language: 'en' });
    const output = await conditionLog(ws.flowId, billing.messageId);
    expect(output).toMatchObject({
      branch: 'billing',
      understanding: { intent: 'billing', language: 'en', model: 'local:orbitdesk-local-1' },
    });

    const spanish = await replyTo(
      ws,
      'bea',
      'Quisiera comprar tres camisetas de la nueva colección, ¿me pueden decir el precio, por favor?',
    );
    expect(spanish.reply).toBe('Hola');
    expect(await understandingOf(spanish.messageId)).toMatchObject({ language: 'es' });

    const unhappy = await replyTo(ws, 'cal', 'This is terrible, the worst service ever, I am so angry');
    expect(unhappy.reply).toBe('Customer care');
    expect(await conditionLog(ws.flowId, unhappy.messageId)).toMatchObject({
      branch: 'unhappy',
      understanding: { intent: 'complaint', language: 'en' },
    });
  });

  it('gives the same answer when the understanding job may have got there first', async () => {
    const ws = await workspace(true);
    const billing = await replyTo(ws, 'cid', 'I was charged twice on my invoice, please refund me');
    expect(billing.reply).toBe('Billing desk');
    expect(await understandingOf(billing.messageId)).toEqual({ intent: 'billing', language: 'en' });
  });

  it('a test run classifies its made-up message and stores nothing', async () => {
    const ws = await workspace(true);
    const countMessages = async () =>
      (
        await ctx.database.unsafe.execute<{ n: number }>(
          sql`select count(*)::int as n from messages where tenant_id = ${ws.tenant.id}`,
        )
      ).rows[0]!.n;
    const before = await countMessages();
    const res = await http(ctx.app, 'POST', `/api/v1/flows/${ws.flowId}/test`, {
      token: ws.token,
      body: {
        contact: { name: 'Tess' },
        message:
          'Quisiera comprar tres camisetas de la nueva colección, ¿me pueden decir el precio, por favor?',
      },
    });
    expect(res.status).toBe(200);
    const route = res.body.log.find((l: { nodeId: string }) => l.nodeId === 'route');
    expect(route.output).toMatchObject({ branch: 'spanish', understanding: { language: 'es' } });
    expect(res.body.log.at(-1).output).toEqual({
      testMode: true,
      wouldSend: { type: 'text', content: { text: 'Hola' } },
    });
    expect(await countMessages()).toBe(before);
  });

  it('a condition that does not mention understanding never asks for it', async () => {
    const ws = await workspace(false, {
      nodes: [
        node('start', 'trigger'),
        node('route', 'condition', {
          branches: [
            { id: 'refund', rules: [{ left: '{{message.text}}', operator: 'contains', right: 'refund' }] },
          ],
        }),
        node('yes', 'send_message', { messageType: 'text', text: 'Refunds desk' }),
      ],
      edges: [edge('start', 'route'), edge('route', 'yes', 'refund')],
    });
    const sent = await replyTo(ws, 'dee', 'I was charged twice on my invoice, please refund me');
    expect(sent.reply).toBe('Refunds desk');
    expect(await conditionLog(ws.flowId, sent.messageId)).toEqual({ branch: 'refund' });
    expect(await understandingOf(sent.messageId)).toEqual({ intent: null, language: null });
  });
});
