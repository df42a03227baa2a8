import { MESSAGE_INTENTS, type MessageIntent } from '@orbitdesk/shared';
import type { LabelledText } from './dataset.js';
import { intentCues } from './intent-cues.js';
import { sentimentScore } from './sentiment.js';
import { charNgrams, isEmoji, stem, tokenize } from './text.js';

/*
 * Intent classification: multinomial logistic regression (softmax) over sparse features of the message: stemmed
 * word unigrams and bigrams, character 3- and 4-grams of each word (typos, other languages, word forms the stemmer
 * misses), emojis, and a few shape flags (length, links, amounts, shouting). Logistic regression rather than naive
 * Bayes because its probabilities are usable as a confidence: naive Bayes pushes almost everything to 0.99.
 */

/** Bump when `intentFeatures` changes: a model file built with other features is then retrained, not misread. */
export const INTENT_FEATURE_VERSION = 1;
const MODEL_KIND = 'orbitdesk-intent-softmax';

export interface IntentModelJson {
  kind: typeof MODEL_KIND;
  featureVersion: number;
  labels: MessageIntent[];
  /** Feature names; feature i's weights are weights[i * labels.length .. + labels.length]. */
  features: string[];
  weights: number[];
  bias: number[];
  trainExamples: number;
}

export interface IntentPrediction {
  intent: MessageIntent;
  confidence: number;
  /** Every intent's probability, in MESSAGE_INTENTS order. */
  probabilities: Record<MessageIntent, number>;
}

export interface IntentTrainingOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
}

const CHAR_WEIGHT = 0.25;
const PRUNE_BELOW = 0.01;
const CUE_WEIGHT = 1.25;
const SENTIMENT_WEIGHT = 2;

function lengthBucket(count: number): string {
  if (count <= 1) return '1';
  if (count <= 2) return '2';
  if (count <= 5) return '3-5';
  if (count <= 12) return '6-12';
  return '13+';
}

/** The message as a sparse, L2-normalised feature vector. */
export function intentFeatures(text: string): Map<string, number> {
  const { words, hasUrl, hasEmail, hasMoney } = tokenize(text);
  const features = new Map<string, number>();
  const add = (name: string, value: number) => features.set(name, (features.get(name) ?? 0) + value);

  const stems: string[] = [];
  for (const word of words) {
    if (isEmoji(word)) {
      add(`e:${word}`, 1);
      add('e:any', 1);
      stems.push('xemojix');
      continue;
    }
    const stemmed = stem(word);
    stems.push(stemmed);
    add(`w:${stemmed}`, 1);
    if (word.length >= 3 && !word.startsWith('x')) {
      for (const gram of charNgrams(word, 3)) add(`c:${gram}`, CHAR_WEIGHT);
      for (const gram of charNgrams(word, 4)) add(`c:${gram}`, CHAR_WEIGHT);
    }
  }
  if (stems.length > 0) add(`b:^_${stems[0]}`, 1);
  for (let i = 0; i + 1 < stems.length; i++) add(`b:${stems[i]}_${stems[i + 1]}`, 1);

  add(`f:len${lengthBucket(stems.length)}`, 1);
  if (hasUrl) add('f:url', 1);
  if (hasEmail) add('f:email', 1);
  if (hasMoney) add('f:money', 1);
  if (/!{2,}/.test(text)) add('f:bang', 1);
  if (text.includes('?')) add('f:question', 1);
  if ((text.match(/\b[A-Z]{3,}\b/g) ?? []).length >= 2) add('f:caps', 1);
  for (const cue of intentCues(text, words)) add(`k:${cue}`, CUE_WEIGHT);
  // Tone separates what words alone do not: a complaint from a support request, praise from a suggestion.
  const sentiment = sentimentScore(text);
  if (sentiment >= 0.1) add('f:positive', sentiment * SENTIMENT_WEIGHT);
  else if (sentiment <= -0.1) add('f:negative', -sentiment * SENTIMENT_WEIGHT);
  else add('f:neutral', 0.5 * SENTIMENT_WEIGHT);

  let norm = 0;
  for (const value of features.values()) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  for (const [name, value] of features) features.set(name, value / norm);
  return features;
}

/** A small seeded PRNG: training shuffles the same way on every machine. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function softmaxInPlace(scores: Float64Array): void {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  let sum = 0;
  for (let k = 0; k < scores.length; k++) {
    const e = Math.exp((scores[k] ?? 0) - max);
    scores[k] = e;
    sum += e;
  }
  for (let k = 0; k < scores.length; k++) scores[k] = (scores[k] ?? 0) / sum;
}

export class IntentClassifier {
  private readonly index: Map<string, number>;

  private constructor(
    private readonly labels: MessageIntent[],
    private readonly features: string[],
    private readonly weights: Float64Array,
    private readonly bias: Float64Array,
    readonly trainExamples: number,
  ) {
    this.index = new Map(features.map((name, i) => [name, i]));
  }

  /** Trains with AdaGrad-scaled SGD on the cross-entropy loss plus an L2 penalty. */
  static train(
    examples: LabelledText<MessageIntent>[],
    options: IntentTrainingOptions = {},
  ): IntentClassifier {
    const { epochs = 20, learningRate = 0.2, l2 = 1e-4, seed = 42 } = options;
    const labels = [...MESSAGE_INTENTS];
    const labelIndex = new Map(labels.map((label, k) => [label, k]));
    const K = labels.length;

    const vectors = examples.map((e) => intentFeatures(e.text));
    // Character n-grams seen once are mostly noise from one example and double the model's size.
    const counts = new Map<string, number>();
    for (const v of vectors) for (const name of v.keys()) counts.set(name, (counts.get(name) ?? 0) + 1);
    const features = [...counts.keys()].filter(
      (name) => !name.startsWith('c:') || (counts.get(name) ?? 0) >= 2,
    );
    features.sort();
    const index = new Map(features.map((name, i) => [name, i]));
    const rows = vectors.map((v) => {
      const ids: number[] = [];
      const values: number[] = [];
      for (const [name, value] of v) {
        const id = index.get(name);
        if (id !== undefined) {
          ids.push(id);
          values.push(value);
        }
      }
      return { ids, values };
    });
    const targets = examples.map((e) => labelIndex.get(e.label) ?? labels.indexOf('other'));

    const weights = new Float64Array(features.length * K);
    const bias = new Float64Array(K);
    const gradSq = new Float64Array(features.length * K).fill(1e-8);
    const biasGradSq = new Float64Array(K).fill(1e-8);
    const scores = new Float64Array(K);
    const order = examples.map((_, i) => i);
    const random = mulberry32(seed);

    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
      }
      for (const n of order) {
        const row = rows[n];
        const target = targets[n];
        if (!row || target === undefined) continue;
        for (let k = 0; k < K; k++) scores[k] = bias[k] ?? 0;
        for (let f = 0; f < row.ids.length; f++) {
          const base = (row.ids[f] ?? 0) * K;
          const x = row.values[f] ?? 0;
          for (let k = 0; k < K; k++) scores[k] = (scores[k] ?? 0) + (weights[base + k] ?? 0) * x;
        }
        softmaxInPlace(scores);
        for (let k = 0; k < K; k++) {
          const g = (scores[k] ?? 0) - (k === target ? 1 : 0);
          biasGradSq[k] = (biasGradSq[k] ?? 0) + g * g;
          bias[k] = (bias[k] ?? 0) - (learningRate * g) / Math.sqrt(biasGradSq[k] ?? 1);
          for (let f = 0; f < row.ids.length; f++) {
            const w = (row.ids[f] ?? 0) * K + k;
            const grad = g * (row.values[f] ?? 0) + l2 * (weights[w] ?? 0);
            gradSq[w] = (gradSq[w] ?? 0) + grad * grad;
            weights[w] = (weights[w] ?? 0) - (learningRate * grad) / Math.sqrt(gradSq[w] ?? 1);
          }
        }
      }
    }
    return new IntentClassifier(labels, features, weights, bias, examples.length);
  }

  static fromJson(json: unknown): IntentClassifier {
    const model = json as Partial<IntentModelJson> | null;
    const labels = model?.labels;
    if (
      model?.kind !== MODEL_KIND ||
      model.featureVersion !== INTENT_FEATURE_VERSION ||
      !Array.isArray(labels) ||
      labels.join() !== MESSAGE_INTENTS.join() ||
      !Array.isArray(model.features) ||
      !Array.isArray(model.weights) ||
      !Array.isArray(model.bias) ||
      model.weights.length !== model.features.length * labels.length ||
      model.bias.length !== labels.length
    ) {
      throw new Error('not an intent model of this version');
    }
    return new IntentClassifier(
      [...labels],
      model.features,
      Float64Array.from(model.weights),
      Float64Array.from(model.bias),
      model.trainExamples ?? 0,
    );
  }

  /** The model as JSON, weights rounded to 3 decimals and near-zero features dropped to keep the file small. */
  toJson(): IntentModelJson {
    const K = this.labels.length;
    const features: string[] = [];
    const weights: number[] = [];
    this.features.forEach((name, i) => {
      const row = Array.from(this.weights.subarray(i * K, (i + 1) * K), (w) => Math.round(w * 1e3) / 1e3);
      // A feature whose weights are all this small cannot move a prediction; leaving it out halves the file.
      if (row.every((w) => Math.abs(w) < PRUNE_BELOW)) return;
      features.push(name);
      weights.push(...row);
    });
    return {
      kind: MODEL_KIND,
      featureVersion: INTENT_FEATURE_VERSION,
      labels: this.labels,
      features,
      weights,
      bias: Array.from(this.bias, (b) => Math.round(b * 1e3) / 1e3),
      trainExamples: this.trainExamples,
    };
  }

  get featureCount(): number {
    return this.features.length;
  }

  predict(text: string): IntentPrediction {
    const K = this.labels.length;
    const scores = Float64Array.from(this.bias);
    for (const [name, value] of intentFeatures(text)) {
      const id = this.index.get(name);
      if (id === undefined) continue;
      const base = id * K;
      for (let k = 0; k < K; k++) scores[k] = (scores[k] ?? 0) + (this.weights[base + k] ?? 0) * value;
    }
    softmaxInPlace(scores);
    let best = 0;
    for (let k = 1; k < K; k++) if ((scores[k] ?? 0) > (scores[best] ?? 0)) best = k;
    const probabilities = Object.fromEntries(
      this.labels.map((label, k) => [label, scores[k] ?? 0]),
    ) as Record<MessageIntent, number>;
    return { intent: this.labels[best] ?? 'other', confidence: scores[best] ?? 0, probabilities };
  }
}
