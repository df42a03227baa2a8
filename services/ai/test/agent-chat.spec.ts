import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './fakes/anthropic-api.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/openai-api.js';
import { startFakeToolCallback, type FakeToolCallback } from './fakes/tool-callback-api.js';
import { startAiServer, TENANT_ID, type TestAiServer } from './support/ai-server.js';

let ai: TestAiServer;
let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
let tools: FakeToolCallback;
beforeAll(async () => {
  [ai, openai, anthropic, tools] = await Promise.all([
    startAiServer(),
    startFakeOpenAi(),
    startFakeAnthropic(),
    startFakeToolCallback(),
  ]);
});
afterAll(() => Promise.all([ai.close(), openai.close(), anthropic.close(), tools.close()]));
beforeEach(() => {
  tools.calls.length = 0;
});

const knowledge = [
  {
    id: 'k1',
    sourceId: 's1',
    sourceName: 'Opening hours',
    text: 'We are open 9-17 on weekdays.',
    score: 0.8,
  },
  {
    id: 'k2',
    sourceId: 's2',
    sourceName: 'Booking policy',
    text: 'Appointments last 30 minutes.',
    score: 0.6,
  },
];

function agentRequest(overrides: Record<string, any> = {}) {
  const { agent, ...rest } = overrides;
  return {
    provider: { provider: 'openai', model: 'gpt-4o-mini', apiKey: openai.apiKey, baseUrl: openai.baseUrl },
    agent: {
      id: 'agent-1',
      name: 'Ava',
      mode: 'tools',
      systemPrompt: 'Always be cheerful.',
      tools: ['lookup_crm', 'book_appointment'],
      maxIterations: 5,
      ...agent,
    },
    tenant: { id: TENANT_ID, name: 'Acme Dental' },
    contact: {
      id: 'contact-1',
      name: 'Jane Doe',
      phone: '+4712345678',
      email: null,
      tags: ['vip'],
      customFields: { plan: 'gold', visits: 3 },
    },
    conversation: { id: 'conv-1', number: 42, channelType: 'whatsapp' },
    history: [
      { role: 'user', content: 'Hi!' },
      { role: 'assistant', content: 'Hello Jane!' },
    ],
    message: 'Can you book me in tomorrow at 10?',
    knowledge,
    toolCallback: { url: tools.url, token: tools.token },
    ...rest,
  };
}

describe('agent loop, OpenAI wire format', () => {
  it('runs a tool through the callback and returns the final answer with citations and summed usage', async () => {
    tools.answer('book_appointment', (args: any) => ({
      body: { ok: true, result: { appointmentId: 'apt-1', startsAt: args.startsAt } },
    }));
    openai.reply(
      {
        content: null,
        toolCalls: [
          { id: 'call_crm', name: 'lookup_crm', arguments: {} },
          {
            id: 'call_book',
            name: 'book_appointment',
            arguments: { startsAt: '2030-05-02T10:00:00+02:00', title: 'Check-up' },
          },
        ],
        usage: { promptTokens: 100, completionTokens: 20 },
      },
      (body) => {
        // The follow-up carries the assistant's calls and one tool message per call, in order.
        const msgs = body.messages as any[];
        const toolMsgs = msgs.filter((m) => m.role === 'tool');
        expect(toolMsgs.map((m) => String(m.tool_call_id))).toEqual(['call_crm', 'call_book']);
        expect(JSON.parse(toolMsgs[1].content)).toEqual({
          ok: true,
          result: { appointmentId: 'apt-1', startsAt: '2030-05-02T10:00:00+02:00' },
        });
        return {
          content: 'Booked! See you at 10:00. Each visit lasts 30 minutes [2].',
          usage: { promptTokens: 150, completionTokens: 15 },
        };
      },
    );
    const res = await ai.post('/api/v1/agent/chat', agentRequest());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      reply: 'Booked! See you at 10:00. Each visit lasts 30 minutes [2].',
      fallbackUsed: false,
      fallbackReason: null,
      handoff: false,
      handoffReason: null,
      iterations: 2,
      toolCalls: [
        { name: 'lookup_crm', arguments: {}, ok: true, result: { tool: 'lookup_crm', done: true } },
        {
          name: 'book_appointment',
          arguments: { startsAt: '2030-05-02T10:00:00+02:00', title: 'Check-up' },
          ok: true,
          result: { appointmentId: 'apt-1', startsAt: '2030-05-02T10:00:00+02:00' },
        },
      ],
      citations: [{ chunkId: 'k2', sourceId: 's2', sourceName: 'Booking policy' }],
      usage: { inputTokens: 250, outputTokens: 35 },
    });

    // The callback got the bearer token and the arguments (defaults applied) as JSON, in order.
    expect(tools.calls.map((c) => c.tool)).toEqual(['lookup_crm', 'book_appointment']);
    for (const call of tools.calls) {
      expect(call.authorization).toBe(`Bearer ${tools.token}`);
      expect(call.contentType).toBe('application/json');
    }
    expect(tools.calls[1]!.args).toEqual({
      startsAt: '2030-05-02T10:00:00+02:00',
      title: 'Check-up',
      durationMinutes: 30,
    });

    // First request: system prompt with the agent, tenant, contact and knowledge; tools as JSON schemas.
    const first = openai.chatRequests().at(-2)!.body;
    const system: string = first.messages[0].content;
    expect(first.messages[0].role).toBe('system');
    expect(system.startsWith('Always be cheerful.')).toBe(true);
    expect(system).toContain('You are Ava, the customer-support assistant of Acme Dental');
    expect(system).toContain('- Name: Jane Doe');
    expect(system).toContain('- Phone: +4712345678');
    expect(system).not.toContain('Email');
    expect(system).toContain('- Tags: vip');
    expect(system).toContain('- plan: gold');
    expect(system).toContain('- visits: 3');
    expect(system).toContain('[1] Source: Opening hours\nWe are open 9-17 on weekdays.');
    expect(first.messages.slice(1)).toEqual([
      { role: 'user', content: 'Hi!' },
      { role: 'assistant', content: 'Hello Jane!' },
      { role: 'user', content: 'Can you book me in tomorrow at 10?' },
    ]);
    expect(first.tools.map((t: any) => String(t.function.name))).toEqual([
      'lookup_crm',
      'book_appointment',
      'handoff_to_human',
    ]);
    const book = first.tools[1].function.parameters;
    expect(book.type).toBe('object');
    expect(book.required).toEqual(['startsAt']);
    expect(book.properties.startsAt).toEqual({ type: 'string', format: 'date-time' });
    expect(book.additionalProperties).toBe(false);
    expect(first.tools[0].function.parameters).toEqual({
      type: 'object',
      properties: {},
      additionalProperties: false,
    });
    expect(first.tools[2].function.parameters.required).toEqual(['reason']);
  });

  it('feeds a failing callback back to the model as {ok:false, error} and carries on', async () => {
    tools.answer('lookup_crm', () => ({
      status: 500,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'db down' },
    }));
    openai.reply({ toolCalls: [{ id: 'c1', name: 'lookup_crm', arguments: {} }] }, (body) => {
      const result = JSON.parse((body.messages as any[]).at(-1).content);
      expect(result).toEqual({ ok: false, result: null, error: 'the lookup_crm tool failed (500): db down' });
      return { content: 'Sorry, I cannot see your record right now.' };
    });
    const res = await ai.post('/api/v1/agent/chat', agentRequest({ message: 'What plan am I on?' }));
    expect(res.status).toBe(200);
    expect(res.body.reply).toBe('Sorry, I cannot see your record right now.');
    expect(res.body.fallbackUsed).toBe(false);
    expect(res.body.toolCalls).toEqual([
      {
        name: 'lookup_crm',
        arguments: {},
        ok: false,
        result: { error: 'the lookup_crm tool failed (500): db down' },
      },
    ]);
    tools.answer('lookup_crm', () => ({ body: { ok: true, result: { tool: 'lookup_crm', done: true } } }));
  });

  it('refuses to follow a redirect from the callback and does not call a tool with invalid arguments', async () => {
    tools.answer('lookup_crm', () => ({ redirectTo: 'http://127.0.0.1:9/elsewhere' }));
    openai.reply(
      {
        toolCalls: [
          { id: 'c1', name: 'lookup_crm', arguments: {} },
          { id: 'c2', name: 'book_appointment', arguments: { startsAt: 'tomorrow at ten' } },
          { id: 'c3', name: 'book_appointment', arguments: '{"startsAt": ' },
          { id: 'c4', name: 'trigger_flow', arguments: {} },
        ],
      },
      { content: 'Which day exactly?' },
    );
    const res = await ai.post('/api/v1/agent/chat', agentRequest());
    expect(res.status).toBe(200);
    expect(res.body.reply).toBe('Which day exactly?');
    const [redirect, invalid, unparsed, unknown] = res.body.toolCalls;
    expect(redirect.ok).toBe(false);
    expect(redirect.result.error).toMatch(/^the lookup_crm tool could not be reached/);
    expect(invalid.ok).toBe(false);
    expect(invalid.result.error).toMatch(/^invalid arguments: startsAt: /);
    expect(unparsed.result.error).toBe('the arguments were not a JSON object; call the tool again');
    // trigger_flow is not one of this agent's tools.
    expect(unknown.result.error).toBe('there is no tool named trigger_flow');
    expect(tools.calls.map((c) => c.tool)).toEqual(['lookup_crm']);
    tools.answer('lookup_crm', () => ({ body: { ok: true, result: { tool: 'lookup_crm', done: true } } }));
  });

  it('answers {ok:false} for an unreadable callback answer', async () => {
    tools.answer('lookup_crm', () => ({ raw: '<html>oops</html>' }));
    openai.reply({ toolCalls: [{ name: 'lookup_crm', arguments: {} }] }, { content: 'Done.' });
    const res = await ai.post('/api/v1/agent/chat', agentRequest());
    expect(res.body.toolCalls[0]).toMatchObject({
      ok: false,
      result: { error: 'the lookup_crm tool answered something unreadable' },
    });
    tools.answer('lookup_crm', () => ({ body: { ok: true, result: { tool: 'lookup_crm', done: true } } }));
  });

  it('tells the model tools are not available when the request has no toolCallback', async () => {
    openai.reply(
      { toolCalls: [{ name: 'lookup_crm', arguments: {} }] },
      { content: 'I cannot look that up here.' },
    );
    const res = await ai.post('/api/v1/agent/chat', agentRequest({ toolCallback: undefined }));
    expect(res.status).toBe(200);
    expect(res.body.toolCalls).toEqual([
      { name: 'lookup_crm', arguments: {}, ok: false, result: { error: 'tools are not available here' } },
    ]);
    expect(tools.calls).toEqual([]);
  });

  it('falls back politely when the model keeps calling tools past maxIterations', async () => {
    const before = openai.chatRequests().length;
    for (let i = 0; i < 3; i++) openai.reply({ toolCalls: [{ name: 'lookup_crm', arguments: {} }] });
    const res = await ai.post('/api/v1/agent/chat', agentRequest({ agent: { maxIterations: 3 } }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      reply: "I'm sorry, I couldn't finish that just now. A member of our team will follow up shortly.",
      fallbackUsed: true,
      fallbackReason: 'max_iterations',
      handoff: false,
      iterations: 3,
      citations: [],
    });
    expect(res.body.toolCalls).toHaveLength(3);
    expect(openai.chatRequests().length - before).toBe(3);
    expect(openai.pendingReplies()).toBe(0);
  });

  it('falls back with provider_error (HTTP 200) when the provider stays down', async () => {
    openai.fail(500, Infinity);
    const res = await ai.post(
      '/api/v1/agent/chat',
      agentRequest({
        provider: {
          provider: 'openai',
          model: 'gpt-4o-mini',
          apiKey: openai.apiKey,
          baseUrl: openai.baseUrl,
          maxRetries: 1,
        },
      }),
    );
    openai.fail(500, 0);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      reply: "I'm sorry, I couldn't finish that just now. A member of our team will follow up shortly.",
      fallbackUsed: true,
      fallbackReason: 'provider_error',
      iterations: 1,
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });

  it('falls back with provider_error when the key is refused', async () => {
    const res = await ai.post(
      '/api/v1/agent/chat',
      agentRequest({
        provider: { provider: 'openai', model: 'gpt-4o-mini', apiKey: 'sk-bad', baseUrl: openai.baseUrl },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.fallbackReason).toBe('provider_error');
  });

  it('hands off to a human: handoff with the reason, the loop ends, no callback is made', async () => {
    openai.reply({
      content: 'Let me get a colleague for you.',
      toolCalls: [{ name: 'handoff_to_human', arguments: { reason: 'customer asked for a person' } }],
    });
    const res = await ai.post('/api/v1/agent/chat', agentRequest({ message: 'I want to talk to a human' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      reply: 'Let me get a colleague for you.',
      handoff: true,
      handoffReason: 'customer asked for a person',
      fallbackUsed: false,
      iterations: 1,
    });
    expect(res.body.toolCalls).toEqual([
      {
        name: 'handoff_to_human',
        arguments: { reason: 'customer asked for a person' },
        ok: true,
        result: { handoff: true, reason: 'customer asked for a person' },
      },
    ]);
    expect(tools.calls).toEqual([]);
  });

  it('says a polite default when the model hands off without text', async () => {
    openai.reply({ toolCalls: [{ name: 'handoff_to_human', arguments: { reason: 'angry customer' } }] });
    const res = await ai.post('/api/v1/agent/chat', agentRequest({ agent: { mode: 'rag', tools: [] } }));
    expect(res.body.reply).toBe("I'll connect you with a member of our team.");
    expect(res.body.handoff).toBe(true);
  });

  it('offers only handoff_to_human in rag mode and asks for [n] citations', async () => {
    openai.reply({ content: 'We are open 9-17 on weekdays [1].' });
    const res = await ai.post(
      '/api/v1/agent/chat',
      agentRequest({ agent: { mode: 'rag' }, message: 'When are you open?' }),
    );
    expect(res.body.reply).toBe('We are open 9-17 on weekdays [1].');
    expect(res.body.citations).toEqual([{ chunkId: 'k1', sourceId: 's1', sourceName: 'Opening hours' }]);
    const sent = openai.chatRequests().at(-1)!.body;
    expect(sent.tools.map((t: any) => String(t.function.name))).toEqual(['handoff_to_human']);
    expect(sent.messages[0].content).toMatch(/Answer only from the numbered context/);
  });
});

describe('agent loop, Anthropic wire format', () => {
  it('sends tools as Anthropic tools, tool results as tool_result blocks, and returns the final answer', async () => {
    tools.answer('lookup_crm', () => ({ body: { ok: true, result: { plan: 'gold' } } }));
    anthropic.reply(
      {
        text: 'Let me check your record.',
        toolUses: [{ id: 'toolu_01', name: 'lookup_crm', input: {} }],
        usage: { inputTokens: 200, outputTokens: 30 },
      },
      (body) => {
        const last = (body.messages as any[]).at(-1);
        expect(last.role).toBe('user');
        expect(last.content).toEqual([
          {
            type: 'tool_result',
            tool_use_id: 'toolu_01',
            content: JSON.stringify({ ok: true, result: { plan: 'gold' } }),
          },
        ]);
        const assistant = (body.messages as any[]).at(-2);
        expect(assistant.content).toEqual([
          { type: 'text', text: 'Let me check your record.' },
          { type: 'tool_use', id: 'toolu_01', name: 'lookup_crm', input: {} },
        ]);
        return { text: 'You are on the gold plan.', usage: { inputTokens: 260, outputTokens: 12 } };
      },
    );
    const res = await ai.post(
      '/api/v1/agent/chat',
      agentRequest({
        provider: {
          provider: 'anthropic',
          model: 'claude-3-5-haiku-latest',
          apiKey: anthropic.apiKey,
          baseUrl: anthropic.baseUrl,
        },
        message: 'Which plan am I on?',
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      reply: 'You are on the gold plan.',
      fallbackUsed: false,
      iterations: 2,
      toolCalls: [{ name: 'lookup_crm', arguments: {}, ok: true, result: { plan: 'gold' } }],
      usage: { inputTokens: 460, outputTokens: 42 },
    });
    const first = anthropic.requests.at(-2)!.body;
    expect(first.system).toMatch(/^Always be cheerful\./);
    expect(first.tools.map((t: any) => String(t.name))).toEqual([
      'lookup_crm',
      'book_appointment',
      'handoff_to_human',
    ]);
    expect(first.tools[1].input_schema.required).toEqual(['startsAt']);
    expect(first.messages.at(-1)).toEqual({ role: 'user', content: 'Which plan am I on?' });
    expect(tools.calls).toHaveLength(1);
    expect(tools.calls[0]!.authorization).toBe(`Bearer ${tools.token}`);
  });

  it('answers several tool_use blocks of one turn in one user turn', async () => {
    anthropic.reply(
      {
        toolUses: [
          { id: 'toolu_a', name: 'lookup_crm', input: {} },
          { id: 'toolu_b', name: 'book_appointment', input: { startsAt: '2030-01-01T09:00:00Z' } },
        ],
      },
      (body) => {
        const ids = ((body.messages as any[]).at(-1).content as any[]).map((b) => String(b.tool_use_id));
        expect(ids).toEqual(['toolu_a', 'toolu_b']);
        return { text: 'All set.' };
      },
    );
    const res = await ai.post(
      '/api/v1/agent/chat',
      agentRequest({
        provider: {
          provider: 'anthropic',
          model: 'claude-x',
          apiKey: anthropic.apiKey,
          baseUrl: anthropic.baseUrl,
        },
        history: [{ role: 'assistant', content: 'Welcome to Acme!' }],
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.reply).toBe('All set.');
    expect(res.body.toolCalls.map((c: any) => String(c.name))).toEqual(['lookup_crm', 'book_appointment']);
    // A history that opens with our greeting still starts with a user turn for Anthropic.
    expect(anthropic.requests.at(-1)!.body.messages[0].role).toBe('user');
  });
});

describe('agent loop, local provider', () => {
  it('answers a rag turn offline from knowledge, with a citation', async () => {
    const res = await ai.post(
      '/api/v1/agent/chat',
      agentRequest({
        provider: { provider: 'local', model: 'orbitdesk-local-1' },
        agent: { mode: 'rag', tools: [] },
        message: 'When are you open on weekdays?',
        toolCallback: undefined,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.fallbackUsed).toBe(false);
    expect(res.body.reply.length).toBeGreaterThan(0);
    expect(res.body.iterations).toBeGreaterThanOrEqual(1);
    expect(res.body.citations).toContainEqual({ chunkId: 'k1', sourceId: 's1', sourceName: 'Opening hours' });
  });

  it('hands off offline when the customer asks for a human', async () => {
    const res = await ai.post(
      '/api/v1/agent/chat',
      agentRequest({
        provider: { provider: 'local', model: 'orbitdesk-local-1' },
        agent: { mode: 'rag', tools: [] },
        message: 'Please let me talk to a human agent',
        toolCallback: undefined,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.handoff).toBe(true);
    expect(res.body.handoffReason).toEqual(expect.any(String));
  });
});
