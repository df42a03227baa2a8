import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './fakes/anthropic-api.js';
import { startFakeOpenAi, type FakeOpenAi } from './fakes/openai-api.js';
import { startAiServer, type TestAiServer } from './support/ai-server.js';

let ai: TestAiServer;
let openai: FakeOpenAi;
let anthropic: FakeAnthropic;
beforeAll(async () => {
  [ai, openai, anthropic] = await Promise.all([startAiServer(), startFakeOpenAi(), startFakeAnthropic()]);
});
afterAll(() => Promise.all([ai.close(), openai.close(), anthropic.close()]));

const messages = [
  { role: 'user', content: 'Do you ship to Norway?' },
  { role: 'assistant', content: 'Let me check.' },
  { role: 'user', content: 'Thanks' },
];

describe('POST /chat/completion', () => {
  it('completes through the openai SDK and returns the provider usage', async () => {
    openai.reply({ content: 'Yes, we ship to Norway.', usage: { promptTokens: 42, completionTokens: 6 } });
    const res = await ai.post('/chat/completion', {
      provider: { provider: 'openai', model: 'gpt-4o-mini', apiKey: openai.apiKey, baseUrl: openai.baseUrl },
      system: 'You are terse.',
      messages,
      temperature: 0.2,
      maxTokens: 64,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      text: 'Yes, we ship to Norway.',
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 42, outputTokens: 6 },
    });
    const sent = openai.chatRequests().at(-1)!;
    expect(sent.authorization).toBe(`Bearer ${openai.apiKey}`);
    expect(sent.body.model).toBe('gpt-4o-mini');
    expect(sent.body.messages).toEqual([{ role: 'system', content: 'You are terse.' }, ...messages]);
    expect(sent.body.temperature).toBe(0.2);
    expect(sent.body.max_completion_tokens).toBe(64);
  });

  it('completes through the anthropic SDK with the system prompt as Anthropic takes it', async () => {
    anthropic.reply({ text: 'We do ship to Norway.', usage: { inputTokens: 30, outputTokens: 8 } });
    const res = await ai.post('/chat/completion', {
      provider: {
        provider: 'anthropic',
        model: 'claude-3-5-haiku-latest',
        apiKey: anthropic.apiKey,
        baseUrl: anthropic.baseUrl,
      },
      system: 'You are terse.',
      messages,
      maxTokens: 100,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      text: 'We do ship to Norway.',
      provider: 'anthropic',
      model: 'claude-3-5-haiku-latest',
      usage: { inputTokens: 30, outputTokens: 8 },
    });
    const sent = anthropic.requests.at(-1)!;
    expect(sent.headers.apiKey).toBe(anthropic.apiKey);
    expect(sent.headers.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sent.body.system).toBe('You are terse.');
    expect(sent.body.max_tokens).toBe(100);
    expect(sent.body.messages).toEqual(messages);
  });

  it('leaves empty turns out of what Anthropic gets (it refuses empty content)', async () => {
    anthropic.reply({ text: 'Hello again.' });
    const res = await ai.post('/chat/completion', {
      provider: {
        provider: 'anthropic',
        model: 'claude-x',
        apiKey: anthropic.apiKey,
        baseUrl: anthropic.baseUrl,
      },
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'Anyone there?' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.text).toBe('Hello again.');
    expect(anthropic.requests.at(-1)!.body.messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'user', content: 'Anyone there?' },
    ]);
  });

  it('reaches an OpenAI-compatible provider (deepseek) at the given base URL, with max_tokens', async () => {
    openai.reply({ content: 'Ja.' });
    const res = await ai.post('/chat/completion', {
      provider: {
        provider: 'deepseek',
        model: 'deepseek-chat',
        apiKey: openai.apiKey,
        baseUrl: openai.baseUrl,
      },
      messages: [{ role: 'user', content: 'Norway?' }],
      maxTokens: 20,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ text: 'Ja.', provider: 'deepseek', model: 'deepseek-chat' });
    const sent = openai.chatRequests().at(-1)!;
    expect(sent.body.model).toBe('deepseek-chat');
    expect(sent.body.max_tokens).toBe(20);
    expect(sent.body.max_completion_tokens).toBeUndefined();
  });

  it('completes with the offline local provider, without a key', async () => {
    const res = await ai.post('/chat/completion', {
      provider: { provider: 'local', model: 'orbitdesk-local-1' },
      messages: [{ role: 'user', content: 'Hello, can you help me?' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.provider).toBe('local');
    expect(res.body.model).toBe('orbitdesk-local-1');
    expect(typeof res.body.text).toBe('string');
    expect(res.body.text.length).toBeGreaterThan(0);
  });

  it('retries a 429 with backoff, then succeeds', async () => {
    openai.fail(429, 2, 20);
    openai.reply({ content: 'after the rate limit' });
    const before = openai.chatRequests().length;
    const res = await ai.post('/chat/completion', {
      provider: {
        provider: 'openai',
        model: 'gpt-4o-mini',
        apiKey: openai.apiKey,
        baseUrl: openai.baseUrl,
        maxRetries: 2,
      },
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.text).toBe('after the rate limit');
    expect(openai.chatRequests().length - before).toBe(3);
  });

  it('retries 5xx with exponential backoff and gives up with 502 after maxRetries', async () => {
    openai.fail(500, Infinity);
    const before = openai.chatRequests().length;
    const started = Date.now();
    const res = await ai.post('/chat/completion', {
      provider: {
        provider: 'openai',
        model: 'gpt-4o-mini',
        apiKey: openai.apiKey,
        baseUrl: openai.baseUrl,
        maxRetries: 1,
      },
      messages: [{ role: 'user', content: 'hi' }],
    });
    openai.fail(500, 0);
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/openai answered 500: The server had an error.*after 2 attempts/);
    expect(openai.chatRequests().length - before).toBe(2);
    // No retry-after header: the first backoff is ~500 ms (±25 %).
    expect(Date.now() - started).toBeGreaterThanOrEqual(370);
  });

  it('does not retry a refused key and answers 400 naming the provider', async () => {
    const before = openai.chatRequests().length;
    const res = await ai.post('/chat/completion', {
      provider: { provider: 'openai', model: 'gpt-4o-mini', apiKey: 'sk-wrong', baseUrl: openai.baseUrl },
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^openai answered 401: Incorrect API key provided/);
    expect(openai.chatRequests().length - before).toBe(1);
  });

  it('answers 400 for a wrong anthropic key', async () => {
    const res = await ai.post('/chat/completion', {
      provider: {
        provider: 'anthropic',
        model: 'claude-x',
        apiKey: 'sk-ant-wrong',
        baseUrl: anthropic.baseUrl,
      },
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('anthropic answered 401: invalid x-api-key');
  });

  it('answers 502 when the provider cannot be reached', async () => {
    const res = await ai.post('/chat/completion', {
      provider: {
        provider: 'mistral',
        model: 'mistral-small-latest',
        apiKey: 'k',
        baseUrl: 'http://127.0.0.1:9/v1',
      },
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(502);
    expect(res.body.message).toMatch(/^mistral could not be reached/);
  });
});
