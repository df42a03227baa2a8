import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestContext } from '../../src/common/tenancy/request-context.js';
import {
  ChatAgentReplyService,
  HANDOFF_REPLY,
} from '../../src/modules/chat-agents/chat-agent-reply.service.js';
import { startAiService, type RunningAiService } from '../support/ai-service.js';
import { eventually } from '../support/eventually.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { inbound, makeApiInbox, startCallbackServer, textFrom } from '../support/inbox.js';
import { http } from '../support/test-app.js';
import {
  conversationState,
  knowledgeBaseWithFile,
  makeAgent,
  messagesOf,
  onlineOn,
  runOf,
  runsOf,
  startAgentStack,
  type AgentStack,
} from './chat-agents-harness.js';

const RETURNS_POLICY = [
  'Acme returns policy.',
  'You can return any unworn item within 30 days of delivery for a full refund.',
  'Refunds reach your original payment method within 5 business days.',
  'Shipping is free on orders over 50 euros.',
].join('\n\n');

/**
 * The "done when", end to end on the api channel: an inbound message → the chat-agent-reply job in the
 * worker → the real AI service (local provider) → its tool callbacks into the listening API → the bot's reply
 * queued and delivered to the inbox's callback URL.
 */
describe('chat agents answer inbound messages', () => {
  let stack: AgentStack;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  let sockets: ReturnType<typeof onlineOn>;
  let seq = 0;

  const ctx = () => stack.ctx;
  /** The contact writes on the inbox; the stored message and its conversation. */
  async function say(inbox: { id: string; secret: string }, identifier: string, text: string) {
    const res = await inbound(ctx().app, inbox.id, inbox.secret, textFrom(identifier, text, `m-${++seq}`));
    expect(res.status).toBe(200);
    return { messageId: res.body.messageId as string, conversationId: res.body.conversationId as string };
  }
  const botReplies = async (conversationId: string) =>
    (await messagesOf(ctx(), conversationId)).filter((m) => m.sender_type === 'bot' && !m.is_private);
  const notes = async (conversationId: string) =>
    (await messagesOf(ctx(), conversationId)).filter((m) => m.is_private);
  const newAgentUser = async () => {
    const user = await makeUser(ctx().database, A.tenant.id, { role: 'AGENT' });
    return { id: user.id, token: (await login(ctx().app, user.email)).token };
  };
  /** An api inbox with round-robin on and these members. */
  async function autoInbox(memberIds: string[]) {
    const inbox = await makeApiInbox(ctx().app, A.token, { callbackUrl: callback.url });
    const patched = await http(ctx().app, 'PATCH', `/api/v1/channels/${inbox.id}`, {
      token: A.token,
      body: { autoAssign: true, maxOpenPerAgent: 10 },
    });
    expect(patched.status).toBe(200);
    const put = await http(ctx().app, 'PUT', `/api/v1/channels/${inbox.id}/members`, {
      token: A.token,
      body: { userIds: memberIds },
    });
    expect(put.status).toBe(200);
    return inbox;
  }
  /** Nothing more happens for this message: no run and no reply (the worker had time to act). */
  async function staysUnanswered(messageId: string, conversationId: string, repliesBefore: number) {
    await new Promise((r) => setTimeout(r, 1_500));
    const { rows } = await ctx().database.unsafe.execute(
      sql`select 1 from ai_agent_runs where message_id = ${messageId}`,
    );
    expect(rows).toHaveLength(0);
    expect(await botReplies(conversationId)).toHaveLength(repliesBefore);
  }

  beforeAll(async () => {
    stack = await startAgentStack();
    callback = await startCallbackServer();
    sockets = onlineOn(stack);
    A = await makeTenantWithUser(stack.ctx.app, stack.ctx.database, 'ADMIN');
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await sockets?.closeAll();
    await stack?.close();
    await callback?.close();
  });

  it('a RAG agent answers from an uploaded document, cites it, and the reply reaches the channel', async () => {
    const inbox = await makeApiInbox(ctx().app, A.token, { callbackUrl: callback.url });
    callback.state.secret = inbox.secret;
    const kb = await knowledgeBaseWithFile(ctx(), A.token, {
      name: 'returns-policy.txt',
      text: RETURNS_POLICY,
    });
    const agent = await makeAgent(ctx(), A.token, {
      name: 'Docs bot',
      mode: 'rag',
      systemPrompt: 'You answer questions about Acme orders.',
      knowledgeBaseIds: [kb.id],
      inboxIds: [inbox.id],
    });

    const { messageId, conversationId } = await say(
      inbox,
      'rag-1',
      'How many days do I have to return an item?',
    );
    const run = await runOf(ctx(), messageId);
    expect(run).toMatchObject({ agent_id: agent.id, error: null, fallback_used: false, handoff: false });
    expect(run.reply).toContain('30 days');
    expect(run.reply).toMatch(/\[1\]/);
    expect(run.citations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sourceId: kb.sourceId, sourceName: 'returns-policy.txt' }),
      ]),
    );

    const replies = await botReplies(conversationId);
    expect(replies).toEqual([
      expect.objectContaining({ direction: 'out', text: run.reply, sender_id: agent.id, is_private: false }),
    ]);
    expect(await conversationState(ctx(), conversationId)).toMatchObject({
      chat_agent_id: agent.id,
      assignee_id: null,
      status: 'open',
    });
    // The outbound queue delivered it to the inbox's callback URL, signed, like any agent's reply.
    await eventually(() => {
      const delivered = callback.state.requests.find((r) => r.json?.message?.id === replies[0]!.id);
      expect(delivered?.signatureValid).toBe(true);
      expect(delivered?.json.message.content.text).toBe(run.reply);
    }, 10_000);
    await eventually(async () => expect((await botReplies(conversationId))[0]?.status).toBe('sent'));
  });

  it('a tools agent looks the contact up and updates their email when asked', async () => {
    const inbox = await makeApiInbox(ctx().app, A.token, { callbackUrl: callback.url });
    const agent = await makeAgent(ctx(), A.token, {
      name: 'CRM bot',
      mode: 'tools',
      tools: ['lookup_crm', 'update_contact'],
      inboxIds: [inbox.id],
    });

    const first = await say(inbox, 'tools-1', 'what do you know about me');
    const lookup = await runOf(ctx(), first.messageId);
    expect(lookup.error).toBeNull();
    expect(lookup.tool_calls).toEqual([expect.objectContaining({ name: 'lookup_crm', ok: true })]);
    expect(lookup.tool_calls[0]!.result).toMatchObject({
      contact: { email: null },
      recentConversations: [expect.any(Object)],
    });
    expect(await botReplies(first.conversationId)).toHaveLength(1);

    const second = await say(inbox, 'tools-1', 'my email is new@acme.test');
    expect(second.conversationId).toBe(first.conversationId);
    const update = await runOf(ctx(), second.messageId);
    expect(update.tool_calls).toEqual([
      expect.objectContaining({ name: 'update_contact', ok: true, arguments: { email: 'new@acme.test' } }),
    ]);
    const contact = await ctx().database.unsafe.execute<{ email: string | null }>(
      sql`select c.email from contacts c join conversations v on v.contact_id = c.id where v.id = ${first.conversationId}`,
    );
    expect(contact.rows[0]!.email).toBe('new@acme.test');
    const replies = await botReplies(first.conversationId);
    expect(replies.map((r) => r.text)).toEqual([lookup.reply, update.reply]);
    expect(replies.every((r) => r.sender_id === agent.id)).toBe(true);
  });

  it('hands over on a handoff keyword: round-robin assigns an online person, a note says why, the bot stops', async () => {
    const human = await newAgentUser();
    await sockets.connect(human.token, A.tenant.id, human.id);
    const inbox = await autoInbox([human.id]);
    const agent = await makeAgent(ctx(), A.token, { name: 'Front desk', inboxIds: [inbox.id] });

    const hello = await say(inbox, 'handoff-1', 'hello there');
    await runOf(ctx(), hello.messageId);
    // Round-robin had an online member, and still left the conversation to the agent.
    expect(await conversationState(ctx(), hello.conversationId)).toMatchObject({
      chat_agent_id: agent.id,
      assignee_id: null,
      ai_handoff_at: null,
    });

    const ask = await say(inbox, 'handoff-1', 'I need a HUMAN, now');
    const run = await runOf(ctx(), ask.messageId);
    expect(run).toMatchObject({
      handoff: true,
      handoff_reason: 'the contact wrote the handoff keyword "human"',
      reply: HANDOFF_REPLY,
    });
    await eventually(async () =>
      expect(await conversationState(ctx(), hello.conversationId)).toMatchObject({
        chat_agent_id: null,
        assignee_id: human.id,
        status: 'open',
        ai_handoff_at: expect.any(String),
      }),
    );
    expect((await notes(hello.conversationId)).map((n) => [n.text, n.sender_id])).toEqual([
      [
        'Front desk (AI agent) handed this conversation over to a person: the contact wrote the handoff keyword "human"',
        agent.id,
      ],
    ]);

    const later = await say(inbox, 'handoff-1', 'are you still there?');
    await staysUnanswered(later.messageId, later.conversationId, 2);
  });

  it('hands over when the agent decides to, with its reason; nobody online leaves it open and unassigned', async () => {
    const human = await newAgentUser();
    await sockets.connect(human.token, A.tenant.id, human.id);
    const inbox = await autoInbox([human.id]);
    const agent = await makeAgent(ctx(), A.token, { name: 'Concierge', inboxIds: [inbox.id] });

    const ask = await say(inbox, 'decides-1', 'I want to talk to a person');
    const run = await runOf(ctx(), ask.messageId);
    expect(run.agent_id).toBe(agent.id);
    expect(run.handoff).toBe(true);
    expect(run.handoff_reason).toBeTruthy();
    expect(run.handoff_reason).not.toContain('keyword');
    expect(run.tool_calls.map((c) => c.name)).toEqual(['handoff_to_human']);
    await eventually(async () =>
      expect(await conversationState(ctx(), ask.conversationId)).toMatchObject({
        chat_agent_id: null,
        assignee_id: human.id,
      }),
    );
    expect((await notes(ask.conversationId))[0]!.text).toBe(
      `Concierge (AI agent) handed this conversation over to a person: ${run.handoff_reason}`,
    );
    expect(await botReplies(ask.conversationId)).toEqual([expect.objectContaining({ text: run.reply })]);

    // The same on an inbox whose only member is offline: open, unassigned, waiting for whoever comes.
    const away = await newAgentUser();
    const quiet = await autoInbox([away.id]);
    await makeAgent(ctx(), A.token, { name: 'Night shift', inboxIds: [quiet.id] });
    const nobody = await say(quiet, 'decides-2', 'can I speak with a real person please');
    expect((await runOf(ctx(), nobody.messageId)).handoff).toBe(true);
    await eventually(async () =>
      expect(await conversationState(ctx(), nobody.conversationId)).toMatchObject({
        chat_agent_id: null,
        assignee_id: null,
        status: 'open',
        ai_handoff_at: expect.any(String),
      }),
    );
    const next = await say(quiet, 'decides-2', 'hello?');
    await staysUnanswered(next.messageId, next.conversationId, 1);
  });

  it('stops answering once a person is assigned by hand, and lets go of the conversation for good', async () => {
    const human = await newAgentUser();
    const inbox = await makeApiInbox(ctx().app, A.token, { callbackUrl: callback.url });
    const agent = await makeAgent(ctx(), A.token, { name: 'Helper', inboxIds: [inbox.id] });
    const first = await say(inbox, 'manual-1', 'hello');
    await runOf(ctx(), first.messageId);
    expect((await conversationState(ctx(), first.conversationId)).chat_agent_id).toBe(agent.id);

    const patched = await http(ctx().app, 'PATCH', `/api/v1/conversations/${first.conversationId}`, {
      token: A.token,
      body: { assigneeId: human.id },
    });
    expect(patched.status).toBe(200);
    const second = await say(inbox, 'manual-1', 'hello again');
    await staysUnanswered(second.messageId, second.conversationId, 1);
    await eventually(async () =>
      expect(await conversationState(ctx(), first.conversationId)).toMatchObject({
        chat_agent_id: null,
        assignee_id: human.id,
        ai_handoff_at: expect.any(String),
      }),
    );
    // Unassigned again, it stays with people: the agent never claims it back.
    await http(ctx().app, 'PATCH', `/api/v1/conversations/${first.conversationId}`, {
      token: A.token,
      body: { assigneeId: null },
    });
    const third = await say(inbox, 'manual-1', 'anyone?');
    await staysUnanswered(third.messageId, third.conversationId, 1);
  });

  it('answers a message once, however often its job runs (retries, duplicates, concurrent workers)', async () => {
    const inbox = await makeApiInbox(ctx().app, A.token, { callbackUrl: callback.url });
    await makeAgent(ctx(), A.token, { name: 'Once', inboxIds: [inbox.id] });
    const replies = stack.worker.app.get(ChatAgentReplyService);
    const { messageId, conversationId } = await say(inbox, 'once-1', 'what are your opening hours?');
    const job = { tenantId: A.tenant.id, conversationId, messageId };
    // Two more workers take the same message while the queued job runs.
    await Promise.all(
      [true, false].map((last) =>
        requestContext.run({ tenantId: A.tenant.id }, () => replies.handle(job, last)),
      ),
    );
    await runOf(ctx(), messageId);
    await new Promise((r) => setTimeout(r, 800));
    expect(await runsOf(ctx(), conversationId)).toHaveLength(1);
    expect(await botReplies(conversationId)).toHaveLength(1);

    // A retry after the answer committed, and the provider redelivering the message, answer nothing more.
    await requestContext.run({ tenantId: A.tenant.id }, () => replies.handle(job, true));
    const again = await inbound(
      ctx().app,
      inbox.id,
      inbox.secret,
      textFrom('once-1', 'what are your opening hours?', `m-${seq}`),
    );
    expect(again.body.duplicate).toBe(true);
    await new Promise((r) => setTimeout(r, 800));
    expect(await runsOf(ctx(), conversationId)).toHaveLength(1);
    expect(await botReplies(conversationId)).toHaveLength(1);
  });

  it('a burst of messages gets one reply, to the latest', async () => {
    const inbox = await makeApiInbox(ctx().app, A.token, { callbackUrl: callback.url });
    // Stored while the agent is off (no jobs), then answered by two workers at once, as jobs of a burst run.
    const agent = await makeAgent(ctx(), A.token, { name: 'Burst', inboxIds: [inbox.id], enabled: false });
    const first = await say(inbox, 'burst-1', 'hi');
    const second = await say(inbox, 'burst-1', 'what are your opening hours?');
    expect(second.conversationId).toBe(first.conversationId);
    const on = await http(ctx().app, 'PATCH', `/api/v1/chat-agents/${agent.id}`, {
      token: A.token,
      body: { enabled: true },
    });
    expect(on.status).toBe(200);
    const replies = stack.worker.app.get(ChatAgentReplyService);
    await Promise.all(
      [first, second].map((m) =>
        requestContext.run({ tenantId: A.tenant.id }, () =>
          replies.handle({ tenantId: A.tenant.id, ...m }, true),
        ),
      ),
    );
    const run = await runOf(ctx(), second.messageId);
    expect(run).toMatchObject({ agent_id: agent.id, error: null });
    expect(await runsOf(ctx(), first.conversationId)).toHaveLength(1);
    expect(await botReplies(first.conversationId)).toEqual([expect.objectContaining({ text: run.reply })]);
  });

  it('leaves inboxes without an agent, and disabled agents, to people', async () => {
    const human = await newAgentUser();
    await sockets.connect(human.token, A.tenant.id, human.id);
    const inbox = await autoInbox([human.id]);
    const agent = await makeAgent(ctx(), A.token, { name: 'Sleeper', inboxIds: [inbox.id], enabled: false });
    const msg = await say(inbox, 'plain-1', 'hello');
    await eventually(async () =>
      expect((await conversationState(ctx(), msg.conversationId)).assignee_id).toBe(human.id),
    );
    await staysUnanswered(msg.messageId, msg.conversationId, 0);
    expect((await conversationState(ctx(), msg.conversationId)).chat_agent_id).toBeNull();
    expect(agent.inboxIds).toEqual([inbox.id]);
  });
});

/**
 * The contact writes again while the agent is still thinking about the first message: the AI service's agent
 * calls are held (a loopback proxy in front of the real service) until both messages are stored.
 */
describe('chat agents when the contact writes again mid-answer', () => {
  let ai: RunningAiService;
  let proxy: Server;
  let stack: AgentStack;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  const held: (() => void)[] = [];
  let holding = true;

  beforeAll(async () => {
    ai = await startAiService();
    const target = new URL(ai.url);
    proxy = createServer((req, res) => {
      const forward = () => {
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        req.pipe(upstream);
      };
      if (holding && req.url === '/api/v1/agent/chat') held.push(forward);
      else forward();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    stack = await startAgentStack({
      aiServiceUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    });
    A = await makeTenantWithUser(stack.ctx.app, stack.ctx.database, 'ADMIN');
  });
  afterAll(async () => {
    holding = false;
    for (const go of held.splice(0)) go();
    await stack?.close();
    await new Promise((resolve) => proxy?.close(resolve));
    await ai?.close();
  });

  it('drops the stale reply and answers the newer message once', async () => {
    const ctx = stack.ctx;
    const inbox = await makeApiInbox(ctx.app, A.token);
    const agent = await makeAgent(ctx, A.token, { name: 'Patient', inboxIds: [inbox.id] });
    const first = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('mid-1', 'hi', 'mid-a'));
    await eventually(() => expect(held).toHaveLength(1), 10_000);
    const second = await inbound(
      ctx.app,
      inbox.id,
      inbox.secret,
      textFrom('mid-1', 'are you open on sunday?', 'mid-b'),
    );
    await eventually(() => expect(held).toHaveLength(2), 10_000);
    holding = false;
    for (const go of held.splice(0)) go();

    const newer = await runOf(ctx, second.body.messageId);
    const stale = await runOf(ctx, first.body.messageId);
    expect(newer).toMatchObject({ agent_id: agent.id, error: null });
    expect(stale.error).toBe(
      'not sent: the contact wrote again meanwhile; the agent answers the newer message',
    );
    await new Promise((r) => setTimeout(r, 500));
    const bot = (await messagesOf(ctx, first.body.conversationId)).filter((m) => m.sender_type === 'bot');
    expect(bot).toEqual([expect.objectContaining({ text: newer.reply })]);
  });
});
