import { describe, expect, it } from 'vitest';
import { cosine, embedText } from './embeddings.js';
import { LOCAL_EMBEDDING_DIMENSIONS } from './local-models.js';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('hashed embeddings', () => {
  it('are unit vectors of the declared size, for any text', () => {
    for (const text of ['How do refunds work?', '', '🙂🙂', 'x'.repeat(20_000), 'Привет, где мой заказ?']) {
      const vector = embedText(text);
      expect(vector).toHaveLength(LOCAL_EMBEDDING_DIMENSIONS);
      expect(norm(vector)).toBeCloseTo(1, 9);
      expect(vector.every(Number.isFinite)).toBe(true);
    }
  });

  it('are deterministic', () => {
    expect(embedText('Refunds are issued within 14 days')).toEqual(
      embedText('Refunds are issued within 14 days'),
    );
  });

  it('score related texts above unrelated ones', () => {
    const query = embedText('how long does a refund take?');
    const related = embedText('Refunds are issued within 14 days of receiving your return.');
    const unrelated = embedText('Our office is closed on public holidays.');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.1);

    const shipping = embedText('Do you ship to Canada?');
    expect(cosine(shipping, embedText('We ship to the US, Canada and the EU.'))).toBeGreaterThan(
      cosine(shipping, embedText('Refunds are issued within 14 days.')),
    );
  });

  it('forgive case, accents, inflection and typos', () => {
    const base = embedText('delivery to Zürich');
    expect(cosine(base, embedText('DELIVERY TO ZURICH'))).toBeCloseTo(1, 9);
    expect(cosine(embedText('shipping costs'), embedText('shipped cost'))).toBeGreaterThan(0.5);
    expect(cosine(embedText('password reset'), embedText('pasword reset'))).toBeGreaterThan(0.5);
  });
});
