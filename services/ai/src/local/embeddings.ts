import { LOCAL_EMBEDDING_DIMENSIONS } from './local-models.js';
import { STOPWORDS, charNgrams, fnv1a, stem, words } from './text.js';

/*
 * Feature-hashed embeddings: each text becomes a bag of stemmed words and character trigrams, hashed into
 * LOCAL_EMBEDDING_DIMENSIONS buckets with a hashed sign (so collisions cancel out on average instead of piling
 * up), weighted by sublinear term frequency, and L2-normalised. No vocabulary, no training, fully deterministic:
 * the same text gives the same vector on every machine, forever, which is what stored vectors need.
 * Similarity is lexical (shared words and word pieces), not semantic: "refund" and "money back" are not close.
 */

const WORD_WEIGHT = 1;
const STOPWORD_WEIGHT = 0.2;
const TRIGRAM_WEIGHT = 0.35;
const SIGN_SEED = 0x9747b28c;

function addFeature(vector: Float64Array, feature: string, weight: number): void {
  const bucket = fnv1a(feature) % LOCAL_EMBEDDING_DIMENSIONS;
  const sign = fnv1a(feature, SIGN_SEED) & 1 ? 1 : -1;
  vector[bucket] = (vector[bucket] ?? 0) + sign * weight;
}

export function embedText(text: string): number[] {
  const counts = new Map<string, { weight: number; tf: number }>();
  const count = (feature: string, weight: number) => {
    const entry = counts.get(feature);
    if (entry) entry.tf++;
    else counts.set(feature, { weight, tf: 1 });
  };
  for (const word of words(text)) {
    const stemmed = stem(word);
    if (STOPWORDS.has(word) || STOPWORDS.has(stemmed)) {
      count(`w:${stemmed}`, STOPWORD_WEIGHT);
      continue;
    }
    count(`w:${stemmed}`, WORD_WEIGHT);
    // Trigrams of the unstemmed word catch typos and inflections the stemmer does not know.
    if (word.length >= 3) for (const gram of charNgrams(word, 3)) count(`c:${gram}`, TRIGRAM_WEIGHT);
  }

  const vector = new Float64Array(LOCAL_EMBEDDING_DIMENSIONS);
  if (counts.size === 0) {
    // Texts with no words (empty, emojis only) still get a valid unit vector, all in one place.
    addFeature(vector, 'empty', 1);
  }
  for (const [feature, { weight, tf }] of counts) addFeature(vector, feature, weight * (1 + Math.log(tf)));

  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  if (norm === 0) {
    // Every feature cancelled out (vanishingly rare): fall back to the empty-text vector.
    vector.fill(0);
    addFeature(vector, 'empty', 1);
    norm = 1;
  }
  return Array.from(vector, (v) => v / norm);
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length && i < b.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot;
}
