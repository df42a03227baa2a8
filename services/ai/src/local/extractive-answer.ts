import type { TRagChunk } from '@orbitdesk/shared';
import { STOPWORDS, splitSentences, stem, words } from './text.js';

/*
 * The offline model's grounded answers: it cannot write new prose, so it quotes. Every sentence of the retrieved
 * chunks is scored against the question (which of the question's content words it contains, rarer words counting
 * more, BM25-style), and the best one to three sentences are returned with the [n] marker of their chunk. When no
 * sentence covers enough of the question the answer says so and cites nothing.
 */

/** Question words that say what kind of answer is wanted, not what it is about. */
const QUESTION_NOISE = new Set(
  (
    'long often soon early late much many kind sort tell know explain question wondering wonder happen happens ' +
    'work works possible available offer provide policy info information details anyone someone'
  )
    .split(' ')
    .map(stem),
);

export interface ExtractiveAnswer {
  /** The answer with [n] markers and a source line; or the not-found sentence. */
  text: string;
  /** 1-based positions in `knowledge` of the chunks quoted. */
  cited: number[];
  answered: boolean;
}

export const NOT_FOUND_ANSWER =
  "I couldn't find that in our knowledge base. Could you rephrase the question, or would you like me to pass it " +
  'to a member of the team?';

/** Share of the question's weight a sentence must cover to be quoted. */
const MIN_COVERAGE = 0.34;
const MAX_SENTENCES = 3;
const K1 = 1.2;
const B = 0.5;
const SOFT_BONUS = 0.3;

interface Sentence {
  chunk: number;
  position: number;
  text: string;
  terms: string[];
  stems: Set<string>;
}

function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => w.length > 1 && !STOPWORDS.has(w) && !/^\d+$/.test(w))
    .map(stem)
    .filter((w) => !STOPWORDS.has(w));
}

function sameTerm(a: string, b: string): number {
  if (a === b) return 1;
  // "deliver"/"delivery", "cancel"/"cancellation": the stemmer's misses, caught by a shared long prefix.
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= 5 && long.startsWith(short) && long.length - short.length <= 4) return 0.8;
  return 0;
}

/** The question's content terms, or none when it asks about nothing in particular ("hi", "thanks"). */
export function questionTerms(question: string): string[] {
  const terms = contentTerms(question).filter((t) => !QUESTION_NOISE.has(t));
  return [...new Set(terms)];
}

export function extractiveAnswer(question: string, knowledge: readonly TRagChunk[]): ExtractiveAnswer {
  const query = questionTerms(question);
  const sentences: Sentence[] = [];
  knowledge.forEach((chunk, chunkIndex) => {
    splitSentences(chunk.text).forEach((text, position) => {
      sentences.push({
        chunk: chunkIndex,
        position,
        text,
        terms: contentTerms(text),
        stems: new Set(words(text).map(stem)),
      });
    });
  });
  if (query.length === 0 || sentences.length === 0)
    return { text: NOT_FOUND_ANSWER, cited: [], answered: false };

  // Idf over the candidate sentences, floored so a word every sentence shares still counts for something.
  const N = sentences.length;
  const idf = new Map<string, number>();
  for (const term of query) {
    const df = sentences.filter((s) => s.terms.some((t) => sameTerm(term, t) > 0)).length;
    idf.set(term, Math.max(0.3, Math.log(1 + (N - df + 0.5) / (df + 0.5))));
  }
  // Coverage weighs each question word by its length as a proxy for how specific it is ("refund" > "buy").
  const weight = (term: string) => Math.min(1.5, 0.5 + term.length / 8);
  const totalWeight = query.reduce((sum, t) => sum + weight(t), 0);
  const avgLength = sentences.reduce((sum, s) => sum + s.terms.length, 0) / N || 1;

  // The question's other words ("how long ... take") do not decide relevance but break ties between sentences
  // sharing the same key terms: "delivery takes 3-5 days" over "within 30 days of delivery".
  const soft = [...new Set(words(question).map(stem))].filter((w) => w.length >= 3 && !query.includes(w));
  const scored = sentences.map((sentence) => {
    let score = 0;
    let covered = 0;
    for (const term of query) {
      let tf = 0;
      for (const t of sentence.terms) tf += sameTerm(term, t);
      if (tf === 0) continue;
      covered += weight(term) * Math.min(1, tf);
      const norm = tf + K1 * (1 - B + (B * sentence.terms.length) / avgLength);
      score += ((idf.get(term) ?? 0) * (tf * (K1 + 1))) / norm;
    }
    if (score > 0) score += SOFT_BONUS * soft.filter((w) => sentence.stems.has(w)).length;
    return { sentence, score, coverage: covered / totalWeight };
  });

  const relevant = scored.filter((s) => s.coverage >= MIN_COVERAGE).sort((a, b) => b.score - a.score);
  const best = relevant[0];
  if (!best) return { text: NOT_FOUND_ANSWER, cited: [], answered: false };
  const chosen = relevant
    .filter((s) =>
      // Context from the best sentence's own chunk is welcome; another chunk must be about as good on its own.
      s.sentence.chunk === best.sentence.chunk ? s.score >= best.score * 0.6 : s.score >= best.score * 0.9,
    )
    .slice(0, MAX_SENTENCES)
    .map((s) => s.sentence)
    // Read in document order, as the knowledge base wrote it.
    .sort((a, b) => a.chunk - b.chunk || a.position - b.position);

  const parts: string[] = [];
  chosen.forEach((sentence, i) => {
    const text = /[.!?]$/.test(sentence.text) ? sentence.text : `${sentence.text}.`;
    const next = chosen[i + 1];
    // One marker per run of sentences from the same chunk.
    parts.push(next?.chunk === sentence.chunk ? text : `${text} [${sentence.chunk + 1}]`);
  });
  const cited = [...new Set(chosen.map((s) => s.chunk + 1))];
  const sources = [...new Set(cited.map((n) => knowledge[n - 1]?.sourceName).filter(Boolean))];
  const sourceLine = sources.length === 1 ? `Source: ${sources[0]}.` : `Sources: ${sources.join('; ')}.`;
  return { text: `${parts.join(' ')}\n\n${sourceLine}`, cited, answered: true };
}
