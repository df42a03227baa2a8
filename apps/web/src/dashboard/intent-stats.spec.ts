import { MESSAGE_INTENTS } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { intentSeries, lastDays } from './intent-stats';

describe('intentSeries', () => {
  it('gives every intent in a fixed order, zero where the API has none', () => {
    const series = intentSeries({
      intents: [
        { intent: 'complaint', count: 4 },
        { intent: 'question', count: 9 },
      ],
      averageSentiment: -0.1,
      languages: [],
    });
    expect(series.map((s) => s.intent)).toEqual([...MESSAGE_INTENTS]);
    expect(series.find((s) => s.intent === 'question')?.count).toBe(9);
    expect(series.find((s) => s.intent === 'complaint')?.count).toBe(4);
    expect(series.find((s) => s.intent === 'spam')?.count).toBe(0);
  });
});

describe('lastDays', () => {
  it('spans the given number of days up to now', () => {
    const now = new Date('2026-03-31T12:00:00.000Z');
    expect(lastDays(30, now)).toEqual({ from: '2026-03-01T12:00:00.000Z', to: '2026-03-31T12:00:00.000Z' });
  });
});
