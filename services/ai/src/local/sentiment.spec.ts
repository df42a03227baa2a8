import { describe, expect, it } from 'vitest';
import { evaluateSentiment, formatMetricsTable } from './evaluation.js';
import { sentimentLabel, sentimentScore } from './sentiment.js';

describe('sentiment', () => {
  it('gets the sign right on at least 80% of the labelled set', () => {
    const report = evaluateSentiment();
    console.log(
      `sentiment accuracy ${report.accuracy.toFixed(3)} on ${report.size}\n${formatMetricsTable(report, 'label')}`,
    );
    expect(report.size).toBeGreaterThanOrEqual(150);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('stays within [-1, 1] and is 0 for plain requests', () => {
    expect(sentimentScore('Can you send me the invoice for March?')).toBe(0);
    expect(sentimentScore('')).toBe(0);
    const extreme = sentimentScore('terrible awful horrible worst disgusting scam 😡😡 '.repeat(20));
    expect(extreme).toBeGreaterThanOrEqual(-1);
    expect(extreme).toBeLessThan(-0.9);
    expect(sentimentScore('amazing wonderful love it 😍 '.repeat(20))).toBeLessThanOrEqual(1);
  });

  it('flips negated words', () => {
    expect(sentimentScore('the product is good')).toBeGreaterThan(0);
    expect(sentimentScore('the product is not good')).toBeLessThan(0);
    expect(sentimentScore("it doesn't work")).toBeLessThan(0);
    expect(sentimentScore('it never works')).toBeLessThan(0);
    expect(sentimentScore('not bad at all')).toBeGreaterThan(0);
    // The scope ends at punctuation.
    expect(sentimentScore('Not sure. The support was great')).toBeGreaterThan(0);
  });

  it('weighs intensifiers, downtoners and what follows "but"', () => {
    expect(sentimentScore('very good')).toBeGreaterThan(sentimentScore('good'));
    expect(sentimentScore('extremely disappointed')).toBeLessThan(sentimentScore('disappointed'));
    expect(sentimentScore('slightly annoyed')).toBeGreaterThan(sentimentScore('annoyed'));
    expect(sentimentScore('the food was good but the service was terrible')).toBeLessThan(0);
  });

  it('knows support vocabulary and emojis', () => {
    expect(sentimentScore('refund')).toBe(0);
    expect(sentimentScore('please help')).toBe(0);
    expect(sentimentScore('the screen is broken')).toBeLessThan(0);
    expect(sentimentScore('my delivery is late')).toBeLessThan(0);
    expect(sentimentScore('this is a scam')).toBeLessThan(0);
    expect(sentimentScore('thanks!')).toBeGreaterThan(0);
    expect(sentimentScore('love it')).toBeGreaterThan(0);
    expect(sentimentScore('😡')).toBeLessThan(0);
    expect(sentimentScore('👍')).toBeGreaterThan(0);
    expect(sentimentScore('muchas gracias, excelente')).toBeGreaterThan(0);
    expect(sentimentScore('péssimo atendimento')).toBeLessThan(0);
  });

  it('labels with a neutral band', () => {
    expect(sentimentLabel(0.05)).toBe('neutral');
    expect(sentimentLabel(-0.05)).toBe('neutral');
    expect(sentimentLabel(0.4)).toBe('positive');
    expect(sentimentLabel(-0.4)).toBe('negative');
  });
});
