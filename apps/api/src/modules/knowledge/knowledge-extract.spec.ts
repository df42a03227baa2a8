import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { csvToText, decodeText, docxToText, KnowledgeSourceError, pdfToText } from './knowledge-extract.js';
import { detectKnowledgeFile } from './knowledge-file-type.js';
import { htmlToText } from './knowledge-html.js';
import { fuseRankings } from './knowledge-retrieval.service.js';
import { decodeVector, encodeVector } from './knowledge-vector.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/knowledge/${name}`, import.meta.url));

describe('text decoding', () => {
  it('reads UTF-8, UTF-8 with BOM, UTF-16 with BOM, and falls back to Windows-1252', () => {
    expect(decodeText(Buffer.from('café ✓'))).toBe('café ✓');
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('café')]))).toBe('café');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('café', 'utf16le')]))).toBe(
      'café',
    );
    expect(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]))).toBe('café €');
  });
});

describe('extractors', () => {
  it('reads the text layer of a PDF and refuses one without text', async () => {
    expect(await pdfToText(fixture('warranty.pdf'))).toContain('warranty of 27 months');
    await expect(pdfToText(fixture('scanned.pdf'))).rejects.toThrow(/The PDF has no extractable text/);
    await expect(pdfToText(Buffer.from('%PDF-1.4 not really'))).rejects.toBeInstanceOf(KnowledgeSourceError);
  });

  it('reads the paragraphs of a DOCX', async () => {
    const text = await docxToText(fixture('returns.docx'));
    expect(text).toContain('returned within 45 days');
    await expect(docxToText(Buffer.from('PK\u0003\u0004broken'))).rejects.toThrow(/could not be read/);
  });

  it('renders each CSV row with its column names', () => {
    expect(csvToText(fixture('shipping.csv')).split('\n')).toEqual([
      'region: Portugal; carrier: CTT Expresso; delivery_days: 2',
      'region: Iceland; carrier: Posturinn; delivery_days: 9',
      'region: Norway, Svalbard; carrier: Bring; delivery_days: 14',
    ]);
    expect(csvToText(Buffer.from('a;b\n1;\n;2\n'))).toBe('a: 1\nb: 2');
    expect(() => csvToText(Buffer.from('only,a,header\n'))).toThrow(/no data rows/);
  });

  it('keeps the visible text of a page and its title, without script, style and navigation', () => {
    const { title, text } = htmlToText(
      `<!doctype html><html><head><title>Store &amp; hours</title><style>p{color:red}</style>
       <script>var secret = "hidden";</script></head><body><nav><a href="/">Home</a> menu</nav>
       <h1>Opening&nbsp;hours</h1><p>Open from <b>9</b> to 5.<br>Closed on Sundays.</p><!-- a comment -->
       <table><tr><td>Mon</td><td>9&#8211;5</td></tr></table><noscript>enable js</noscript></body></html>`,
    );
    expect(title).toBe('Store & hours');
    expect(text).toContain('Store & hours');
    expect(text).toContain('Opening hours');
    expect(text).toContain('Open from 9 to 5.');
    expect(text).toContain('Closed on Sundays.');
    expect(text).toContain('Mon');
    expect(text).toContain('9–5');
    for (const hidden of ['secret', 'color:red', 'menu', 'comment', 'enable js']) {
      expect(text).not.toContain(hidden);
    }
  });
});

describe('upload type detection', () => {
  it('accepts each type when extension and content agree', () => {
    expect(detectKnowledgeFile('a.PDF', fixture('warranty.pdf'))).toEqual({
      kind: 'pdf',
      mimeType: 'application/pdf',
    });
    expect(detectKnowledgeFile('r.docx', fixture('returns.docx'))).toMatchObject({ kind: 'docx' });
    expect(detectKnowledgeFile('s.csv', fixture('shipping.csv'))).toMatchObject({ kind: 'csv' });
    expect(detectKnowledgeFile('h.txt', fixture('opening-hours.txt'))).toMatchObject({ kind: 'txt' });
  });

  it('refuses other types, mismatched content and legacy Word files with a reason', () => {
    expect(detectKnowledgeFile('sheet.xlsx', Buffer.from('PK\u0003\u0004'))).toEqual({
      error: 'Unsupported file type ".xlsx": upload a PDF, DOCX, TXT or CSV file',
    });
    expect(detectKnowledgeFile('noext', Buffer.from('text'))).toHaveProperty('error');
    expect(detectKnowledgeFile('fake.pdf', Buffer.from('hello'))).toEqual({
      error: 'The file is named .pdf but its content is not a PDF',
    });
    expect(detectKnowledgeFile('zip.docx', Buffer.from('PK\u0003\u0004 other zip'))).toHaveProperty('error');
    expect(
      detectKnowledgeFile('old.docx', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])),
    ).toEqual({ error: 'Legacy Word (.doc) files are not supported: save the document as .docx' });
    expect(detectKnowledgeFile('image.txt', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]))).toEqual({
      error: 'The file is named .txt but its content is binary, not text',
    });
    expect(detectKnowledgeFile('doc.txt', fixture('warranty.pdf'))).toHaveProperty('error');
  });
});

describe('reciprocal rank fusion', () => {
  it('rewards agreement between rankings and records each rank', () => {
    const fused = fuseRankings([
      { kind: 'text', keys: [10, 20, 30] },
      { kind: 'vector', keys: [30, 40, 10] },
    ]);
    expect(fused.map((h) => h.key)).toEqual([10, 30, 20, 40]);
    expect(fused[0]).toEqual({ key: 10, score: 1 / 61 + 1 / 63, textRank: 1, vectorRank: 3 });
    expect(fused[2]).toEqual({ key: 20, score: 1 / 62, textRank: 2, vectorRank: null });
    expect(fused[3]).toMatchObject({ key: 40, textRank: null, vectorRank: 2 });
  });

  it('handles empty rankings', () => {
    expect(fuseRankings([{ kind: 'text', keys: [] }])).toEqual([]);
  });
});

describe('stored vectors', () => {
  it('round-trips float32 little-endian', () => {
    const v = [0.5, -0.25, 1e-7, 3.4e38];
    const buf = encodeVector(v);
    expect(buf.length).toBe(16);
    expect(buf.readFloatLE(4)).toBe(-0.25);
    expect(Array.from(decodeVector(buf))).toEqual(Array.from(Float32Array.from(v)));
    // An unaligned view (as a driver may hand it over) decodes the same.
    const unaligned = Buffer.concat([Buffer.from([0]), buf]).subarray(1);
    expect(Array.from(decodeVector(unaligned))).toEqual(Array.from(Float32Array.from(v)));
  });
});
