import { ZCreateChatAgentRequest, ZUpdateChatAgentRequest, type TChatAgent } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { inboxOwners, toChatAgentBody, toChatAgentForm } from './chat-agent-form-values';
import { citedSources } from './citations';

const id = (n: number) => `00000000-0000-4000-8000-0000000002${String(n).padStart(2, '0')}`;

function agent(n: number, over: Partial<TChatAgent> = {}): TChatAgent {
  return {
    id: id(n),
    name: `Agent ${n}`,
    description: null,
    mode: 'tools',
    provider: 'openai',
    model: 'gpt-4o',
    systemPrompt: 'Be brief.',
    tools: ['lookup_crm', 'book_appointment'],
    maxIterations: 5,
    handoffKeywords: ['human'],
    knowledgeBaseIds: [],
    inboxIds: [],
    enabled: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('chat agent form values', () => {
  it('starts a new agent from the contract defaults, and the body is valid', () => {
    const body = toChatAgentBody({ ...toChatAgentForm(), name: '  Sam  ' });
    expect(body).toMatchObject({
      name: 'Sam',
      description: null,
      mode: 'rag',
      provider: null,
      model: null,
      tools: [],
      maxIterations: 10,
      handoffKeywords: ['human', 'agent', 'operator'],
      enabled: true,
    });
    expect(ZCreateChatAgentRequest.safeParse(body).success).toBe(true);
  });

  it('round-trips a stored agent', () => {
    const stored = agent(1, { description: 'Front desk', knowledgeBaseIds: [id(50)], inboxIds: [id(60)] });
    const body = toChatAgentBody(toChatAgentForm(stored));
    const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = stored;
    expect(body).toEqual(fields);
    expect(ZUpdateChatAgentRequest.safeParse(body).success).toBe(true);
  });

  it('sends no tools in RAG mode and no model without a provider', () => {
    const form = toChatAgentForm(agent(1));
    expect(toChatAgentBody({ ...form, mode: 'rag' }).tools).toEqual([]);
    expect(toChatAgentBody({ ...form, provider: '' })).toMatchObject({ provider: null, model: null });
    expect(toChatAgentBody({ ...form, model: '  ' }).model).toBeNull();
  });

  it('an out-of-range iteration count fails the contract on its field', () => {
    const parsed = ZCreateChatAgentRequest.safeParse(
      toChatAgentBody({ ...toChatAgentForm(), maxIterations: 21 }),
    );
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path[0])).toContain('maxIterations');
  });
});

describe('inboxOwners', () => {
  it('names the other agent serving each inbox, never the agent being edited', () => {
    const owners = inboxOwners(
      [agent(1, { inboxIds: [id(60), id(61)] }), agent(2, { name: 'Night shift', inboxIds: [id(62)] })],
      id(1),
    );
    expect([...owners]).toEqual([[id(62), 'Night shift']]);
    expect(inboxOwners([agent(1, { inboxIds: [id(60)] })], undefined).get(id(60))).toBe('Agent 1');
  });
});

describe('citedSources', () => {
  it('lists each cited source once, in citation order', () => {
    expect(
      citedSources([
        { sourceId: 'b', sourceName: 'Returns policy' },
        { sourceId: 'a', sourceName: 'Shipping FAQ' },
        { sourceId: 'b', sourceName: 'Returns policy' },
      ]),
    ).toEqual([
      { id: 'b', name: 'Returns policy' },
      { id: 'a', name: 'Shipping FAQ' },
    ]);
  });
});
