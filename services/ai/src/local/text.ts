/*
 * Text normalisation shared by the local models. Everything is deterministic and dependency-free: the same text
 * always gives the same tokens, so a model trained at build time sees exactly what it sees at run time.
 */

// Every pattern here starts only where a token can start and bounds its repeats: messages are untrusted and up
// to 20,000 characters, and an unanchored `x+@` backtracks quadratically over a long run of letters.
const URL_RE =
  /\b(?:https?:\/\/|www\.)\S+|(?<![a-z0-9.-])[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.(?:com|net|org|info|xyz|top|ru|co|io|ly|me)\b(?:\/\S*)?/giu;
const EMAIL_RE = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}.-]{1,255}\.[\p{L}]{2,24}/gu;
const MONEY_RE =
  /[$€£¥₹]\s?\d[\d.,]{0,20}|(?<![\d.,])\d[\d.,]{0,20}\s?(?:[$€£¥₹]|usd|eur|euros?|dollars?|pounds?)\b/giu;
const EMOJI_RE = /\p{Extended_Pictographic}/u;
// A word, a number, or one pictograph; apostrophes inside words are dropped later ("don't" → "dont").
const TOKEN_RE = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)*|\p{Extended_Pictographic}/gu;

/** Lowercased, accents folded (é → e, ß stays), full-width forms made ASCII; other scripts are left alone. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{Mn}+/gu, '')
    .toLowerCase();
}

export interface TextTokens {
  /** Folded word tokens with placeholders for URLs, e-mails, money and numbers; emojis as their own tokens. */
  words: string[];
  hasUrl: boolean;
  hasEmail: boolean;
  hasMoney: boolean;
}

/** Splits a message into folded tokens. URLs, e-mails and amounts become placeholders: their exact value is noise. */
export function tokenize(text: string): TextTokens {
  let hasUrl = false;
  let hasEmail = false;
  let hasMoney = false;
  const cleaned = foldText(text)
    .replace(EMAIL_RE, () => {
      hasEmail = true;
      return ' xemailx ';
    })
    .replace(URL_RE, () => {
      hasUrl = true;
      return ' xurlx ';
    })
    .replace(MONEY_RE, () => {
      hasMoney = true;
      return ' xmoneyx ';
    });
  const words: string[] = [];
  for (const match of cleaned.matchAll(TOKEN_RE)) {
    let token = match[0].replace(/['’]/g, '');
    if (/^\d[\d.,:]*$/.test(token)) token = 'xnumx';
    // "sooooo" and "soo" are the same word said louder.
    else if (!EMOJI_RE.test(token)) token = token.replace(/(\p{L})\1{2,}/gu, '$1$1');
    words.push(token);
  }
  return { words, hasUrl, hasEmail, hasMoney };
}

/** Folded words only, no placeholders: for lexicon look-ups and retrieval. */
export function words(text: string): string[] {
  return tokenize(text).words.filter((w) => !EMOJI_RE.test(w));
}

export function isEmoji(token: string): boolean {
  return EMOJI_RE.test(token);
}

const VOWEL_RE = /[aeiouy]/;

/**
 * A light English suffix stripper (plural, -ing, -ed, final e), enough to make "refunds"/"refund",
 * "shipping"/"shipped"/"ship" and "closed"/"close" meet. Other languages pass through mostly untouched, which
 * the character n-grams make up for.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3 || !/^[a-z]+$/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  for (const suffix of ['ing', 'ed']) {
    const base = w.slice(0, -suffix.length);
    if (w.endsWith(suffix) && base.length >= 3 && VOWEL_RE.test(base)) {
      w = /([b-df-hj-km-np-rtv-xz])\1$/.test(base) ? base.slice(0, -1) : base;
      break;
    }
  }
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** Words that carry no topic: left out of retrieval scoring and weighted down in embeddings. */
export const STOPWORDS = new Set(
  (
    'a an the and or but if then so of to in on at by for with from about as into over after before up down out ' +
    'off is are was were be been being am do does did doing have has had having i me my mine we us our you your ' +
    'yours he him his she her it its they them their this that these those there here what which who whom whose ' +
    'when where why how can could would should will shall may might must not no yes ok okay please pls hi hello ' +
    'hey thanks thank just also too very really much many more most some any all each every other than only own ' +
    'same such again once want need like get got make take tell know let im ive id youre dont doesnt didnt cant ' +
    'wont isnt arent wasnt long way thing things one someone something anything able use used still already yet ' +
    'de la el en y que los las un una por para con es se lo le les des du et est pas une pour dans sur der die ' +
    'das und ist nicht ein eine mit fur auf den zu o os um uma com nao para'
  ).split(' '),
);

/** Stable 32-bit FNV-1a hash of a string (UTF-16 code units). */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Character n-grams of one word with boundary marks ("#ref", "efu", ..., "nd#"). */
export function charNgrams(word: string, n: number): string[] {
  const padded = `#${word}#`;
  if (padded.length <= n) return [padded];
  const grams: string[] = [];
  for (let i = 0; i + n <= padded.length; i++) grams.push(padded.slice(i, i + n));
  return grams;
}

/** Splits prose into sentences on ., ! and ? followed by a space, and on line breaks; bullets are dropped. */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?])\s+(?=[^a-z0-9])/u)
    .map((s) => s.replace(/^\s*(?:[-*•·]|\d+[.)])\s+/u, '').trim())
    .filter((s) => /[\p{L}\p{N}]/u.test(s));
}

/** A rough token count for usage figures: about 1.3 tokens per word, as common tokenizers average on English. */
export function estimateTokens(text: string): number {
  const count = text.split(/\s+/).filter(Boolean).length;
  return Math.ceil(count * 1.3);
}
