import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCitations } from '../src/rag/rag-context.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/openai-api.js';
import { startAiServer, type TestAiServer } from './support/ai-server.js';

let ai: TestAiServer;
let openai: FakeOpenAi;
beforeAll(async () => {
  [ai, openai] = await Promise.all([startAiServer(), startFakeOpenAi()]);
});
afterAll(() => Promise.all([ai.close(), openai.close()]));

const chunks = [
  {
    id: 'c1',
    sourceId: 's1',
    sourceName: 'Shipping.pdf',
    text: 'We ship to all EU countries and Norway.',
    score: 0.9,
  },
  {
    id: 'c2',
    sourceId: 's2',
    sourceName: 'Returns FAQ',
    text: 'Returns are free within 30 days.',
    score: 0.7,
  },
  {
    id: 'c3',
    sourceId: 's1',
    sourceName: 'Shipping.pdf',
    text: 'Delivery takes 3-5 working days.',
    score: 0.5,
  },
];
const provider = () => ({
  provider: 'openai',
  model: 'gpt-4o-mini',
  apiKey: openai.apiKey,
  baseUrl: openai.baseUrl,
});

describe('POST /rag/query', () => {
  it('puts numbered, named context in the system prompt and turns [n] markers into citations', async () => {
    openai.reply({
      content: 'Yes, we ship to Norway [1], usually within 3-5 working days [3][1]. See also [7].',
      usage: { promptTokens: 300, completionTokens: 25 },
    });
    const res = await ai.post('/rag/query', {
      provider: provider(),
      question: 'Do you ship to Norway and how long does it take?',
      chunks,
      system: 'You are the Acme help desk.',
      history: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello! How can I help?' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      answer: 'Yes, we ship to Norway [1], usually within 3-5 working days [3][1]. See also [7].',
      citations: [
        { chunkId: 'c1', sourceId: 's1', sourceName: 'Shipping.pdf' },
        { chunkId: 'c3', sourceId: 's1', sourceName: 'Shipping.pdf' },
      ],
      answered: true,
      usage: { inputTokens: 300, outputTokens: 25 },
    });
    const sent = openai.chatRequests().at(-1)!;
    const system: string = sent.body.messages[0].content;
    expect(system.startsWith('You are the Acme help desk.')).toBe(true);
    expect(system).toMatch(/Answer only from the numbered context/);
    expect(system).toContain('[1] Source: Shipping.pdf\nWe ship to all EU countries and Norway.');
    expect(system).toContain('[2] Source: Returns FAQ\nReturns are free within 30 days.');
    expect(system).toContain('[3] Source: Shipping.pdf\nDelivery takes 3-5 working days.');
    expect(sent.body.messages.slice(1)).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello! How can I help?' },
      { role: 'user', content: 'Do you ship to Norway and how long does it take?' },
    ]);
  });

  it('is not answered when the reply cites nothing valid', async () => {
    openai.reply({ content: "I'm sorry, I don't know that [9]." });
    const res = await ai.post('/rag/query', {
      provider: provider(),
      question: 'Do you sell gift cards?',
      chunks,
    });
    expect(res.status).toBe(200);
    expect(res.body.citations).toEqual([]);
    expect(res.body.answered).toBe(false);
  });

  it('answers from knowledge offline with the local provider', async () => {
    const res = await ai.post('/rag/query', {
      provider: { provider: 'local', model: 'orbitdesk-local-1' },
      question: 'Do you ship to Norway?',
      chunks,
    });
    expect(res.status).toBe(200);
    expect(res.body.answered).toBe(true);
    expect(res.body.citations[0]).toEqual({ chunkId: 'c1', sourceId: 's1', sourceName: 'Shipping.pdf' });
  });
});

describe('parseCitations', () => {
  it('reads [n], [n][m] and [n, m], dedupes, and ignores out-of-range and non-numeric brackets', () => {
    const text = 'A [2]. B [1, 3]. C [2][0][4]. D [note] [03]';
    expect(parseCitations(text, chunks).map((c) => c.chunkId)).toEqual(['c2', 'c1', 'c3']);
    expect(parseCitations('nothing cited', chunks)).toEqual([]);
    expect(parseCitations('[1]', [])).toEqual([]);
  });
});
