import { MESSAGE_INTENTS } from '@orbitdesk/shared';
import { readIntentExamples, readTsv, splitExamples } from './dataset.js';
import type { IntentClassifier } from './intent-classifier.js';
import { detectLanguage } from './language.js';
import { sentimentLabel, sentimentScore } from './sentiment.js';

/*
 * How well the local models do on the labelled sets in services/ai/data. The intent classifier is scored on the
 * held-out split it never trained on; sentiment and language are not trained on their sets at all. The specs
 * assert floors on these numbers and docs/ai-local-models.md records them.
 */

export interface ClassMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Examples whose true label is this one. */
  support: number;
}

export interface EvaluationReport {
  accuracy: number;
  size: number;
  perClass: ClassMetrics[];
  /** Misclassified examples, for reading. */
  errors: { expected: string; predicted: string; text: string }[];
}

export interface IntentReport extends EvaluationReport {
  trainSize: number;
  heldOutSize: number;
}

function score(labels: readonly string[], pairs: { expected: string; predicted: string; text: string }[]) {
  const perClass = labels.map((label): ClassMetrics => {
    const tp = pairs.filter((p) => p.expected === label && p.predicted === label).length;
    const predicted = pairs.filter((p) => p.predicted === label).length;
    const support = pairs.filter((p) => p.expected === label).length;
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const correct = pairs.filter((p) => p.expected === p.predicted).length;
  return {
    accuracy: pairs.length ? correct / pairs.length : 0,
    size: pairs.length,
    perClass,
    errors: pairs.filter((p) => p.expected !== p.predicted),
  };
}

export function evaluateIntents(classifier: IntentClassifier): IntentReport {
  const { train, heldOut } = splitExamples(readIntentExamples());
  const pairs = heldOut.map((e) => ({
    expected: e.label,
    predicted: classifier.predict(e.text).intent,
    text: e.text,
  }));
  return { ...score(MESSAGE_INTENTS, pairs), trainSize: train.length, heldOutSize: heldOut.length };
}

/** Sign accuracy: a score within ±SENTIMENT_NEUTRAL_BAND counts as neutral. */
export function evaluateSentiment(): EvaluationReport {
  const pairs = readTsv('sentiment.tsv').map((row) => ({
    expected: row.label,
    predicted: sentimentLabel(sentimentScore(row.text)),
    text: row.text,
  }));
  return score(['positive', 'neutral', 'negative'], pairs);
}

export interface LanguageReport extends EvaluationReport {
  /** Chat-length messages (at most 6 words), where trigram statistics have the least to go on. */
  short: { accuracy: number; size: number };
}

export function evaluateLanguages(): LanguageReport {
  const rows = readTsv('languages.tsv');
  const pairs = rows.map((row) => ({
    expected: row.label,
    predicted: detectLanguage(row.text),
    text: row.text,
  }));
  const short = pairs.filter((p) => p.text.split(/\s+/).length <= 6);
  return {
    ...score([...new Set(rows.map((r) => r.label))], pairs),
    short: {
      accuracy: short.length ? short.filter((p) => p.expected === p.predicted).length / short.length : 0,
      size: short.length,
    },
  };
}

/** A Markdown table of per-class precision, recall and F1. */
export function formatMetricsTable(report: EvaluationReport, heading = 'class'): string {
  const pct = (n: number) => n.toFixed(2);
  const lines = [
    `| ${heading} | precision | recall | F1 | support |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...report.perClass.map(
      (c) => `| ${c.label} | ${pct(c.precision)} | ${pct(c.recall)} | ${pct(c.f1)} | ${c.support} |`,
    ),
    `| **all (accuracy)** | | | **${pct(report.accuracy)}** | ${report.size} |`,
  ];
  return lines.join('\n');
}
