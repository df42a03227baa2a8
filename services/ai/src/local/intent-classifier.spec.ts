import { MESSAGE_INTENTS } from '@orbitdesk/shared';
import { describe, expect, it } from 'vitest';
import { isHeldOut, readIntentExamples, splitExamples } from './dataset.js';
import { evaluateIntents, formatMetricsTable } from './evaluation.js';
import { INTENT_FEATURE_VERSION, IntentClassifier } from './intent-classifier.js';
import { trainIntentClassifier } from './intent-model-file.js';

describe('intent dataset', () => {
  const examples = readIntentExamples();

  it('has at least 80 distinct examples for every intent', () => {
    for (const intent of MESSAGE_INTENTS) {
      expect(examples.filter((e) => e.label === intent).length, intent).toBeGreaterThanOrEqual(80);
    }
    const texts = examples.map((e) => e.text.toLowerCase());
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('splits by a stable hash of the text, about 80/20, every intent on both sides', () => {
    const { train, heldOut } = splitExamples(examples);
    expect(train.length + heldOut.length).toBe(examples.length);
    expect(heldOut.length / examples.length).toBeGreaterThan(0.15);
    expect(heldOut.length / examples.length).toBeLessThan(0.25);
    for (const intent of MESSAGE_INTENTS)
      expect(
        heldOut.some((e) => e.label === intent),
        intent,
      ).toBe(true);
    expect(heldOut.every((e) => isHeldOut(e.text))).toBe(true);
    expect(splitExamples(examples).heldOut.map((e) => e.text)).toEqual(heldOut.map((e) => e.text));
  });
});

describe('intent classifier', () => {
  const classifier = trainIntentClassifier();

  it('scores at least 0.80 accuracy on the held-out split', () => {
    const report = evaluateIntents(classifier);
    console.log(
      `intent held-out accuracy ${report.accuracy.toFixed(3)} (${report.heldOutSize} held out, ${report.trainSize} trained)\n` +
        formatMetricsTable(report, 'intent'),
    );
    expect(report.heldOutSize).toBeGreaterThan(200);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('classifies clear messages', () => {
    const cases: [string, string][] = [
      ['Good morning! 👋', 'greeting'],
      ['I was charged twice this month, please refund one of the payments', 'billing'],
      ['I want to buy three of the large blue mugs', 'purchase'],
      ['The app crashes every time I try to log in', 'support'],
      ['This is unacceptable, my order is late again and nobody answers', 'complaint'],
      ['Do you open on Sundays?', 'question'],
      ['Love the new design, great job team!', 'feedback'],
      ['CONGRATULATIONS you won a free iPhone, click here to claim your prize', 'spam'],
      ['sorry, wrong number', 'other'],
    ];
    for (const [text, intent] of cases) {
      const prediction = classifier.predict(text);
      expect(prediction.intent, text).toBe(intent);
      expect(prediction.confidence).toBeGreaterThan(0.4);
      expect(prediction.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('gives probabilities that sum to 1, with the chosen intent the most likely', () => {
    const { probabilities, intent, confidence } = classifier.predict('where is my parcel?');
    const values = Object.values(probabilities);
    expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(Math.max(...values)).toBe(confidence);
    expect(probabilities[intent]).toBe(confidence);
  });

  it('survives input with nothing to go on', () => {
    for (const text of ['', '   ', '🙂', '?!', 'x'.repeat(20_000)]) {
      const prediction = classifier.predict(text);
      expect(MESSAGE_INTENTS).toContain(prediction.intent);
      expect(Number.isFinite(prediction.confidence)).toBe(true);
    }
  });

  it('trains deterministically and round-trips through its JSON file format', () => {
    const again = trainIntentClassifier();
    expect(again.toJson()).toEqual(classifier.toJson());
    const loaded = IntentClassifier.fromJson(JSON.parse(JSON.stringify(classifier.toJson())));
    for (const text of ['refund please', 'hola', 'my screen is broken and nobody helps']) {
      const a = classifier.predict(text);
      const b = loaded.predict(text);
      expect(b.intent).toBe(a.intent);
      expect(b.confidence).toBeCloseTo(a.confidence, 2);
    }
  });

  it('refuses a model file built with other features, so the loader retrains instead of misreading it', () => {
    const json = classifier.toJson();
    expect(() =>
      IntentClassifier.fromJson({ ...json, featureVersion: INTENT_FEATURE_VERSION + 1 }),
    ).toThrow();
    expect(() => IntentClassifier.fromJson({ ...json, weights: json.weights.slice(1) })).toThrow();
    expect(() => IntentClassifier.fromJson(null)).toThrow();
  });

  it('trains in well under two seconds and classifies in under a millisecond', () => {
    const started = performance.now();
    const model = IntentClassifier.train(splitExamples(readIntentExamples()).train);
    const trainedIn = performance.now() - started;
    const t0 = performance.now();
    for (let i = 0; i < 200; i++)
      model.predict('Hi, I was charged twice for the same order, can you refund one?');
    const perCall = (performance.now() - t0) / 200;
    console.log(`intent training ${trainedIn.toFixed(0)} ms, predict ${perCall.toFixed(3)} ms`);
    expect(trainedIn).toBeLessThan(2000);
    expect(perCall).toBeLessThan(1);
  });
});
