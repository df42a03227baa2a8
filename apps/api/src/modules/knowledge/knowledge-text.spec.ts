import { describe, expect, it } from 'vitest';
import { CHUNK_MAX, chunkText, cleanText } from './knowledge-text.js';

const sentence = (i: number) => `Sentence number ${i} talks about topic ${i} in some detail for the reader.`;

describe('cleanText', () => {
  it('normalises unicode, newlines and blanks and drops invisible characters', () => {
    const raw =
      '\uFEFFﬁrst\u00A0line\r\nsecond\u200B line\t\twith\u0007 tabs\r\n\r\n\r\n\r\nnext   paragraph  ';
    expect(cleanText(raw)).toBe('first line\nsecond line with tabs\n\nnext paragraph');
  });

  it('turns whitespace-only text into nothing', () => {
    expect(cleanText(' \n\t\r\n ')).toBe('');
  });
});

describe('chunkText', () => {
  it('keeps a short text whole', () => {
    expect(chunkText('One paragraph.\n\nAnother one.')).toEqual(['One paragraph.\n\nAnother one.']);
  });

  it('returns no chunk for no text', () => {
    expect(chunkText('')).toEqual([]);
  });

  it('cuts long text at sentence boundaries within the size limit, with overlap', () => {
    const text = Array.from({ length: 60 }, (_, i) => sentence(i)).join(' ');
    const chunks = chunkText(text);
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(CHUNK_MAX);
      expect(c.length).toBeGreaterThan(600);
      // Every chunk starts at a sentence and ends at one.
      expect(c).toMatch(/^Sentence number \d+/);
      expect(c).toMatch(/reader\.$/);
    }
    for (let i = 1; i < chunks.length; i++) {
      // The next chunk begins with the end of the one before (whole sentences, ~150 characters).
      const previous = chunks[i - 1]!;
      let shared = 0;
      for (let k = 1; k <= 200; k++) if (previous.endsWith(chunks[i]!.slice(0, k))) shared = k;
      expect(shared).toBeGreaterThanOrEqual(50);
      expect(shared).toBeLessThanOrEqual(150);
    }
    // Nothing is lost: every sentence is in some chunk.
    for (let i = 0; i < 60; i++) expect(chunks.some((c) => c.includes(sentence(i)))).toBe(true);
  });

  it('prefers paragraph breaks', () => {
    const para = (p: number) => Array.from({ length: 6 }, (_, i) => sentence(p * 10 + i)).join(' ');
    const chunks = chunkText([para(1), para(2), para(3), para(4)].join('\n\n'));
    // Two paragraphs of ~450 characters fit a chunk; the cut falls between paragraphs.
    expect(chunks[0]).toBe(`${para(1)}\n\n${para(2)}`);
  });

  it('cuts a run-on sentence at words and a spaceless blob hard, never past the limit', () => {
    const words = Array.from({ length: 600 }, (_, i) => `word${i}`).join(' ');
    const blob = 'x'.repeat(5000);
    for (const text of [words, blob]) {
      const chunks = chunkText(text);
      expect(chunks.length).toBeGreaterThan(1);
      for (const c of chunks) {
        expect(c.length).toBeLessThanOrEqual(CHUNK_MAX);
        expect(c.trim()).not.toBe('');
      }
    }
    const wordChunks = chunkText(words);
    // Cut between words: no chunk ends inside one.
    for (const c of wordChunks) expect(c).toMatch(/word\d+$/);
    expect(wordChunks.join(' ')).toContain('word599');
  });
});
