import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApiKey, makeTenantWithUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { edge, helloGraph, node } from './graphs.js';

describe('flows: administration', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agent: Awaited<ReturnType<typeof makeTenantWithUser>>;

  const create = (body: Record<string, unknown>, token = A.token) =>
    http(ctx.app, 'POST', '/api/v1/flows', { token, body });

  beforeAll(async () => {
    ctx = await startTestApp();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'MANAGER');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    agent = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
  });
  afterAll(() => ctx.close());

  it('creates, lists, reads, updates and deletes a flow (MANAGER)', async () => {
    const created = await create({
      name: 'Welcome',
      trigger: { type: 'keyword', settings: { keywords: ['hi'] } },
      graph: helloGraph(),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Welcome',
      status: 'DRAFT',
      trigger: { type: 'keyword', settings: { keywords: ['hi'], match: 'exact' } },
      publishedVersionId: null,
      webhookUrl: null,
    });
    const id = created.body.id as string;

    const list = await http(ctx.app, 'GET', '/api/v1/flows', { token: A.token });
    expect(list.body.items.map((f: { id: string }) => f.id)).toContain(id);

    const patched = await http(ctx.app, 'PATCH', `/api/v1/flows/${id}`, {
      token: A.token,
      body: { name: 'Welcome 2', priority: 5 },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Welcome 2', priority: 5 });

    expect((await http(ctx.app, 'DELETE', `/api/v1/flows/${id}`, { token: A.token })).status).toBe(200);
    expect((await http(ctx.app, 'GET', `/api/v1/flows/${id}`, { token: A.token })).status).toBe(404);
  });

  it('refuses agents, and API keys without flows:read', async () => {
    expect((await http(ctx.app, 'GET', '/api/v1/flows', { token: agent.token })).status).toBe(403);
    const reader = await makeApiKey(ctx.app, B.token, ['flows:read']);
    const other = await makeApiKey(ctx.app, B.token, ['contacts:read']);
    expect((await http(ctx.app, 'GET', '/api/v1/flows', { apiKey: reader.key })).status).toBe(200);
    expect((await http(ctx.app, 'GET', '/api/v1/flows', { apiKey: other.key })).status).toBe(403);
    // Writing is for people only.
    const write = await http(ctx.app, 'POST', '/api/v1/flows', {
      apiKey: reader.key,
      body: { name: 'x', trigger: { type: 'manual' } },
    });
    expect(write.status).toBe(403);
  });

  it('answers 400 listing every graph problem with its node id, and stores nothing', async () => {
    const before = await http(ctx.app, 'GET', '/api/v1/flows?limit=100', { token: A.token });
    const res = await create({
      name: 'Broken',
      trigger: { type: 'manual' },
      graph: {
        nodes: [
          node('t1', 'trigger'),
          node('t2', 'trigger'),
          node('mystery', 'teleport'),
          node('msg', 'send_message', { messageType: 'text' }),
          node('cond', 'condition', {
            branches: [{ id: 'yes', rules: [{ left: '{{message.text}}', operator: 'equals', right: 'y' }] }],
          }),
          node('island', 'end'),
        ],
        edges: [
          edge('t1', 'msg'),
          edge('msg', 'cond'),
          edge('cond', 'mystery', 'maybe'),
          edge('msg', 'ghost'),
        ],
      },
    });
    expect(res.status).toBe(400);
    const problems = res.body.details.problems as { nodeId: string | null; message: string }[];
    const about = (id: string) => problems.filter((p) => p.nodeId === id).map((p) => p.message);
    expect(about('mystery')).toContain('unknown node type "teleport"');
    expect(about('msg').join('\n')).toMatch(/data\.text/);
    expect(about('msg').join('\n')).toMatch(/ghost/);
    expect(about('cond').join('\n')).toMatch(/port "maybe" does not exist/);
    expect(about('t2').join('\n')).toMatch(/exactly one trigger/);
    expect(about('island')).toContain('unreachable from the trigger');
    expect(res.body.message).toMatch(/island: unreachable/);
    const after = await http(ctx.app, 'GET', '/api/v1/flows?limit=100', { token: A.token });
    expect(after.body.items).toHaveLength(before.body.items.length);
  });

  it('a graph with no trigger is refused', async () => {
    const res = await create({ name: 'No trigger', trigger: { type: 'manual' }, graph: helloGraph() });
    expect(res.status).toBe(201);
    const bad = await http(ctx.app, 'PATCH', `/api/v1/flows/${res.body.id}`, {
      token: A.token,
      body: { graph: { nodes: [node('m', 'end')], edges: [] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.problems).toContainEqual({
      nodeId: null,
      message: 'the flow has no trigger node',
    });
  });

  it('publishes immutable versions; ACTIVE needs a publish; pause and archive', async () => {
    const { body: flow } = await create({
      name: 'Versions',
      trigger: { type: 'manual' },
      graph: helloGraph('v1'),
    });
    const early = await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}`, {
      token: A.token,
      body: { status: 'ACTIVE' },
    });
    expect(early.status).toBe(422);

    const p1 = await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/publish`, { token: A.token });
    expect(p1.status).toBe(200);
    expect(p1.body).toMatchObject({ status: 'ACTIVE', publishedVersion: 1 });

    await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}`, {
      token: A.token,
      body: { graph: helloGraph('v2') },
    });
    const p2 = await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/publish`, { token: A.token });
    expect(p2.body.publishedVersion).toBe(2);

    const versions = await http(ctx.app, 'GET', `/api/v1/flows/${flow.id}/versions`, { token: A.token });
    expect(versions.body.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(versions.body.items[1].graph.nodes[1].data.text).toBe('v1');
    expect(versions.body.items[0].graph.nodes[1].data.text).toBe('v2');

    for (const status of ['PAUSED', 'ARCHIVED', 'ACTIVE']) {
      const res = await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}`, {
        token: A.token,
        body: { status },
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(status);
    }
  });

  it('a webhook trigger gets a URL token; rotation and secret routes', async () => {
    const { body: flow } = await create({ name: 'Hook', trigger: { type: 'webhook' }, graph: helloGraph() });
    expect(flow.webhookUrl).toMatch(/\/api\/v1\/webhooks\/[0-9a-f-]{36}$/);
    const rotated = await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/regenerate-webhook-token`, {
      token: A.token,
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.webhookUrl).not.toBe(flow.webhookUrl);

    const set = await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}/webhook-secret`, {
      token: A.token,
      body: { secret: 'a-long-enough-secret' },
    });
    expect(set.body.webhookSecretSet).toBe(true);
    const [row] = (
      await ctx.database.unsafe.execute<{ webhook_secret: string }>(
        sql`select webhook_secret from flows where id = ${flow.id}`,
      )
    ).rows;
    expect(row!.webhook_secret).toMatch(/^v1:/);
    expect(row!.webhook_secret).not.toContain('a-long-enough-secret');
    const short = await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}/webhook-secret`, {
      token: A.token,
      body: { secret: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body.message).toMatch(/secret/);
    const cleared = await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}/webhook-secret`, {
      token: A.token,
      body: { secret: null },
    });
    expect(cleared.body.webhookSecretSet).toBe(false);

    // Leaving the webhook trigger drops the URL.
    const manual = await http(ctx.app, 'PATCH', `/api/v1/flows/${flow.id}`, {
      token: A.token,
      body: { trigger: { type: 'manual' } },
    });
    expect(manual.body.webhookUrl).toBeNull();
    const notHook = await http(ctx.app, 'POST', `/api/v1/flows/${flow.id}/regenerate-webhook-token`, {
      token: A.token,
    });
    expect(notHook.status).toBe(422);
  });

  it("the dashboard counts the workspace's ACTIVE flows", async () => {
    const C = await makeTenantWithUser(ctx.app, ctx.database, 'MANAGER');
    const draft = await create({ name: 'Draft', trigger: { type: 'manual' }, graph: helloGraph() }, C.token);
    const live = await create({ name: 'Live', trigger: { type: 'manual' }, graph: helloGraph() }, C.token);
    expect(draft.status).toBe(201);
    await http(ctx.app, 'POST', `/api/v1/flows/${live.body.id}/publish`, { token: C.token });
    const res = await http(ctx.app, 'GET', '/api/v1/analytics/dashboard', { token: C.token });
    expect(res.status).toBe(200);
    expect(res.body.activeFlows).toBe(1);
  });

  it("tenant B cannot read, change, publish or delete tenant A's flow", async () => {
    const { body: flow } = await create({
      name: 'Private',
      trigger: { type: 'manual' },
      graph: helloGraph(),
    });
    const asB = (method: 'GET' | 'PATCH' | 'POST' | 'DELETE', path: string, body?: unknown) =>
      http(ctx.app, method, `/api/v1/flows/${flow.id}${path}`, { token: B.token, body });
    expect((await asB('GET', '')).status).toBe(404);
    expect((await asB('PATCH', '', { name: 'Stolen' })).status).toBe(404);
    expect((await asB('POST', '/publish')).status).toBe(404);
    expect((await asB('GET', '/versions')).status).toBe(404);
    expect((await asB('GET', '/sessions')).status).toBe(404);
    expect((await asB('POST', '/test', {})).status).toBe(404);
    expect((await asB('DELETE', '')).status).toBe(404);
    const still = await http(ctx.app, 'GET', `/api/v1/flows/${flow.id}`, { token: A.token });
    expect(still.body).toMatchObject({ name: 'Private', status: 'DRAFT' });
  });

  it('unknown request properties and bad trigger settings are 400s naming the field', async () => {
    const extra = await create({ name: 'x', trigger: { type: 'manual' }, colour: 'red' });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toMatch(/colour/);
    const noKeywords = await create({ name: 'x', trigger: { type: 'keyword', settings: { keywords: [] } } });
    expect(noKeywords.status).toBe(400);
    expect(noKeywords.body.message).toMatch(/keywords/);
  });
});
