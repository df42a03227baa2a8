import type { TFlow } from '@orbitdesk/shared';
import { createHmac, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { makeApiInbox } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { edge, node } from './graphs.js';

const SECRET = 'webhook-signing-secret-1';
const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Webhook → Set Variable from the request → End: the session's variables show what the flow saw. */
const hookGraph = {
  nodes: [
    node('start', 'trigger'),
    node('keep', 'set_variable', {
      assignments: [
        { name: 'customer', value: '{{webhook.body.customer.name}}' },
        { name: 'plan', value: '{{webhook.query.plan}}' },
        { name: 'trace', value: '{{webhook.headers.x-trace}}' },
        { name: 'auth', value: '{{webhook.headers.authorization}}' },
        { name: 'cookie', value: '{{webhook.headers.cookie}}' },
        { name: 'method', value: '{{webhook.method}}' },
      ],
    }),
    node('done', 'end'),
  ],
  edges: [edge('start', 'keep'), edge('keep', 'done')],
};

describe('flows: webhook trigger', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;

  const tokenOf = (flow: { webhookUrl: string | null }) => flow.webhookUrl!.split('/').at(-1)!;
  const post = (
    token: string,
    body: string,
    headers: Record<string, string> = {},
    query = '',
  ): Promise<{ statusCode: number; json: () => { message?: string } }> =>
    ctx.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url: `/api/v1/webhooks/${token}${query}`,
        payload: body,
        headers: { 'content-type': 'application/json', ...headers },
      });
  const sessions = async (flowId: string) =>
    (
      await ctx.database.unsafe.execute<{
        status: string;
        variables: Record<string, string>;
        context: { webhook: { headers: Record<string, string> } };
      }>(sql`select status, variables, context from flow_sessions where flow_id = ${flowId}`)
    ).rows;

  async function hookFlow(publish = true): Promise<TFlow> {
    const created = await http<TFlow>(ctx.app, 'POST', '/api/v1/flows', {
      token: A.token,
      body: { name: `Hook ${randomUUID().slice(0, 6)}`, trigger: { type: 'webhook' }, graph: hookGraph },
    });
    expect(created.status).toBe(201);
    if (!publish) return created.body;
    const published = await http<TFlow>(ctx.app, 'POST', `/api/v1/flows/${created.body.id}/publish`, {
      token: A.token,
    });
    return published.body;
  }

  beforeAll(async () => {
    ctx = await startTestApp();
    worker = await startWorker(ctx.config);
    A = await makeTenantWithUser(ctx.app, ctx.database, 'MANAGER');
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
  });

  it('answers 200 at once and runs the flow with the request, minus credentials headers', async () => {
    const flow = await hookFlow();
    const body = JSON.stringify({ customer: { name: 'Ada' } });
    const res = await post(
      tokenOf(flow),
      body,
      {
        'x-trace': 'abc-123',
        authorization: 'Bearer secret-token',
        cookie: 'session=s3cr3t',
      },
      '?plan=gold',
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, message: 'Webhook received' });
    const [session] = await eventually(async () => {
      const rows = await sessions(flow.id);
      expect(rows[0]?.status).toBe('completed');
      return rows;
    });
    expect(session!.variables).toMatchObject({
      customer: 'Ada',
      plan: 'gold',
      trace: 'abc-123',
      auth: '',
      cookie: '',
      method: 'POST',
    });
    expect(Object.keys(session!.context.webhook.headers)).not.toContain('authorization');
    expect(Object.keys(session!.context.webhook.headers)).not.toContain('cookie');
    expect(JSON.stringify(session)).not.toContain('secret-token');
  });

  it('GET tells the flow name and status; unknown tokens are 404', async () => {
    const flow = await hookFlow(false);
    const info = await http(ctx.app, 'GET', `/api/v1/webhooks/${tokenOf(flow)}`);
    expect(info.status).toBe(200);
    expect(info.body).toEqual({ name: flow.name, status: 'DRAFT' });
    expect((await http(ctx.app, 'GET', `/api/v1/webhooks/${randomUUID()}`)).status).toBe(404);
    expect((await post(randomUUID(), '{}')).statusCode).toBe(404);
    expect((await post('not-a-token', '{}')).statusCode).toBe(404);
  });

  it('a flow that is not ACTIVE answers 403 and runs nothing', async () => {
    const draft = await hookFlow(false);
    expect((await post(tokenOf(draft), '{}')).statusCode).toBe(403);
    const paused = await hookFlow();
    await http(ctx.app, 'PATCH', `/api/v1/flows/${paused.id}`, {
      token: A.token,
      body: { status: 'PAUSED' },
    });
    const res = await post(tokenOf(paused), '{}');
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toMatch(/not active/);
    await new Promise((r) => setTimeout(r, 300));
    expect(await sessions(paused.id)).toHaveLength(0);
  });

  it('with a secret: a valid signature runs; a wrong or missing one is 403', async () => {
    const flow = await hookFlow();
    await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}/webhook-secret`, {
      token: A.token,
      body: { secret: SECRET },
    });
    const body = JSON.stringify({ customer: { name: 'Signed' } });
    const token = tokenOf(flow);

    expect((await post(token, body)).statusCode).toBe(403);
    expect(
      (await post(token, body, { 'x-hub-signature-256': sign(body, 'another-secret-entirely') })).statusCode,
    ).toBe(403);
    // A signature of a different body does not pass for this one.
    expect((await post(token, body, { 'x-hub-signature-256': sign('{}') })).statusCode).toBe(403);
    expect((await post(token, body, { 'x-hub-signature-256': 'sha256=zz' })).statusCode).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(await sessions(flow.id)).toHaveLength(0);

    expect((await post(token, body, { 'x-hub-signature-256': sign(body) })).statusCode).toBe(200);
    expect((await post(token, body, { 'x-webhook-signature': sign(body) })).statusCode).toBe(200);
    expect(
      (await post(token, body, { 'x-signature': sign(body).toUpperCase().replace('SHA256=', 'sha256=') }))
        .statusCode,
    ).toBe(200);
    await eventually(async () => {
      const rows = await sessions(flow.id);
      expect(rows.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    });

    // Cleared: unsigned calls are accepted again.
    await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}/webhook-secret`, {
      token: A.token,
      body: { secret: null },
    });
    expect((await post(token, body)).statusCode).toBe(200);
  });

  it('a regenerated token invalidates the old URL at once', async () => {
    const flow = await hookFlow();
    const oldToken = tokenOf(flow);
    expect((await post(oldToken, '{}')).statusCode).toBe(200);
    const rotated = await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/regenerate-webhook-token`, {
      token: A.token,
    });
    const newToken = tokenOf(rotated.body);
    expect(newToken).not.toBe(oldToken);
    expect((await post(oldToken, '{}')).statusCode).toBe(404);
    expect((await post(newToken, '{}')).statusCode).toBe(200);
  });

  it('an oversized body is refused with 413', async () => {
    const flow = await hookFlow();
    const huge = JSON.stringify({ blob: 'x'.repeat(1024 * 1024 + 10) });
    const res = await post(tokenOf(flow), huge);
    expect(res.statusCode).toBe(413);
    await new Promise((r) => setTimeout(r, 300));
    expect(await sessions(flow.id)).toHaveLength(0);
  });

  it('a webhook run bound to a contact by the request sends to them on the inbox, and reuses them next time', async () => {
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const inbox = await makeApiInbox(ctx.app, admin.token);
    const created = await http<TFlow>(ctx.app, 'POST', '/api/v1/flows', {
      token: admin.token,
      body: {
        name: 'Order update',
        trigger: {
          type: 'webhook',
          settings: {
            contact: {
              inboxId: inbox.id,
              identifier: '{{webhook.body.customer.id}}',
              name: '{{webhook.body.customer.name}}',
            },
          },
        },
        graph: {
          nodes: [
            node('start', 'trigger'),
            node('tell', 'send_message', {
              messageType: 'text',
              text: 'Hi {{contact.name}}, order {{webhook.body.order}} has shipped',
            }),
            node('done', 'end'),
          ],
          edges: [edge('start', 'tell'), edge('tell', 'done')],
        },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const flow = (
      await http<TFlow>(ctx.app, 'POST', `/api/v1/flows/${created.body.id}/publish`, { token: admin.token })
    ).body;
    const call = (order: string) =>
      post(tokenOf(flow), JSON.stringify({ order, customer: { id: 'cust-42', name: 'Dana' } }));
    expect((await call('A-1')).statusCode).toBe(200);
    const sent = async () =>
      (
        await ctx.database.unsafe.execute<{
          text: string;
          conversation_id: string;
          identifier: string;
          name: string;
        }>(
          sql`select m.content->>'text' as text, m.conversation_id, i.identifier, c.name
              from messages m join conversations v on v.id = m.conversation_id
              join contacts c on c.id = v.contact_id join contact_identities i on i.contact_id = c.id
              where m.channel_id = ${inbox.id} and m.direction = 'out' order by m.created_at`,
        )
      ).rows;
    const [first] = await eventually(async () => {
      const rows = await sent();
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(first).toMatchObject({
      text: 'Hi Dana, order A-1 has shipped',
      identifier: 'cust-42',
      name: 'Dana',
    });
    expect((await call('A-2')).statusCode).toBe(200);
    const rows = await eventually(async () => {
      const r = await sent();
      expect(r).toHaveLength(2);
      return r;
    });
    // The same contact and conversation: the address found them.
    expect(rows[1]!.conversation_id).toBe(first!.conversation_id);
    expect(rows[1]!.text).toBe('Hi Dana, order A-2 has shipped');
  });
});
