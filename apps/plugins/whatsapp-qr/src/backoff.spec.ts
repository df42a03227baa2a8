import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './backoff.js';

describe('reconnectDelay', () => {
  const options = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles per attempt, between half and all of the exponential step', () => {
    expect(reconnectDelay(0, { ...options, random: () => 0 })).toBe(500);
    expect(reconnectDelay(0, { ...options, random: () => 0.999999 })).toBe(1_000);
    expect(reconnectDelay(1, { ...options, random: () => 0 })).toBe(1_000);
    expect(reconnectDelay(3, { ...options, random: () => 0.5 })).toBe(6_000);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [6, 7, 20, 1_000, 1e9]) {
      const delay = reconnectDelay(attempt, { ...options, random: () => 0.999999 });
      expect(delay).toBeLessThanOrEqual(60_000);
      expect(delay).toBeGreaterThanOrEqual(30_000);
    }
  });

  it('spreads reconnects of many inboxes that dropped together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelay(4, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(8_000);
  });
});
