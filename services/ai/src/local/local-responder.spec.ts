import {
  AI_AGENT_TOOLS,
  AI_HANDOFF_TOOL,
  ZBookAppointmentArgs,
  ZTriggerFlowArgs,
  ZUpdateContactArgs,
  ZUpdateConversationArgs,
  type TRagChunk,
} from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import type { ProviderChatRequest, ProviderMessage, ProviderTool } from '../providers/provider.js';
import { createLocalModels } from './index.js';

// Friday 27 November 2026, 10:00 UTC.
const models = createLocalModels({ now: () => new Date('2026-11-27T10:00:00Z') });
const allTools: ProviderTool[] = [...AI_AGENT_TOOLS, AI_HANDOFF_TOOL].map((name) => ({
  name,
  description: `the ${name} tool`,
  parameters: { type: 'object' },
}));

function ask(content: string, tools: ProviderTool[] = allTools, extra: Partial<ProviderChatRequest> = {}) {
  return models.complete({
    model: 'orbitdesk-local-1',
    messages: [{ role: 'user', content }],
    tools,
    ...extra,
  });
}

function only(...names: string[]): ProviderTool[] {
  return allTools.filter((t) => names.includes(t.name));
}

function calls(content: string, tools: ProviderTool[] = allTools) {
  return ask(content, tools).toolCalls.map((c) => ({ name: c.name, arguments: c.arguments }));
}

describe('local responder: tool planning', () => {
  it('hands off to a human when asked, with a reason and a reply to send', () => {
    for (const text of [
      'I want to talk to a human',
      'can I speak to a real person please',
      'connect me with an agent',
      'quiero hablar con una persona',
    ]) {
      const result = ask(text);
      expect(
        result.toolCalls.map((c) => c.name),
        text,
      ).toEqual([AI_HANDOFF_TOOL]);
      expect(result.toolCalls[0]?.arguments.reason).toEqual(expect.stringContaining(text));
      expect(result.stopReason).toBe('tool_calls');
      expect(result.text).toMatch(/member of our team/);
    }
  });

  it('books appointments at the time asked for, in UTC with an offset', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['Can you book me an appointment tomorrow at 3pm?', { startsAt: '2026-11-28T15:00:00Z' }],
      [
        'Please schedule a demo on Monday at 10:00 for 45 minutes',
        { startsAt: '2026-11-30T10:00:00Z', durationMinutes: 45, title: 'Demo' },
      ],
      ['book a call for 2026-12-01 15:00', { startsAt: '2026-12-01T15:00:00Z', title: 'Call' }],
      ['I need an appointment on Dec 3 at 9am', { startsAt: '2026-12-03T09:00:00Z' }],
    ];
    for (const [text, args] of cases) {
      const planned = calls(text);
      expect(planned, text).toEqual([{ name: 'book_appointment', arguments: args }]);
      expect(ZBookAppointmentArgs.safeParse(planned[0]?.arguments).success).toBe(true);
    }
  });

  it('asks for a time when a booking names none, instead of guessing', () => {
    const result = ask('I would like to book an appointment please');
    expect(result.toolCalls).toEqual([]);
    expect(result.stopReason).toBe('end');
    expect(result.text).toMatch(/which day and time/i);
  });

  it('updates the contact with an email, a name and a company', () => {
    expect(calls('my email is Jane@Acme.test')).toEqual([
      { name: 'update_contact', arguments: { email: 'jane@acme.test' } },
    ]);
    expect(calls('you can reach me at ana@lima.test')).toEqual([
      { name: 'update_contact', arguments: { email: 'ana@lima.test' } },
    ]);
    expect(calls('please change my name to jane doe')).toEqual([
      { name: 'update_contact', arguments: { name: 'Jane Doe' } },
    ]);
    expect(calls('my company is Acme')).toEqual([
      { name: 'update_contact', arguments: { customFields: { company: 'Acme' } } },
    ]);
    const combined = calls('My name is Ana Lima and my email is ana@lima.test');
    expect(combined).toEqual([
      { name: 'update_contact', arguments: { name: 'Ana Lima', email: 'ana@lima.test' } },
    ]);
    expect(ZUpdateContactArgs.safeParse(combined[0]?.arguments).success).toBe(true);
  });

  it('looks the customer up when they ask what is on file', () => {
    for (const text of [
      'What do you know about me?',
      'can you check my account details',
      "what's on file for me",
    ]) {
      expect(calls(text), text).toEqual([{ name: 'lookup_crm', arguments: {} }]);
    }
  });

  it('changes the conversation: priority, status, tags', () => {
    expect(calls('mark this urgent')).toEqual([
      { name: 'update_conversation', arguments: { priority: 'urgent' } },
    ]);
    expect(calls('this is high priority')).toEqual([
      { name: 'update_conversation', arguments: { priority: 'high' } },
    ]);
    expect(calls("it's urgent!")).toEqual([
      { name: 'update_conversation', arguments: { priority: 'urgent' } },
    ]);
    expect(calls('set the priority to low')).toEqual([
      { name: 'update_conversation', arguments: { priority: 'low' } },
    ]);
    expect(calls('please reopen this')).toEqual([
      { name: 'update_conversation', arguments: { status: 'open' } },
    ]);
    expect(calls('thanks, you can close this now')).toEqual([
      { name: 'update_conversation', arguments: { status: 'resolved' } },
    ]);
    expect(calls('please resolve this')).toEqual([
      { name: 'update_conversation', arguments: { status: 'resolved' } },
    ]);
    const tagged = calls('tag this as vip');
    expect(tagged).toEqual([{ name: 'update_conversation', arguments: { addTags: ['vip'] } }]);
    expect(ZUpdateConversationArgs.safeParse(tagged[0]?.arguments).success).toBe(true);
  });

  it('starts a flow by name', () => {
    expect(calls('please start the onboarding flow')).toEqual([
      { name: 'trigger_flow', arguments: { flowName: 'onboarding' } },
    ]);
    const quoted = calls('run the "Welcome series" flow for me');
    expect(quoted).toEqual([{ name: 'trigger_flow', arguments: { flowName: 'Welcome series' } }]);
    expect(ZTriggerFlowArgs.safeParse(quoted[0]?.arguments).success).toBe(true);
  });

  it('plans several calls from one message, handoff last, with unique ids', () => {
    const result = ask(
      'My email is jane@acme.test, book me for tomorrow at 3pm and then let me talk to a person',
    );
    expect(result.toolCalls.map((c) => c.name)).toEqual([
      'update_contact',
      'book_appointment',
      AI_HANDOFF_TOOL,
    ]);
    expect(new Set(result.toolCalls.map((c) => c.id)).size).toBe(3);
    for (const call of result.toolCalls) expect(call.id).toMatch(/^local_call_\d+$/);
  });

  it('uses only the tools it is offered', () => {
    expect(calls('my email is jane@acme.test and book me tomorrow at 3pm', only(AI_HANDOFF_TOOL))).toEqual(
      [],
    );
    expect(calls('book me tomorrow at 3pm', only('book_appointment'))).toHaveLength(1);
    expect(ask('I want to talk to a human', []).toolCalls).toEqual([]);
  });

  it('plans nothing for messages that ask for no tool', () => {
    for (const text of [
      'hello!',
      'Do you ship to Canada?',
      'the price tag is too high',
      'are you closed on Sundays?',
      'please close my account',
      'can you resolve this issue with my login?',
      'are you a real person?',
      'send the invoice to my boss at boss@acme.test',
      'can you set up a high chair for my son',
    ]) {
      expect(calls(text), text).toEqual([]);
    }
  });

  it('numbers new calls after the ones earlier in the conversation', () => {
    const messages: ProviderMessage[] = [
      { role: 'user', content: 'mark this urgent' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'local_call_1', name: 'update_conversation', arguments: { priority: 'urgent' } }],
      },
      {
        role: 'tool',
        toolCallId: 'local_call_1',
        name: 'update_conversation',
        content: '{"ok":true,"result":{}}',
      },
      { role: 'assistant', content: "Done: I've marked this conversation as urgent." },
      { role: 'user', content: 'and tag this as vip' },
    ];
    const result = models.complete({ model: 'm', messages, tools: allTools });
    expect(result.toolCalls).toEqual([
      { id: 'local_call_2', name: 'update_conversation', arguments: { addTags: ['vip'] } },
    ]);
  });
});

describe('local responder: after tool results', () => {
  function afterTools(results: { name: string; arguments: Record<string, unknown>; content: string }[]) {
    const toolCalls = results.map((r, i) => ({
      id: `local_call_${i + 1}`,
      name: r.name,
      arguments: r.arguments,
    }));
    const messages: ProviderMessage[] = [
      { role: 'user', content: 'do the things' },
      { role: 'assistant', content: '', toolCalls },
      ...results.map((r, i) => ({
        role: 'tool' as const,
        toolCallId: `local_call_${i + 1}`,
        name: r.name,
        content: r.content,
      })),
    ];
    return models.complete({ model: 'm', messages, tools: allTools });
  }

  it('reports what was done', () => {
    const result = afterTools([
      {
        name: 'update_contact',
        arguments: { email: 'jane@acme.test' },
        content: '{"ok":true,"result":{"id":"c1"}}',
      },
      {
        name: 'book_appointment',
        arguments: { startsAt: '2026-12-01T15:00:00Z' },
        content: JSON.stringify({
          ok: true,
          result: {
            id: 'a1',
            startsAt: '2026-12-01T15:00:00.000Z',
            durationMinutes: 30,
            title: 'Appointment',
          },
        }),
      },
      {
        name: 'update_conversation',
        arguments: { priority: 'urgent', addTags: ['vip'] },
        content: '{"ok":true,"result":{}}',
      },
      {
        name: 'trigger_flow',
        arguments: { flowName: 'onboarding' },
        content: '{"ok":true,"result":{"runId":"r1"}}',
      },
    ]);
    expect(result.toolCalls).toEqual([]);
    expect(result.stopReason).toBe('end');
    expect(result.text).toContain("Done: I've updated your email to jane@acme.test.");
    expect(result.text).toContain('Your appointment is booked for Tue 1 Dec 2026, 15:00 UTC (30 minutes).');
    expect(result.text).toContain("Done: I've marked this conversation as urgent and tagged it vip.");
    expect(result.text).toContain("Done: I've started the onboarding flow.");
  });

  it('reads the CRM record back without ids or timestamps', () => {
    const record = {
      contact: {
        id: '6f1c',
        name: 'Jane Doe',
        email: 'jane@acme.test',
        phone: '+15550001111',
        tags: ['vip', 'lead'],
        customFields: { company: 'Acme' },
        createdAt: '2026-01-01T00:00:00Z',
      },
    };
    const result = afterTools([
      { name: 'lookup_crm', arguments: {}, content: JSON.stringify({ ok: true, result: record }) },
    ]);
    expect(result.text).toMatch(
      /^Here is what we have on file: name: Jane Doe; email: jane@acme\.test; phone: \+15550001111; tags: vip, lead; company: Acme\./,
    );
    expect(result.text).not.toContain('6f1c');
    expect(result.text).not.toContain('2026-01-01');
  });

  it('says when a tool could not do it', () => {
    const result = afterTools([
      {
        name: 'book_appointment',
        arguments: { startsAt: '2026-12-01T15:00:00Z' },
        content:
          '{"ok":false,"result":null,"error":"the book_appointment tool failed (409): that slot is taken"}',
      },
    ]);
    expect(result.text).toMatch(
      /^Sorry, I couldn't book that appointment \(.*that slot is taken\)\. Would another time suit you\?/,
    );
    expect(result.text).not.toMatch(/is booked/);
  });

  it('copes with a result cut short by the agent loop', () => {
    const result = afterTools([
      { name: 'lookup_crm', arguments: {}, content: '{"ok":true,"result":{"contact":{"name":"Ja…' },
    ]);
    expect(result.stopReason).toBe('end');
    expect(result.text.length).toBeGreaterThan(0);
  });
});

describe('local responder: answers from knowledge', () => {
  const knowledge: TRagChunk[] = [
    {
      id: 'k1',
      sourceId: 's1',
      sourceName: 'Returns policy',
      score: 0.9,
      text: 'You can return any item within 30 days of delivery. Refunds are issued within 14 days of receiving the return. Items must be unused and in their original packaging.',
    },
    {
      id: 'k2',
      sourceId: 's2',
      sourceName: 'Shipping FAQ',
      score: 0.7,
      text: 'We ship to the US, Canada and the EU.\nStandard delivery takes 3-5 working days. Express delivery arrives the next working day.',
    },
  ];
  const rag = (question: string) =>
    ask(question, only(AI_HANDOFF_TOOL), { knowledge, system: 'Answer from the context.' });

  it('quotes the best sentences and cites their chunk and source', () => {
    const refunds = rag('How long do refunds take?');
    expect(refunds.toolCalls).toEqual([]);
    expect(refunds.text).toContain('Refunds are issued within 14 days of receiving the return. [1]');
    expect(refunds.text).toContain('Source: Returns policy.');
    expect(refunds.text).not.toContain('[2]');

    const shipping = rag('Do you ship to Canada?');
    expect(shipping.text).toContain('We ship to the US, Canada and the EU. [2]');
    expect(shipping.text).toContain('Shipping FAQ');

    const delivery = rag('how long does delivery take');
    expect(delivery.text).toMatch(/^Standard delivery takes 3-5 working days\./);
    expect(delivery.text).toContain('[2]');
  });

  it('says honestly when the knowledge does not hold the answer, citing nothing', () => {
    for (const question of ['What is the capital of France?', 'Do you sell gift cards?']) {
      const result = rag(question);
      expect(result.text, question).toMatch(/couldn't find that in our knowledge base/);
      expect(result.text).not.toMatch(/\[\d+\]/);
    }
  });

  it('greets a greeting even when knowledge is attached', () => {
    expect(rag('hi!').text).toMatch(/^Hi!/);
  });

  it('still hands off when asked, knowledge or not', () => {
    expect(rag('let me speak to a human').toolCalls.map((c) => c.name)).toEqual([AI_HANDOFF_TOOL]);
  });
});

describe('local responder: replies by intent, usage, limits', () => {
  it('replies to the intent of the message', () => {
    expect(ask('Good morning!', []).text).toMatch(/How can I help/);
    expect(ask('I was charged twice for the same order', []).text).toMatch(/billing/i);
    expect(ask('This is unacceptable, my parcel is late again and nobody answers', []).text).toMatch(
      /sorry/i,
    );
    expect(ask('The app crashes every time I log in', []).text).toMatch(/error message/);
  });

  it('estimates usage and stops for length like a remote model', () => {
    const result = ask('Good morning!', [], { system: 'You are a helpful assistant for Acme.' });
    expect(result.usage.inputTokens).toBeGreaterThan(5);
    expect(result.usage.outputTokens).toBeGreaterThan(5);
    const cut = ask('I was charged twice for the same order', [], { maxTokens: 5 });
    expect(cut.stopReason).toBe('length');
    expect(cut.text.split(' ').length).toBeLessThanOrEqual(4);
  });

  it('is deterministic', () => {
    const request: ProviderChatRequest = {
      model: 'm',
      messages: [{ role: 'user', content: 'book a demo tomorrow at 3pm and tag this as lead' }],
      tools: allTools,
    };
    expect(models.complete(request)).toEqual(models.complete(request));
  });
});
