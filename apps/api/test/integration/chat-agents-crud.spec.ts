import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { conversations, knowledgeBases } from '../../src/db/schema/index.js';
import { eventually } from '../support/eventually.js';
import { login, makeConversation, makeTenantWithUser, makeUser } from '../support/factories.js';
import { makeApiInbox } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import {
  freePort,
  knowledgeBaseWithFile,
  makeAgent,
  startAgentStack,
  type AgentStack,
} from './chat-agents-harness.js';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('chat agents: administration', () => {
  let stack: AgentStack;
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agentToken: string;

  const agentRow = async (id: string) =>
    (await ctx.database.unsafe.execute(sql`select * from chat_agents where id = ${id}`)).rows[0];
  const inboxLinks = async (tenantId: string) =>
    (
      await ctx.database.unsafe.execute<{ channel_id: string; agent_id: string }>(
        sql`select channel_id, agent_id from chat_agent_inboxes where tenant_id = ${tenantId}`,
      )
    ).rows;

  beforeAll(async () => {
    stack = await startAgentStack();
    ctx = stack.ctx;
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    agentToken = (await login(ctx.app, agent.email)).token;
  });
  afterAll(() => stack?.close());

  it('creates an agent with the defaults, lists and shows it to any user; only admins write', async () => {
    const res = await http(ctx.app, 'POST', '/api/v1/chat-agents', { token: A.token, body: { name: 'Ava' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'Ava',
      description: null,
      mode: 'rag',
      provider: null,
      model: null,
      systemPrompt: '',
      tools: [],
      maxIterations: 10,
      handoffKeywords: ['human', 'agent', 'operator'],
      knowledgeBaseIds: [],
      inboxIds: [],
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const listed = await http(ctx.app, 'GET', '/api/v1/chat-agents', { token: agentToken });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((a: { name: string }) => a.name)).toContain('Ava');
    expect(
      (await http(ctx.app, 'GET', `/api/v1/chat-agents/${res.body.id}`, { token: agentToken })).body,
    ).toEqual(res.body);
    for (const [method, url, body] of [
      ['POST', '/api/v1/chat-agents', { name: 'Nope' }],
      ['PATCH', `/api/v1/chat-agents/${res.body.id}`, { name: 'Nope' }],
      ['DELETE', `/api/v1/chat-agents/${res.body.id}`, undefined],
      ['POST', `/api/v1/chat-agents/${res.body.id}/preview`, { message: 'hi' }],
    ] as const) {
      expect((await http(ctx.app, method, url, { token: agentToken, body })).status).toBe(403);
    }
    const audit = await ctx.database.unsafe.execute<{ action: string }>(
      sql`select action from audit_logs where entity_id = ${res.body.id}`,
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['chat_agent.created']);
  });

  it('refuses bad input with a clear 400 and a taken name with 409, storing nothing', async () => {
    const inboxOfB = await makeApiInbox(ctx.app, B.token);
    const before = (await http(ctx.app, 'GET', '/api/v1/chat-agents', { token: A.token })).body.items.length;
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name: '' }, 400, 'body.name'],
      [{ name: 'X', mode: 'magic' }, 400, 'body.mode'],
      [{ name: 'X', tools: ['lookup_crm', 'lookup_crm'], mode: 'tools' }, 400, 'tools must not repeat'],
      [{ name: 'X', tools: ['rm_rf'], mode: 'tools' }, 400, 'body.tools'],
      [{ name: 'X', tools: ['lookup_crm'] }, 400, 'only an agent in "tools" mode runs tools'],
      [{ name: 'X', maxIterations: 21 }, 400, 'body.maxIterations'],
      [
        { name: 'X', knowledgeBaseIds: [MISSING] },
        400,
        `no knowledge base of this workspace has id ${MISSING}`,
      ],
      [{ name: 'X', inboxIds: [inboxOfB.id] }, 400, `no inbox of this workspace has id ${inboxOfB.id}`],
      [{ name: 'X', inboxIds: ['nope'] }, 400, 'body.inboxIds'],
      [{ name: 'X', secret: 1 }, 400, 'unknown property: secret'],
      [{ name: 'Ava' }, 409, 'A chat agent named "Ava" already exists'],
    ];
    for (const [body, status, message] of cases) {
      const res = await http(ctx.app, 'POST', '/api/v1/chat-agents', { token: A.token, body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.message, JSON.stringify(body)).toContain(message);
    }
    expect((await http(ctx.app, 'GET', '/api/v1/chat-agents', { token: A.token })).body.items).toHaveLength(
      before,
    );
    // B's inbox was never linked to anything.
    expect(await inboxLinks(B.tenant.id)).toEqual([]);
  });

  it('updates fields and links; an inbox moves to the agent that names it last', async () => {
    const [inbox1, inbox2] = [await makeApiInbox(ctx.app, A.token), await makeApiInbox(ctx.app, A.token)];
    const kb = await bareKnowledgeBase(A.tenant.id);
    const first = await makeAgent(ctx, A.token, { name: 'First', inboxIds: [inbox1.id, inbox2.id] });
    const second = await makeAgent(ctx, A.token, {
      name: 'Second',
      inboxIds: [inbox2.id],
      knowledgeBaseIds: [kb],
    });
    expect(second.inboxIds).toEqual([inbox2.id]);
    expect(second.knowledgeBaseIds).toEqual([kb]);
    const firstNow = await http(ctx.app, 'GET', `/api/v1/chat-agents/${first.id}`, { token: A.token });
    expect(firstNow.body.inboxIds).toEqual([inbox1.id]);

    const patched = await http(ctx.app, 'PATCH', `/api/v1/chat-agents/${first.id}`, {
      token: A.token,
      body: {
        mode: 'tools',
        tools: ['lookup_crm', 'book_appointment'],
        provider: 'openai',
        model: 'gpt-4o',
        handoffKeywords: ['person'],
        inboxIds: [inbox2.id],
        knowledgeBaseIds: [kb],
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'First',
      mode: 'tools',
      tools: ['lookup_crm', 'book_appointment'],
      provider: 'openai',
      model: 'gpt-4o',
      handoffKeywords: ['person'],
      inboxIds: [inbox2.id],
      knowledgeBaseIds: [kb],
    });
    expect(
      (await http(ctx.app, 'GET', `/api/v1/chat-agents/${second.id}`, { token: A.token })).body.inboxIds,
    ).toEqual([]);
    const links = await inboxLinks(A.tenant.id);
    expect(links.filter((l) => [inbox1.id, inbox2.id].includes(l.channel_id))).toEqual([
      { channel_id: inbox2.id, agent_id: first.id },
    ]);

    const rename = await http(ctx.app, 'PATCH', `/api/v1/chat-agents/${first.id}`, {
      token: A.token,
      body: { name: 'Second' },
    });
    expect(rename.status).toBe(409);
    const contradiction = await http(ctx.app, 'PATCH', `/api/v1/chat-agents/${first.id}`, {
      token: A.token,
      body: { mode: 'rag' },
    });
    expect(contradiction.status).toBe(400);
    expect((await agentRow(first.id))?.mode).toBe('tools');
  });

  it("answers 404 for another workspace's agent on every route, and changes nothing", async () => {
    const mine = await makeAgent(ctx, A.token, { name: 'Private' });
    const before = await agentRow(mine.id);
    for (const [method, url, body] of [
      ['GET', `/api/v1/chat-agents/${mine.id}`, undefined],
      ['PATCH', `/api/v1/chat-agents/${mine.id}`, { name: 'Stolen', enabled: false }],
      ['DELETE', `/api/v1/chat-agents/${mine.id}`, undefined],
      ['POST', `/api/v1/chat-agents/${mine.id}/preview`, { message: 'hi' }],
    ] as const) {
      const theirs = await http(ctx.app, method, url, { token: B.token, body });
      const missing = await http(ctx.app, method, url.replace(mine.id, MISSING), { token: B.token, body });
      expect(theirs.status, `${method} ${url}`).toBe(404);
      expect(theirs.body).toEqual(missing.body);
    }
    expect((await http(ctx.app, 'GET', '/api/v1/chat-agents', { token: B.token })).body.items).toEqual([]);
    expect(await agentRow(mine.id)).toEqual(before);
  });

  it('deleting or disabling an agent lets go of its conversations, which stay open', async () => {
    const inbox = await makeApiInbox(ctx.app, A.token);
    const doomed = await makeAgent(ctx, A.token, { name: 'Doomed', inboxIds: [inbox.id] });
    const paused = await makeAgent(ctx, A.token, { name: 'Paused' });
    const c1 = await makeConversation(ctx.database, A.tenant.id, {
      channelId: inbox.id,
      chatAgentId: doomed.id,
    });
    const c2 = await makeConversation(ctx.database, A.tenant.id, {
      channelId: inbox.id,
      chatAgentId: paused.id,
    });
    const seen: DomainEventMap['conversation.updated'][] = [];
    const off = ctx.app.get(DomainEvents).on('conversation.updated', (e) => void seen.push(e));

    const deleted = await http(ctx.app, 'DELETE', `/api/v1/chat-agents/${doomed.id}`, { token: A.token });
    expect(deleted.status).toBe(200);
    expect(deleted.body.name).toBe('Doomed');
    expect((await http(ctx.app, 'GET', `/api/v1/chat-agents/${doomed.id}`, { token: A.token })).status).toBe(
      404,
    );
    const disabled = await http(ctx.app, 'PATCH', `/api/v1/chat-agents/${paused.id}`, {
      token: A.token,
      body: { enabled: false },
    });
    expect(disabled.body.enabled).toBe(false);

    const rows = await ctx.database.unsafe
      .select({ id: conversations.id, chatAgentId: conversations.chatAgentId, status: conversations.status })
      .from(conversations)
      .where(sql`${conversations.id} in (${c1.id}, ${c2.id})`);
    expect(rows.sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [
        { id: c1.id, chatAgentId: null, status: 'open' },
        { id: c2.id, chatAgentId: null, status: 'open' },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    await eventually(() =>
      expect(seen.map((e) => [e.conversation.id, e.conversation.chatAgentId, e.changes])).toEqual([
        [c1.id, null, ['chatAgentId']],
        [c2.id, null, ['chatAgentId']],
      ]),
    );
    off();
    expect(await inboxLinks(A.tenant.id)).not.toContainEqual(
      expect.objectContaining({ agent_id: doomed.id }),
    );
  });

  it('previews an answer from the agent’s knowledge without storing or sending anything', async () => {
    const kb = await knowledgeBase(A.token, 'Preview KB');
    const inbox = await makeApiInbox(ctx.app, A.token);
    const agent = await makeAgent(ctx, A.token, {
      name: 'Previewed',
      knowledgeBaseIds: [kb],
      inboxIds: [inbox.id],
    });
    const count = async () =>
      (
        await ctx.database.unsafe.execute<{ n: number }>(
          sql`select (select count(*) from messages where tenant_id = ${A.tenant.id})::int
                   + (select count(*) from ai_agent_runs where tenant_id = ${A.tenant.id})::int as n`,
        )
      ).rows[0]!.n;
    const before = await count();
    const res = await http(ctx.app, 'POST', `/api/v1/chat-agents/${agent.id}/preview`, {
      token: A.token,
      body: { message: 'How long does a refund take?' },
    });
    expect(res.status).toBe(200);
    expect(res.body.reply).toContain('5 business days');
    expect(res.body.citations).toEqual([expect.objectContaining({ sourceName: 'faq.txt' })]);
    expect(res.body).toMatchObject({ fallbackUsed: false, handoff: false });
    expect(await count()).toBe(before);
    expect(
      (await http(ctx.app, 'POST', `/api/v1/chat-agents/${agent.id}/preview`, { token: A.token, body: {} }))
        .status,
    ).toBe(400);
  });

  it('a preview while the AI service is unreachable answers 503 saying so', async () => {
    const down = await startTestApp({
      db: ctx.db,
      env: { AI_SERVICE_URL: `http://127.0.0.1:${await freePort()}` },
    });
    try {
      const agent = await makeAgent(down, A.token, { name: 'Offline' });
      const res = await http(down.app, 'POST', `/api/v1/chat-agents/${agent.id}/preview`, {
        token: A.token,
        body: { message: 'hello' },
      });
      expect(res.status).toBe(503);
      expect(res.body.message).toMatch(/^The AI service could not answer: AI service unreachable/);
    } finally {
      await down.close();
    }
  });

  /** A knowledge base row without sources: enough to link. */
  async function bareKnowledgeBase(tenantId: string): Promise<string> {
    const [row] = await ctx.database.unsafe
      .insert(knowledgeBases)
      .values({ tenantId, name: `Bare ${Math.random()}`, embeddingModel: 'local:hash-384' })
      .returning();
    return row!.id;
  }

  async function knowledgeBase(token: string, name: string): Promise<string> {
    const kb = await knowledgeBaseWithFile(ctx, token, {
      name: 'faq.txt',
      text: `${name}.\n\nRefunds reach your original payment method within 5 business days of the return arriving.`,
    });
    return kb.id;
  }
});
