/** Chunks aim at CHUNK_MAX characters and carry about CHUNK_OVERLAP characters of the previous chunk's end. */
export const CHUNK_MAX = 1000;
export const CHUNK_OVERLAP = 150;
/** A chunk this long is closed at a paragraph break rather than take in a paragraph that would not fit whole. */
const CHUNK_SOFT_MIN = CHUNK_MAX / 2;
/** A single sentence longer than this is cut at word boundaries, so overlap + piece still fits in CHUNK_MAX. */
const PIECE_MAX = CHUNK_MAX - CHUNK_OVERLAP - 50;

// Control characters other than tab and newline, zero-width characters, the soft hyphen and the BOM: invisible
// in a document, but they split words for full-text search and the embedder.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200d\u2060\ufeff]/g;

/**
 * Text as extracted, made uniform: NFKC (ligatures, full-width forms and non-breaking spaces become plain
 * characters), one newline convention, no invisible characters, runs of blanks collapsed, at most one empty line
 * between paragraphs.
 */
export function cleanText(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/\r\n?/g, '\n')
    .replace(INVISIBLE, '')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

interface Unit {
  text: string;
  /** What joins it to the unit before: a paragraph break, a line break or a space. */
  sep: string;
  /** For the first unit of a paragraph: the length of the whole paragraph. */
  paragraphLength?: number;
}

/** Paragraphs → lines → sentences → (for a run-on sentence) word-bounded pieces, each with its joiner. */
function units(text: string): Unit[] {
  const out: Unit[] = [];
  for (const paragraph of text.split(/\n{2,}/)) {
    let sep = '\n\n';
    const first = out.length;
    for (const line of paragraph.split('\n')) {
      for (const sentence of line.split(/(?<=[.!?…。])\s+/)) {
        for (const piece of splitLong(sentence.trim())) {
          if (!piece) continue;
          out.push({ text: piece, sep });
          sep = ' ';
        }
      }
      if (out.length > first) sep = '\n';
    }
    if (out[first]) out[first].paragraphLength = paragraph.length;
  }
  return out;
}

function splitLong(sentence: string): string[] {
  if (sentence.length <= PIECE_MAX) return [sentence];
  const pieces: string[] = [];
  let rest = sentence;
  while (rest.length > PIECE_MAX) {
    const space = rest.lastIndexOf(' ', PIECE_MAX);
    // No space in reach (a URL, a base64 blob, CJK text without spaces): a hard cut.
    const cut = space > PIECE_MAX / 2 ? space : PIECE_MAX;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** The last ~CHUNK_OVERLAP characters of a chunk, starting at a sentence if one starts there, else at a word. */
function overlapOf(chunk: string): string {
  if (chunk.length <= CHUNK_OVERLAP) return chunk;
  const tail = chunk.slice(-CHUNK_OVERLAP);
  const sentence = tail.search(/[.!?…]\s+\S/);
  if (sentence >= 0 && tail.length - sentence > CHUNK_OVERLAP / 3) {
    return tail.slice(sentence + 1).trim();
  }
  const space = tail.indexOf(' ');
  return (space >= 0 ? tail.slice(space + 1) : tail).trim();
}

/**
 * Splits cleaned text into chunks of at most CHUNK_MAX characters, cut at paragraph, line or sentence boundaries
 * where possible (a chunk past half its size ends at a paragraph break rather than start the next paragraph), each starting with the end of the one before so a fact that straddles a cut is whole in one
 * of them. Never returns an empty chunk.
 */
export function chunkText(text: string): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const unit of units(text)) {
    const joined = current ? `${current}${unit.sep}${unit.text}` : unit.text;
    const paragraphFits =
      unit.paragraphLength === undefined ||
      current.length < CHUNK_SOFT_MIN ||
      current.length + 2 + unit.paragraphLength <= CHUNK_MAX;
    if (joined.length <= CHUNK_MAX && paragraphFits) {
      current = joined;
      continue;
    }
    chunks.push(current);
    const overlap = overlapOf(current);
    const next = overlap ? `${overlap}${unit.sep}${unit.text}` : unit.text;
    current = next.length <= CHUNK_MAX ? next : unit.text;
  }
  if (current) chunks.push(current);
  return chunks.map((c) => c.trim()).filter((c) => c !== '');
}
