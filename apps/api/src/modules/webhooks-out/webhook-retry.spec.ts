import { describe, expect, it } from 'vitest';
import { MAX_RETRY_DELAY_MS, retryDeadline, retryDelayMs } from './webhook-retry.js';

describe('webhook retry schedule', () => {
  it('doubles from the base: 30 s, 1 min, 2 min, 4 min …', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 30_000))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000,
    ]);
  });

  it('is capped at one hour, even after very many attempts', () => {
    expect(retryDelayMs(8, 30_000)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(1_000, 30_000)).toBe(MAX_RETRY_DELAY_MS);
  });

  it('follows a tiny base for tests', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 10))).toEqual([10, 20, 40]);
  });

  it('ends retrying the given hours after creation', () => {
    const created = new Date('2026-01-01T00:00:00.000Z');
    expect(new Date(retryDeadline(created, 24)).toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(retryDeadline(created, 0.001) - created.getTime()).toBe(3_600);
  });
});
