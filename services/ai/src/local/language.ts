import { franc } from 'franc';

/*
 * Language identification with franc (character trigram profiles), limited to the languages a support inbox
 * realistically sees: with all ~180 of franc's languages, short messages land on close relatives nobody writes
 * in (Galician for Spanish, Scots for English).
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
  const code = franc(cleaned, { only: ONLY, minLength: dense ? 2 : MIN_LETTERS });
  return LANGUAGES[code] ?? 'und';
}
