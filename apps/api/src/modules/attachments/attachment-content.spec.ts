import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  contentDisposition,
  isInlineSafe,
  resolveContentType,
  sanitizeFileName,
  sniffContentType,
} from './attachment-content.js';
import { DigestMeter, readHead, TooLargeError } from './attachment-stream.js';

const head = (...parts: (string | number[])[]) =>
  Buffer.concat([
    ...parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))),
    randomBytes(40),
  ]);

describe('sniffContentType', () => {
  it.each([
    ['image/png', head([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['image/jpeg', head([0xff, 0xd8, 0xff, 0xe0])],
    ['image/gif', head('GIF89a')],
    ['image/webp', head('RIFF', [1, 2, 3, 4], 'WEBPVP8 ')],
    ['audio/wav', head('RIFF', [1, 2, 3, 4], 'WAVEfmt ')],
    ['application/pdf', head('%PDF-1.7')],
    ['audio/ogg', head('OggS')],
    ['audio/amr', head('#!AMR\n')],
    ['video/webm', head([0x1a, 0x45, 0xdf, 0xa3])],
    ['audio/mpeg', head('ID3')],
    ['audio/mpeg', head([0xff, 0xfb, 0x90])],
    ['video/mp4', head([0, 0, 0, 0x20], 'ftypisom')],
    ['audio/mp4', head([0, 0, 0, 0x20], 'ftypM4A ')],
    ['video/quicktime', head([0, 0, 0, 0x14], 'ftypqt  ')],
    ['image/heic', head([0, 0, 0, 0x18], 'ftypheic')],
    ['image/avif', head([0, 0, 0, 0x1c], 'ftypavif')],
  ])('recognises %s', (type, bytes) => {
    expect(sniffContentType(bytes)).toBe(type);
  });

  it('does not guess at text, markup or unknown bytes', () => {
    for (const text of [
      '<!doctype html><html>',
      '<svg xmlns="http://www.w3.org/2000/svg">',
      'hello',
      '{"a":1}',
    ]) {
      expect(sniffContentType(Buffer.from(text))).toBeUndefined();
    }
    expect(sniffContentType(Buffer.from([0xff, 0xfe, 0x68, 0x00]))).toBeUndefined(); // UTF-16 BOM, not MP3
    expect(sniffContentType(Buffer.from('RIFF'))).toBeUndefined();
    expect(sniffContentType(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('resolveContentType', () => {
  it('prefers the bytes over the declared type', () => {
    expect(resolveContentType(head('%PDF-'), 'text/html')).toBe('application/pdf');
  });

  it('otherwise keeps the declared type, lower-cased and without parameters', () => {
    expect(resolveContentType(Buffer.from('<html>'), 'Text/HTML; charset=UTF-8')).toBe('text/html');
    expect(resolveContentType(Buffer.from('a,b'), 'text/csv')).toBe('text/csv');
    expect(
      resolveContentType(
        Buffer.from('PK'),
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ),
    ).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  });

  it('falls back to application/octet-stream for missing or malformed declarations', () => {
    for (const declared of [undefined, '', 'html', 'text/html\r\nX-Injected: 1', 'a/b c', '/x', 'text/']) {
      expect(resolveContentType(Buffer.from('data'), declared)).toBe('application/octet-stream');
    }
  });
});

describe('isInlineSafe', () => {
  it('shows images, audio, video and PDF inline', () => {
    for (const t of ['image/png', 'image/jpeg', 'video/mp4', 'audio/ogg', 'application/pdf']) {
      expect(isInlineSafe(t)).toBe(true);
    }
  });

  it('downloads everything that can carry script or markup', () => {
    for (const t of [
      'text/html',
      'image/svg+xml',
      'application/xhtml+xml',
      'text/xml',
      'application/xml',
      'text/javascript',
      'application/octet-stream',
      'text/plain',
      'multipart/x-mixed-replace',
    ]) {
      expect(isInlineSafe(t)).toBe(false);
    }
  });
});

describe('sanitizeFileName', () => {
  it('keeps the last path segment without control or bidi-override characters', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\fakepath\\report.pdf')).toBe('report.pdf');
    expect(sanitizeFileName('in\u0000voice\r\n.pdf')).toBe('invoice.pdf');
    expect(sanitizeFileName('photo\u202egnp.exe')).toBe('photognp.exe');
    expect(sanitizeFileName('  résumé.pdf ')).toBe('résumé.pdf');
  });

  it('never returns an empty or dot name, and caps the length at 255 characters', () => {
    for (const name of [undefined, '', '   ', '.', '..', 'dir/', '\u0001'])
      expect(sanitizeFileName(name)).toBe('file');
    expect(Array.from(sanitizeFileName('😀'.repeat(300)))).toHaveLength(255);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact name per RFC 5987', () => {
    expect(contentDisposition('attachment', 'plain.txt')).toBe(
      `attachment; filename="plain.txt"; filename*=UTF-8''plain.txt`,
    );
    expect(contentDisposition('inline', 'naïve "quote" \\ 100%.png')).toBe(
      `inline; filename="na_ve _quote_ _ 100_.png"; filename*=UTF-8''na%C3%AFve%20%22quote%22%20%5C%20100%25.png`,
    );
    expect(contentDisposition('attachment', "it's (1)*.txt")).toBe(
      `attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`,
    );
  });
});

describe('readHead', () => {
  const collect = async (s: Readable) => {
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  it('returns the head across chunk boundaries and replays every byte', async () => {
    const data = randomBytes(1000);
    const source = Readable.from([
      data.subarray(0, 3),
      data.subarray(3, 10),
      data.subarray(10, 700),
      data.subarray(700),
    ]);
    const { head: h, stream } = await readHead(source, 64);
    expect(h.equals(data.subarray(0, 64))).toBe(true);
    expect((await collect(stream)).equals(data)).toBe(true);
  });

  it('handles a stream shorter than the head, and an empty one', async () => {
    const short = await readHead(Readable.from([Buffer.from('abc')]), 64);
    expect(short.head.toString()).toBe('abc');
    expect((await collect(short.stream)).toString()).toBe('abc');
    const empty = await readHead(Readable.from([]), 64);
    expect(empty.head).toHaveLength(0);
    expect(await collect(empty.stream)).toHaveLength(0);
  });

  it('destroys the source when the replay is destroyed', async () => {
    const source = Readable.from(
      (function* () {
        for (;;) yield randomBytes(1024);
      })(),
    );
    const { stream } = await readHead(source, 64);
    stream.destroy();
    await new Promise((r) => setTimeout(r, 10));
    expect(source.destroyed).toBe(true);
  });
});

describe('DigestMeter', () => {
  it('counts and hashes what passes, and fails past the limit', async () => {
    const meter = new DigestMeter(10);
    meter.resume();
    meter.write(Buffer.from('0123456789'));
    meter.end();
    await new Promise((r) => meter.on('end', r));
    expect(meter.bytes).toBe(10);
    expect(meter.sha256()).toBe('84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882');

    const over = new DigestMeter(10);
    const failed = new Promise((resolve) => over.on('error', resolve));
    over.resume();
    over.write(Buffer.from('0123456789X'));
    expect(await failed).toBeInstanceOf(TooLargeError);
    expect(over.exceeded).toBe(true);
  });
});
