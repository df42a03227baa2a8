import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEmbedding, startFakeOpenAi, type FakeOpenAi } from './fakes/openai-api.js';
import { startAiServer, type TestAiServer } from './support/ai-server.js';

let ai: TestAiServer;
let openai: FakeOpenAi;
beforeAll(async () => {
  [ai, openai] = await Promise.all([startAiServer(), startFakeOpenAi({ embeddingDimensions: 6 })]);
});
afterAll(() => Promise.all([ai.close(), openai.close()]));

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('POST /embed', () => {
  it('embeds through the openai SDK: unit vectors in order, provider:model, usage', async () => {
    const texts = ['refund policy', 'opening hours', 'shipping to Norway'];
    const res = await ai.post('/embed', {
      provider: {
        provider: 'openai',
        model: 'text-embedding-3-small',
        apiKey: openai.apiKey,
        baseUrl: openai.baseUrl,
      },
      texts,
    });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe('openai:text-embedding-3-small');
    expect(res.body.dimensions).toBe(6);
    expect(res.body.usage).toEqual({ inputTokens: 9, outputTokens: 0 });
    expect(res.body.vectors).toHaveLength(3);
    for (const [i, vector] of (res.body.vectors as number[][]).entries()) {
      expect(norm(vector)).toBeCloseTo(1, 6);
      // Same direction as what the provider returned for that text: order is kept.
      const raw = fakeEmbedding(texts[i]!, 6);
      const cosine = vector.reduce((s, x, j) => s + x * raw[j]!, 0) / norm(raw);
      expect(cosine).toBeCloseTo(1, 6);
    }
    const sent = openai.requests.at(-1)!;
    expect(sent.path).toBe('/v1/embeddings');
    expect(sent.body).toEqual({ model: 'text-embedding-3-small', input: texts, encoding_format: 'float' });
  });

  it('embeds offline with local: 384-dimension unit vectors, same text same vector', async () => {
    const res = await ai.post('/embed', {
      provider: { provider: 'local', model: 'orbitdesk-local-1' },
      texts: ['refund policy', 'refund policy', 'opening hours'],
    });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe('local:hash-384');
    expect(res.body.dimensions).toBe(384);
    expect(res.body.vectors).toHaveLength(3);
    for (const vector of res.body.vectors as number[][]) {
      expect(vector).toHaveLength(384);
      expect(norm(vector)).toBeCloseTo(1, 6);
    }
    expect(res.body.vectors[0]).toEqual(res.body.vectors[1]);
    expect(res.body.vectors[0]).not.toEqual(res.body.vectors[2]);
    expect(res.body.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it.each(['anthropic', 'deepseek', 'xai'])('refuses %s, which cannot embed', async (provider) => {
    const res = await ai.post('/embed', {
      provider: { provider, model: 'm', apiKey: 'k', baseUrl: openai.baseUrl },
      texts: ['x'],
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      `provider ${provider} cannot embed; use one of local, openai, gemini, mistral`,
    );
  });

  it('refuses an empty list of texts', async () => {
    const res = await ai.post('/embed', { provider: { provider: 'local', model: 'm' }, texts: [] });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/body\.texts/);
  });
});
