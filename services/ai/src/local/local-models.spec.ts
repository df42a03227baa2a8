import { MESSAGE_INTENTS } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { LOCAL_EMBEDDING_DIMENSIONS, LOCAL_EMBEDDING_MODEL, loadLocalModels } from './index.js';

describe('loadLocalModels', () => {
  it('loads once and is shared', () => {
    expect(loadLocalModels()).toBe(loadLocalModels());
    expect(LOCAL_EMBEDDING_MODEL).toBe('local:hash-384');
  });

  it('classifies intent, sentiment and language together', () => {
    const models = loadLocalModels();
    const complaint = models.classify(
      'This is the third time my order arrived late. Completely unacceptable!',
    );
    expect(complaint).toEqual({
      intent: 'complaint',
      confidence: expect.any(Number),
      sentiment: expect.any(Number),
      language: 'en',
    });
    expect(complaint.sentiment).toBeLessThan(-0.3);
    expect(complaint.confidence).toBeGreaterThan(0.5);

    const spanish = models.classify('Me cobraron dos veces el mismo pedido, necesito la factura');
    expect(spanish.intent).toBe('billing');
    expect(spanish.language).toBe('es');

    const greeting = models.classify('hi 👋');
    expect(greeting.intent).toBe('greeting');
    expect(greeting.language).toBe('und');

    for (const text of ['', '🙂', 'a'.repeat(20_000)]) {
      const result = models.classify(text);
      expect(MESSAGE_INTENTS).toContain(result.intent);
      expect(result.confidence).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
      expect(result.sentiment).toBeGreaterThanOrEqual(-1);
      expect(result.sentiment).toBeLessThanOrEqual(1);
    }
  });

  it('embeds each text in order', () => {
    const vectors = loadLocalModels().embed(['refund policy', 'opening hours', 'refund policy']);
    expect(vectors).toHaveLength(3);
    expect(vectors[0]).toHaveLength(LOCAL_EMBEDDING_DIMENSIONS);
    expect(vectors[2]).toEqual(vectors[0]);
    expect(vectors[1]).not.toEqual(vectors[0]);
  });
});

describe('local models on hostile input', () => {
  it('stay fast on 20,000-character messages built to make patterns backtrack', () => {
    const models = loadLocalModels();
    const inputs = [
      'x'.repeat(20_000),
      'a-'.repeat(10_000),
      'a.'.repeat(10_000),
      '1'.repeat(20_000),
      `${'x'.repeat(19_990)}@`,
      'x@'.repeat(10_000),
      'my email is '.repeat(1_500),
    ];
    const started = performance.now();
    for (const text of inputs) {
      models.classify(text);
      models.embed([text]);
      models.complete({
        model: 'm',
        messages: [{ role: 'user', content: text }],
        tools: [{ name: 'update_contact', description: '', parameters: {} }],
      });
    }
    const perInput = (performance.now() - started) / inputs.length;
    expect(perInput).toBeLessThan(250);
  });
});
