import { describe, expect, it } from 'vitest';
import { evaluateLanguages, formatMetricsTable } from './evaluation.js';
import { SUPPORTED_LANGUAGES, detectLanguage } from './language.js';

describe('language detection', () => {
  it('identifies at least 90% of the labelled sentences', () => {
    const report = evaluateLanguages();
    console.log(
      `language accuracy ${report.accuracy.toFixed(3)} on ${report.size}\n${formatMetricsTable(report, 'language')}`,
    );
    expect(report.perClass.length).toBeGreaterThanOrEqual(15);
    expect(report.size).toBeGreaterThanOrEqual(120);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
    console.log(`short messages: ${report.short.accuracy.toFixed(3)} on ${report.short.size}`);
    expect(report.short.size).toBeGreaterThanOrEqual(50);
    expect(report.short.accuracy).toBeGreaterThanOrEqual(0.85);
  });

  it('answers ISO 639-1 codes', () => {
    expect(
      detectLanguage('Hello, I would like to know where my order is, it should have arrived yesterday.'),
    ).toBe('en');
    expect(detectLanguage('¿Me pueden enviar la factura del mes pasado a mi correo del trabajo?')).toBe('es');
    expect(detectLanguage('Bonjour, je voudrais savoir où en est ma commande.')).toBe('fr');
    expect(detectLanguage('Здравствуйте, я хотел бы узнать, где мой заказ.')).toBe('ru');
    expect(detectLanguage('我想查询一下我的订单状态')).toBe('zh');
    // Chat-length English that trigrams alone call Portuguese or Swedish.
    expect(detectLanguage('Do you ship to Canada?')).toBe('en');
    expect(detectLanguage('Good morning team')).toBe('en');
    for (const code of SUPPORTED_LANGUAGES) expect(code).toMatch(/^[a-z]{2}$/);
  });

  it('says und when the text is too short or carries no language', () => {
    for (const text of [
      '',
      'ok',
      'hola',
      'thanks!',
      '👍👍👍',
      '12345 678 90',
      'https://example.com/a/very/long/path',
    ]) {
      expect(detectLanguage(text), text).toBe('und');
    }
  });
});
