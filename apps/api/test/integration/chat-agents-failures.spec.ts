import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNAVAILABLE_REPLY } from '../../src/modules/chat-agents/chat-agent-reply.service.js';
import { makeTenantWithUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import {
  conversationState,
  freePort,
  makeAgent,
  messagesOf,
  runOf,
  startAgentStack,
  startLoopingOpenAi,
  useOpenAiAt,
  type AgentStack,
} from './chat-agents-harness.js';

/** When the agent cannot answer, the contact still gets a polite reply and the conversation is never dropped. */
describe('chat agents when answering fails', () => {
  describe('a model that never stops calling tools (OpenAI, faked on loopback)', () => {
    let stack: AgentStack;
    let openai: Awaited<ReturnType<typeof startLoopingOpenAi>>;
    const KEY = 'sk-test-looping-0123456789';

    beforeAll(async () => {
      stack = await startAgentStack();
      openai = await startLoopingOpenAi(KEY, 'lookup_crm');
    });
    afterAll(async () => {
      await stack?.close();
      await openai?.close();
    });

    it('ends after maxIterations with the fallback reply sent; the conversation stays open with the agent', async () => {
      const { ctx } = stack;
      const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      await useOpenAiAt(ctx, admin.tenant.id, openai.baseUrl, KEY);
      const inbox = await makeApiInbox(ctx.app, admin.token);
      const agent = await makeAgent(ctx, admin.token, {
        name: 'Loopy',
        mode: 'tools',
        tools: ['lookup_crm'],
        maxIterations: 3,
        inboxIds: [inbox.id],
      });

      const res = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('loop-1', 'where is my order?'));
      expect(res.status).toBe(200);
      const run = await runOf(ctx, res.body.messageId);
      expect(run).toMatchObject({
        agent_id: agent.id,
        fallback_used: true,
        fallback_reason: 'max_iterations',
        iterations: 3,
        handoff: false,
        error: null,
      });
      // Each iteration's tool call went through the API's callback with the turn's token.
      expect(run.tool_calls.map((c) => [c.name, c.ok])).toEqual([
        ['lookup_crm', true],
        ['lookup_crm', true],
        ['lookup_crm', true],
      ]);
      expect(openai.seen).toHaveLength(3);
      expect(openai.seen[0]!.authorization).toBe(`Bearer ${KEY}`);
      expect(openai.seen[0]!.body.tools?.map((t) => t.function.name)).toEqual(
        expect.arrayContaining(['lookup_crm', 'handoff_to_human']),
      );

      const sent = (await messagesOf(ctx, res.body.conversationId)).filter((m) => m.sender_type === 'bot');
      expect(sent).toEqual([
        expect.objectContaining({ text: run.reply, sender_id: agent.id, is_private: false }),
      ]);
      expect(run.reply?.length).toBeGreaterThan(10);
      expect(await conversationState(ctx, res.body.conversationId)).toMatchObject({
        status: 'open',
        chat_agent_id: agent.id,
        ai_handoff_at: null,
      });
    });
  });

  describe('the AI service unreachable', () => {
    let stack: AgentStack;

    beforeAll(async () => {
      stack = await startAgentStack({ aiServiceUrl: `http://127.0.0.1:${await freePort()}` });
    });
    afterAll(() => stack?.close());

    it('retries with backoff, then sends the polite fallback and hands the conversation to people', async () => {
      const { ctx } = stack;
      const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const inbox = await makeApiInbox(ctx.app, admin.token);
      const agent = await makeAgent(ctx, admin.token, { name: 'Unplugged', inboxIds: [inbox.id] });
      const started = Date.now();

      const res = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('down-1', 'hello?'));
      const run = await runOf(ctx, res.body.messageId, 40_000);
      // Four attempts, 1.5 s + 3 s + 6 s apart.
      expect(Date.now() - started).toBeGreaterThan(10_000);
      expect(run).toMatchObject({
        agent_id: agent.id,
        reply: UNAVAILABLE_REPLY,
        fallback_used: true,
        fallback_reason: 'ai_service_unavailable',
        handoff: true,
        handoff_reason: 'the AI service could not answer',
      });
      expect(run.error).toContain('AI service unreachable');

      const messages = await messagesOf(ctx, res.body.conversationId);
      expect(messages.filter((m) => m.sender_type === 'bot').map((m) => [m.text, m.is_private])).toEqual([
        [UNAVAILABLE_REPLY, false],
        [
          'Unplugged (AI agent) handed this conversation over to a person: the AI service could not answer',
          true,
        ],
      ]);
      expect(await conversationState(ctx, res.body.conversationId)).toMatchObject({
        status: 'open',
        chat_agent_id: null,
        ai_handoff_at: expect.any(String),
      });
    }, 60_000);
  });
});
