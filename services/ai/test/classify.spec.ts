import { MESSAGE_INTENTS } from '@orbitdesk/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/openai-api.js';
import { startAiServer, type TestAiServer } from './support/ai-server.js';

let ai: TestAiServer;
let openai: FakeOpenAi;
beforeAll(async () => {
  [ai, openai] = await Promise.all([startAiServer(), startFakeOpenAi()]);
});
afterAll(() => Promise.all([ai.close(), openai.close()]));

const complaint = 'I was charged twice for my order and nobody answers my emails, this is unacceptable!';
const openaiProvider = () => ({
  provider: 'openai',
  model: 'gpt-4o-mini',
  apiKey: openai.apiKey,
  baseUrl: openai.baseUrl,
});

describe('POST /classify', () => {
  it('classifies offline with local: intent, confidence, sentiment, language', async () => {
    const res = await ai.post('/classify', {
      provider: { provider: 'local', model: 'orbitdesk-local-1' },
      text: complaint,
    });
    expect(res.status).toBe(200);
    expect(MESSAGE_INTENTS).toContain(res.body.intent);
    expect(res.body.confidence).toBeGreaterThan(0);
    expect(res.body.confidence).toBeLessThanOrEqual(1);
    expect(res.body.sentiment).toBeLessThan(0);
    expect(res.body.language).toBe('en');
    expect(res.body.model).toBe('local:orbitdesk-local-1');
    expect(res.body.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('asks the LLM for strict JSON and takes its answer, with the language from the local detector', async () => {
    openai.reply({
      content: '{"intent": "billing", "confidence": 0.93, "sentiment": -0.8}',
      usage: { promptTokens: 120, completionTokens: 15 },
    });
    const res = await ai.post('/classify', { provider: openaiProvider(), text: complaint });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      intent: 'billing',
      confidence: 0.93,
      sentiment: -0.8,
      language: 'en',
      model: 'openai:gpt-4o-mini',
      usage: { inputTokens: 120, outputTokens: 15 },
    });
    const sent = openai.chatRequests().at(-1)!;
    expect(sent.body.messages[0].role).toBe('system');
    for (const intent of MESSAGE_INTENTS) expect(sent.body.messages[0].content).toContain(intent);
    expect(sent.body.messages[1]).toEqual({ role: 'user', content: complaint });
    expect(sent.body.temperature).toBe(0);
  });

  it('accepts the JSON inside a code fence', async () => {
    openai.reply({ content: '```json\n{"intent":"greeting","confidence":0.7,"sentiment":0.4}\n```' });
    const res = await ai.post('/classify', { provider: openaiProvider(), text: 'Hi there, good morning!' });
    expect(res.body).toMatchObject({
      intent: 'greeting',
      confidence: 0.7,
      sentiment: 0.4,
      model: 'openai:gpt-4o-mini',
    });
  });

  it('falls back to the local classifier when the LLM answers junk, and says so in model', async () => {
    const local = await ai.post('/classify', {
      provider: { provider: 'local', model: 'orbitdesk-local-1' },
      text: complaint,
    });
    openai.reply({
      content: 'I think this customer is upset about billing.',
      usage: { promptTokens: 50, completionTokens: 10 },
    });
    const res = await ai.post('/classify', { provider: openaiProvider(), text: complaint });
    expect(res.status).toBe(200);
    expect(res.body.intent).toBe(local.body.intent);
    expect(res.body.confidence).toBe(local.body.confidence);
    expect(res.body.sentiment).toBe(local.body.sentiment);
    expect(res.body.language).toBe('en');
    expect(res.body.model).toBe(
      'local:orbitdesk-local-1 (fallback: openai:gpt-4o-mini answered invalid JSON)',
    );
    expect(res.body.usage).toEqual({ inputTokens: 50, outputTokens: 10 });
  });

  it('falls back when the JSON names an intent outside the list', async () => {
    openai.reply({ content: '{"intent": "refund", "confidence": 0.9, "sentiment": -0.5}' });
    const res = await ai.post('/classify', { provider: openaiProvider(), text: complaint });
    expect(res.body.model).toMatch(/^local:.*fallback: openai:gpt-4o-mini answered invalid JSON/);
  });

  it('falls back when the provider call fails', async () => {
    const res = await ai.post('/classify', {
      provider: { ...openaiProvider(), apiKey: 'sk-wrong' },
      text: complaint,
    });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe('local:orbitdesk-local-1 (fallback: openai:gpt-4o-mini failed)');
    expect(res.body.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});
