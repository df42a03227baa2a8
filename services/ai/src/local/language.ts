import { francAll } from 'franc';
import { foldText } from './text.js';

/*
 * Language identification with franc (character trigram profiles), limited to the languages a support inbox
 * realistically sees: with all ~180 of franc's languages, short messages land on close relatives nobody writes
 * in (Galician for Spanish, Scots for English). Trigrams alone are unreliable on chat-length text ("Do you ship to
 * Canada?" reads as Portuguese to them), so each language's share of common function words is added to franc's
 * score: "do", "you" and "to" settle it.
 */

/** ISO 639-3 as franc names them → ISO 639-1 as the contracts store them. */
const LANGUAGES: Record<string, string> = {
  eng: 'en',
  spa: 'es',
  fra: 'fr',
  deu: 'de',
  por: 'pt',
  ita: 'it',
  nld: 'nl',
  pol: 'pl',
  tur: 'tr',
  rus: 'ru',
  ukr: 'uk',
  arb: 'ar',
  hin: 'hi',
  ind: 'id',
  vie: 'vi',
  swe: 'sv',
  ces: 'cs',
  ron: 'ro',
  jpn: 'ja',
  cmn: 'zh',
  kor: 'ko',
};

export const SUPPORTED_LANGUAGES = Object.values(LANGUAGES);

const ONLY = Object.keys(LANGUAGES);

/** The commonest short words of each language written in Latin or Cyrillic script, accents folded. */
const FUNCTION_WORDS: Record<string, string> = {
  en:
    'the a an and or of to in on for with is are was be do does did you your i my me we our it this that what ' +
    'which how can could would will have has not at from by please thanks there when where hi hello hey good ' +
    'morning evening night thank sorry yes ok get just all up happy see any',
  es:
    'el la los las un una y o de del en con por para es son esta estan que como mi mis tu su usted ustedes hola ' +
    'gracias no se lo le me a al muy pero hay cuando donde buenos buenas dias noches tardes',
  fr:
    'le la les un une et ou de des du en avec pour est sont que qui quoi comment mon ma mes votre vos vous je ' +
    'nous il elle pas ne bonjour merci ce a au aux salut bonsoir',
  de:
    'der die das den dem ein eine und oder von zu mit fur ist sind nicht ich mein meine sie ihr wir es wie was ' +
    'wo hallo danke auf bei auch noch habt gibt kann guten morgen tag abend',
  pt:
    'o a os as um uma e ou de do da dos das em no na com por para sao nao que como meu minha voce voces ola ' +
    'obrigado obrigada se tem esta bom boa dia tarde noite oi tudo',
  it: 'il lo la i gli le un una e o di del della in con per sono non che come mio mia ciao grazie ho ha dove buongiorno buonasera',
  nl: 'de het een en of van in met voor is zijn niet ik mijn jij je u wij we hoe wat waar hallo bedankt dank op te',
  sv: 'och att det som en ett ar inte jag min mitt du ni vi hur vad hej tack pa for med kan har',
  pl: 'i w z na do nie jest sie to ze czy jak moj moje moja prosze dziekuje dzien dobry',
  tr: 've bir bu da de mi ne icin ile ben benim siz merhaba tesekkurler var yok',
  id: 'dan yang di ke dari untuk dengan ini itu saya anda tidak ada apa bisa halo terima kasih',
  cs: 'a v na je se to ze s z do jak muj moje prosim dekuji dobry den neni',
  ro: 'si in la cu de pe este sunt nu eu meu mea pentru ce cum buna multumesc',
  ru: 'и в на не я что это как мой моя вы мы с по для где здравствуите спасибо',
  uk: 'і в на не я що це як мій моя ви ми з по для де доброго дякую та',
};
/** Each word's weight per language: 1 when only one language has it, 1/√k when k languages share it ("de"). */
const FUNCTION_WORD_WEIGHTS = new Map<string, Map<string, number>>();
{
  const owners = new Map<string, number>();
  const lists = Object.entries(FUNCTION_WORDS).map(
    ([code, list]) => [code, new Set(foldText(list).split(' '))] as const,
  );
  for (const [, words] of lists) for (const word of words) owners.set(word, (owners.get(word) ?? 0) + 1);
  for (const [code, words] of lists) {
    FUNCTION_WORD_WEIGHTS.set(code, new Map([...words].map((w) => [w, 1 / Math.sqrt(owners.get(w) ?? 1)])));
  }
}
/** Chosen on the intent set's 1,300 messages used as a development set (see docs/ai-local-models.md). */
const FUNCTION_WORD_WEIGHT = 2;
/** Below this many letters a guess is noise ("ok", "hola" and "hallo" are not evidence of anything). */
const MIN_LETTERS = 10;

/** ISO 639-1 code of the text's language, or `und` when it is too short or none of the supported ones. */
export function detectLanguage(text: string): string {
  // Links, addresses, numbers and emojis say nothing about the language and skew the trigrams.
  const cleaned = text
    .replace(/\b(?:https?:\/\/|www\.)\S+/giu, ' ')
    .replace(/(?<!\S)\S*@\S*/gu, ' ')
    .replace(/[^\p{L}\p{M}\s'’-]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const letters = cleaned.replace(/[^\p{L}]/gu, '').length;
  // Han, kana and Hangul pack a word into one or two characters.
  const dense = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(cleaned);
  if (letters < (dense ? 4 : MIN_LETTERS)) return 'und';
  const ranked = francAll(cleaned, { only: ONLY, minLength: dense ? 2 : MIN_LETTERS });
  if (ranked[0]?.[0] === 'und') return 'und';

  const tokens = foldText(cleaned)
    .split(/[^\p{L}]+/u)
    .filter(Boolean);
  let best = 'und';
  let bestScore = -Infinity;
  for (const [code3, trigramScore] of ranked) {
    const code = LANGUAGES[code3];
    if (!code) continue;
    const weights = FUNCTION_WORD_WEIGHTS.get(code);
    const share =
      weights && tokens.length
        ? tokens.reduce((sum, t) => sum + (weights.get(t) ?? 0), 0) / tokens.length
        : 0;
    const score = trigramScore + FUNCTION_WORD_WEIGHT * share;
    if (score > bestScore) {
      best = code;
      bestScore = score;
    }
  }
  return best;
}
