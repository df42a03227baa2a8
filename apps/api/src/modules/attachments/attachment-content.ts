/** How many leading bytes the sniffer needs. */
export const SNIFF_BYTES = 64;

const ascii = (buf: Buffer, offset: number, text: string) =>
  buf.length >= offset + text.length && buf.toString('latin1', offset, offset + text.length) === text;
const bytes = (buf: Buffer, offset: number, values: number[]) =>
  buf.length >= offset + values.length && values.every((v, i) => buf[offset + i] === v);

const MP3_FRAME_SECOND_BYTES = new Set([0xfb, 0xfa, 0xf3, 0xf2, 0xe3, 0xe2]);

/** ISO base media (MP4, MOV, M4A, HEIC, AVIF): `ftyp` at offset 4, then the major brand. */
function isoMediaType(head: Buffer): string | undefined {
  if (!ascii(head, 4, 'ftyp') || head.length < 12) return undefined;
  const brand = head.toString('latin1', 8, 12);
  if (brand === 'M4A ' || brand === 'M4B ') return 'audio/mp4';
  if (brand === 'qt  ') return 'video/quicktime';
  if (brand === 'avif' || brand === 'avis') return 'image/avif';
  if (['heic', 'heix', 'mif1', 'msf1'].includes(brand)) return 'image/heic';
  return 'video/mp4';
}

/**
 * The type the bytes themselves announce, for the formats the inbox previews (images, audio, video, PDF). Only
 * magic numbers, never text heuristics: anything else keeps its declared type and is downloaded, not rendered.
 */
export function sniffContentType(head: Buffer): string | undefined {
  if (bytes(head, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (bytes(head, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'image/webp';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WAVE')) return 'audio/wav';
  if (ascii(head, 0, '%PDF-')) return 'application/pdf';
  if (ascii(head, 0, 'OggS')) return 'audio/ogg';
  if (ascii(head, 0, '#!AMR')) return 'audio/amr';
  if (bytes(head, 0, [0x1a, 0x45, 0xdf, 0xa3])) return 'video/webm';
  if (ascii(head, 0, 'ID3')) return 'audio/mpeg';
  // A bare MP3 frame header (MPEG-1, 2 or 2.5 Layer III); the exact second bytes, so a UTF-16 BOM (FF FE) is not one.
  if (head[0] === 0xff && MP3_FRAME_SECOND_BYTES.has(head[1] ?? -1)) return 'audio/mpeg';
  return isoMediaType(head);
}

const TOKEN = '[a-z0-9][a-z0-9!#$&^_.+-]{0,126}';
const MIME = new RegExp(`^${TOKEN}/${TOKEN}$`);

/**
 * The stored type: what the bytes say when the sniffer knows them, else the declared `type/subtype` (lower-cased,
 * parameters dropped), else application/octet-stream. A declared type never makes a file render inline by
 * itself: downloads are sent with nosniff, and only the types in isInlineSafe are shown inline at all.
 */
export function resolveContentType(head: Buffer, declared: string | undefined): string {
  const sniffed = sniffContentType(head);
  if (sniffed) return sniffed;
  const bare = declared?.split(';', 1)[0]?.trim().toLowerCase();
  return bare && MIME.test(bare) ? bare : 'application/octet-stream';
}

/**
 * Types a browser may show in place. SVG is an image that runs script, so it is downloaded like HTML; every
 * other type (HTML, XML, scripts, office files, ...) is sent as `attachment`.
 */
export function isInlineSafe(contentType: string): boolean {
  if (contentType === 'image/svg+xml') return false;
  return /^(image|video|audio)\//.test(contentType) || contentType === 'application/pdf';
}

// Control characters, and bidirectional overrides that make "gpj.exe" display as "exe.jpg".
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const MAX_FILE_NAME = 255;

/** A display name: the last path segment of what the client sent, without control characters, at most 255 characters. */
export function sanitizeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = Array.from(base.replace(UNSAFE_CHARS, '').trim()).slice(0, MAX_FILE_NAME).join('');
  return clean === '' || clean === '.' || clean === '..' ? 'file' : clean;
}

/** RFC 6266 Content-Disposition with an ASCII fallback and the exact name in RFC 5987 `filename*`. */
export function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
