import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowAiClient, FlowDependencyError } from '../../src/modules/flows/nodes/ai/flow-ai-client.js';
import { edge, node } from '../flows/graphs.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { http } from '../support/test-app.js';
import { makeAgent, messagesOf, startAgentStack, type AgentStack } from './chat-agents-harness.js';

/** The flows' AI Response node on the real client: the AI service (local provider) answers, the bot posts it. */
describe('flows: AI Response through the AI service', () => {
  let stack: AgentStack;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let client: FlowAiClient;
  const signal = new AbortController().signal;

  /** A conversation of A with one inbound message. */
  async function conversation(text: string) {
    const inbox = await makeApiInbox(stack.ctx.app, A.token);
    const res = await inbound(stack.ctx.app, inbox.id, inbox.secret, textFrom(`flow-${randomUUID()}`, text));
    const { rows } = await stack.ctx.database.unsafe.execute<{ contact_id: string }>(
      sql`select contact_id from conversations where id = ${res.body.conversationId}`,
    );
    return { inbox, conversationId: res.body.conversationId as string, contactId: rows[0]!.contact_id };
  }

  beforeAll(async () => {
    stack = await startAgentStack();
    A = await makeTenantWithUser(stack.ctx.app, stack.ctx.database, 'ADMIN');
    // The worker runs flows; its client is the one the node uses.
    client = stack.worker.app.get(FlowAiClient, { strict: false });
  });
  afterAll(() => stack?.close());

  it('a published flow answers the contact with the workspace provider and stores the answer', async () => {
    const inbox = await makeApiInbox(stack.ctx.app, A.token);
    const created = await http(stack.ctx.app, 'POST', '/api/v1/flows', {
      token: A.token,
      body: {
        name: 'AI greeter',
        trigger: { type: 'message_received', settings: { channelIds: [inbox.id] } },
        graph: {
          nodes: [
            node('start', 'trigger'),
            node('ai', 'ai_response', {
              prompt: 'You are the assistant of {{contact.name}}. Answer briefly.',
            }),
            node('done', 'end'),
          ],
          edges: [edge('start', 'ai'), edge('ai', 'done')],
        },
      },
    });
    expect(created.status).toBe(201);
    expect(
      (await http(stack.ctx.app, 'POST', `/api/v1/flows/${created.body.id}/publish`, { token: A.token }))
        .status,
    ).toBe(200);

    const res = await inbound(
      stack.ctx.app,
      inbox.id,
      inbox.secret,
      textFrom('flow-contact', 'Do you deliver on Sundays?', undefined, 'Grace'),
    );
    const session = await eventually(async () => {
      const { rows } = await stack.ctx.database.unsafe.execute<{
        status: string;
        error: string | null;
        variables: Record<string, unknown>;
      }>(sql`select status, error, variables from flow_sessions where flow_id = ${created.body.id}`);
      expect(rows[0]?.status, JSON.stringify(rows[0])).toBe('completed');
      return rows[0]!;
    }, 10_000);
    const answer = session.variables.aiResponse;
    expect(typeof answer).toBe('string');
    expect((answer as string).length).toBeGreaterThan(0);
    await eventually(async () => {
      const bot = (await messagesOf(stack.ctx, res.body.conversationId)).filter(
        (m) => m.sender_type === 'bot',
      );
      expect(bot).toEqual([
        expect.objectContaining({ text: answer, sender_id: null, is_private: false, direction: 'out' }),
      ]);
    });
  });

  it('answers as an AI agent, posting as that agent, or only returns the answer', async () => {
    const agent = await makeAgent(stack.ctx, A.token, {
      name: 'Flow agent',
      systemPrompt: 'You are the Acme shop assistant.',
    });
    const { conversationId, contactId } = await conversation('What are your opening hours?');
    const sent = await client.reply(
      {
        tenantId: A.tenant.id,
        agentId: agent.id,
        contactId,
        conversationId,
        prompt: 'Be friendly.',
        message: 'What are your opening hours?',
        sendToContact: true,
      },
      signal,
    );
    expect(sent.sent).toBe(true);
    expect(sent.text.length).toBeGreaterThan(0);
    const bot = (await messagesOf(stack.ctx, conversationId)).filter((m) => m.sender_type === 'bot');
    expect(bot).toEqual([expect.objectContaining({ text: sent.text, sender_id: agent.id })]);

    const quiet = await client.reply(
      {
        tenantId: A.tenant.id,
        contactId,
        conversationId,
        prompt: 'Summarise the request in one line.',
        message: 'What are your opening hours?',
        sendToContact: false,
      },
      signal,
    );
    expect(quiet.sent).toBe(false);
    expect(quiet.text.length).toBeGreaterThan(0);
    expect((await messagesOf(stack.ctx, conversationId)).filter((m) => m.sender_type === 'bot')).toHaveLength(
      1,
    );
  });

  it("fails plainly for an agent that is not the workspace's, or disabled", async () => {
    const other = await makeTenantWithUser(stack.ctx.app, stack.ctx.database, 'ADMIN');
    const theirs = await makeAgent(stack.ctx, other.token, { name: 'Theirs' });
    const off = await makeAgent(stack.ctx, A.token, { name: 'Off duty', enabled: false });
    const { conversationId, contactId } = await conversation('hello');
    const ask = (agentId: string) =>
      client.reply(
        {
          tenantId: A.tenant.id,
          agentId,
          contactId,
          conversationId,
          prompt: 'p',
          message: 'hi',
          sendToContact: true,
        },
        signal,
      );
    await expect(ask(theirs.id)).rejects.toThrow(
      new FlowDependencyError(`No AI agent of this workspace has id ${theirs.id}`),
    );
    await expect(ask(off.id)).rejects.toThrow(new FlowDependencyError('The AI agent "Off duty" is disabled'));
    expect((await messagesOf(stack.ctx, conversationId)).filter((m) => m.sender_type === 'bot')).toEqual([]);
  });
});
