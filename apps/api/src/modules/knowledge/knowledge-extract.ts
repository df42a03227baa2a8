import { parse } from 'csv-parse/sync';
import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';

/**
 * A problem with the source itself (no text, unreadable file, a URL that answers 404 or points inside): retrying
 * cannot help, and the message is shown to the user as the source's error.
 */
export class KnowledgeSourceError extends Error {}

/** Windows-1252's 0x80–0x9F (Node's TextDecoder reads that label as Latin-1, where these are control codes). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeCp1252(data: Buffer): string {
  let out = '';
  for (let i = 0; i < data.length; i += 8192) {
    const part = data.subarray(i, i + 8192);
    out += Array.from(part, (b) =>
      b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : String.fromCharCode(b),
    ).join('');
  }
  return out;
}

/**
 * Bytes of a text file as a string. UTF-8 (with or without BOM) when the bytes are valid UTF-8; UTF-16 when a BOM
 * says so; otherwise Windows-1252, the superset of Latin-1 that most legacy "ANSI" text files are in (so a
 * Latin-1 "café" is not turned into replacement characters).
 */
export function decodeText(data: Buffer, declaredCharset?: string): string {
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return data.subarray(3).toString('utf8');
  if (data[0] === 0xff && data[1] === 0xfe) return new TextDecoder('utf-16le').decode(data.subarray(2));
  if (data[0] === 0xfe && data[1] === 0xff) return new TextDecoder('utf-16be').decode(data.subarray(2));
  const charset = declaredCharset?.trim().toLowerCase();
  if (charset && ['iso-8859-1', 'latin1', 'windows-1252', 'cp1252', 'us-ascii'].includes(charset)) {
    return decodeCp1252(data);
  }
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    try {
      return new TextDecoder(charset).decode(data);
    } catch {
      // an unknown label: fall back to detection
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return decodeCp1252(data);
  }
}

export async function pdfToText(data: Buffer): Promise<string> {
  let pages: string[];
  try {
    const pdf = await getDocumentProxy(new Uint8Array(data));
    ({ text: pages } = await extractText(pdf, { mergePages: false }));
  } catch (err) {
    throw new KnowledgeSourceError(`The PDF could not be read: ${(err as Error).message}`);
  }
  const text = pages.join('\n\n');
  if (!text.trim()) {
    throw new KnowledgeSourceError(
      'The PDF has no extractable text (a scanned document needs OCR before it can be indexed)',
    );
  }
  return text;
}

export async function docxToText(data: Buffer): Promise<string> {
  let text: string;
  try {
    ({ value: text } = await mammoth.extractRawText({ buffer: data }));
  } catch (err) {
    throw new KnowledgeSourceError(`The DOCX document could not be read: ${(err as Error).message}`);
  }
  if (!text.trim()) throw new KnowledgeSourceError('The DOCX document has no text');
  return text;
}

/** The delimiter of the header line: comma unless semicolons or tabs clearly dominate (European spreadsheets). */
function guessDelimiter(firstLine: string): string {
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length - 1] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0]![1] > 0 ? counts[0]![0] : ',';
}

/**
 * One line per data row, each cell named by its column: "region: Portugal; carrier: CTT Expresso". A row read
 * alone (as a chunk, by the embedder, by a language model) then still says what its values are.
 */
export function csvToText(data: Buffer): string {
  const text = decodeText(data);
  const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined);
  let rows: string[][];
  try {
    rows = parse(text, {
      bom: true,
      delimiter: guessDelimiter(firstLine),
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
    });
  } catch (err) {
    throw new KnowledgeSourceError(`The CSV file could not be read: ${(err as Error).message}`);
  }
  const [header, ...body] = rows;
  if (!header || !body.length) throw new KnowledgeSourceError('The CSV file has no data rows');
  const names = header.map((h, i) => h || `column ${i + 1}`);
  const lines = body
    .map((row) =>
      row
        .map((value, i) => (value ? `${names[i] ?? `column ${i + 1}`}: ${value}` : ''))
        .filter(Boolean)
        .join('; '),
    )
    .filter(Boolean);
  if (!lines.length) throw new KnowledgeSourceError('The CSV file has no data rows');
  return lines.join('\n');
}
