import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback S3 that speaks the REST wire format the AWS SDK uses (path-style addressing) and checks every
 * request the way S3 does: the SigV4 signature is recomputed from the raw request with the secret of the access
 * key, the payload hash and any x-amz-checksum-* are checked against the bytes received. A wrong secret gets
 * 403 SignatureDoesNotMatch, exactly like S3.
 *
 * Operations: PutObject, GetObject, HeadObject, DeleteObject, and the multipart upload calls that
 * @aws-sdk/lib-storage makes for bodies larger than one part.
 */

export interface FakeS3Options {
  bucket: string;
  region: string;
  /** accessKeyId → secretAccessKey */
  credentials: Record<string, string>;
}

export interface StoredFakeObject {
  body: Buffer;
  contentType?: string;
  etag: string;
  crc32?: string;
}

export interface FakeS3Request {
  method: string;
  url: string;
  headers: Record<string, string>;
  operation: string;
  key: string;
  status: number;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60 * 1000;

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const xmlEscape = (s: string) =>
  s.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!,
  );

/** RFC 3986 percent-encoding as SigV4 defines it: everything but A-Z a-z 0-9 - . _ ~ is encoded. */
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE), base64 of the big-endian value: the form of x-amz-checksum-crc32. */
function crc32Base64(data: Buffer): string {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

const CHECKSUMS: Record<string, (data: Buffer) => string> = {
  'x-amz-checksum-crc32': crc32Base64,
  'x-amz-checksum-sha256': (d) => createHash('sha256').update(d).digest('base64'),
  'x-amz-checksum-sha1': (d) => createHash('sha1').update(d).digest('base64'),
};

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Decodes an aws-chunked body (`<hex size>[;ext]\r\n<data>\r\n … 0\r\n<trailers>\r\n\r\n`). */
function decodeAwsChunked(raw: Buffer): { body: Buffer; trailers: Record<string, string> } {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', pos);
    if (eol < 0) throw new S3Error(400, 'IncompleteBody', 'aws-chunked body ends inside a chunk header');
    const size = parseInt(raw.toString('latin1', pos, eol).split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new S3Error(400, 'InvalidRequest', 'malformed aws-chunked size');
    pos = eol + 2;
    if (size === 0) break;
    parts.push(raw.subarray(pos, pos + size));
    pos += size;
    if (raw.toString('latin1', pos, pos + 2) !== '\r\n') {
      throw new S3Error(400, 'IncompleteBody', 'aws-chunked chunk is not followed by CRLF');
    }
    pos += 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.toString('latin1', pos).split('\r\n')) {
    if (!line) continue;
    const i = line.indexOf(':');
    trailers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}

export class FakeS3 {
  readonly objects = new Map<string, StoredFakeObject>();
  readonly requests: FakeS3Request[] = [];
  private readonly uploads = new Map<
    string,
    {
      key: string;
      contentType?: string;
      checksumAlgorithm?: string;
      parts: Map<number, { body: Buffer; etag: string }>;
    }
  >();
  private server?: Server;
  url = '';

  constructor(private readonly options: FakeS3Options) {}

  static async start(options: FakeS3Options): Promise<FakeS3> {
    const fake = new FakeS3(options);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server!.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((e) => (e ? reject(e) : resolve())));
  }

  operations(): string[] {
    return this.requests.map((r) => r.operation);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const [, bucket = '', ...keyParts] = url.pathname.split('/');
    const key = keyParts.map((p) => decodeURIComponent(p)).join('/');
    const entry: FakeS3Request = {
      method: req.method ?? '',
      url: req.url ?? '/',
      headers: Object.fromEntries(Object.keys(req.headers).map((h) => [h, header(req, h)!])),
      operation: 'Unknown',
      key,
      status: 0,
    };
    this.requests.push(entry);
    try {
      entry.operation = this.operationOf(req.method ?? '', url.searchParams, key);
      this.verifySignature(req);
      const body = this.verifyPayload(req, raw);
      if (decodeURIComponent(bucket) !== this.options.bucket) {
        throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
      }
      this.route(entry.operation, req, res, url.searchParams, key, body);
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      res.statusCode = err.status;
      res.setHeader('x-amz-request-id', randomUUID());
      if (req.method === 'HEAD') {
        res.end();
      } else {
        res.setHeader('content-type', 'application/xml');
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${err.code}</Code><Message>${xmlEscape(err.message)}</Message>` +
            `<Key>${xmlEscape(key)}</Key><RequestId>${randomUUID()}</RequestId></Error>`,
        );
      }
    } finally {
      entry.status = res.statusCode;
    }
  }

  private operationOf(method: string, q: URLSearchParams, key: string): string {
    if (!key) throw new S3Error(501, 'NotImplemented', 'bucket-level operations are not implemented');
    if (method === 'PUT') return q.has('uploadId') ? 'UploadPart' : 'PutObject';
    if (method === 'POST' && q.has('uploads')) return 'CreateMultipartUpload';
    if (method === 'POST' && q.has('uploadId')) return 'CompleteMultipartUpload';
    if (method === 'DELETE') return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    if (method === 'GET') return 'GetObject';
    if (method === 'HEAD') return 'HeadObject';
    throw new S3Error(501, 'NotImplemented', `${method} is not implemented`);
  }

  /** SigV4, recomputed from the request as received (header-based auth; presigned URLs are not accepted). */
  private verifySignature(req: IncomingMessage): void {
    const auth = header(req, 'authorization');
    if (!auth) throw new S3Error(403, 'AccessDenied', 'Anonymous access is not allowed');
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) throw new S3Error(400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed');
    const [, credential, signedHeadersRaw, signature] = m as unknown as [string, string, string, string];
    const [accessKeyId, date, region, service, terminator] = credential.split('/');
    const secret = accessKeyId ? this.options.credentials[accessKeyId] : undefined;
    if (!secret) {
      throw new S3Error(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    }
    const amzDate = header(req, 'x-amz-date') ?? '';
    if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) {
      throw new S3Error(
        400,
        'AuthorizationHeaderMalformed',
        'x-amz-date is missing or does not match the credential date',
      );
    }
    if (region !== this.options.region || service !== 's3' || terminator !== 'aws4_request') {
      throw new S3Error(
        400,
        'AuthorizationHeaderMalformed',
        `the credential scope must be <date>/${this.options.region}/s3/aws4_request`,
      );
    }
    const signedAt = Date.parse(
      `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
    );
    if (Math.abs(Date.now() - signedAt) > MAX_SKEW_MS) {
      throw new S3Error(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
      );
    }
    const signedHeaders = signedHeadersRaw.split(';');
    const payloadHash = header(req, 'x-amz-content-sha256');
    if (!payloadHash)
      throw new S3Error(
        400,
        'InvalidRequest',
        'Missing required header for this request: x-amz-content-sha256',
      );
    const unsigned = Object.keys(req.headers).filter(
      (h) => (h === 'host' || h.startsWith('x-amz-')) && !signedHeaders.includes(h),
    );
    if (unsigned.length) {
      throw new S3Error(
        403,
        'AccessDenied',
        `There were headers present in the request which were not signed: ${unsigned.join(', ')}`,
      );
    }

    const url = new URL(req.url ?? '/', 'http://fake');
    const canonicalUri = url.pathname
      .split('/')
      .map((segment) => uriEncode(decodeURIComponent(segment)))
      .join('/');
    const rawQuery = (req.url ?? '').split('?')[1] ?? '';
    const canonicalQuery = rawQuery
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const i = pair.indexOf('=');
        const k = decodeURIComponent(i < 0 ? pair : pair.slice(0, i));
        const v = i < 0 ? '' : decodeURIComponent(pair.slice(i + 1));
        return [uriEncode(k), uriEncode(v)] as const;
      })
      .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join('&');
    const canonicalHeaders = signedHeaders
      .map((h) => `${h}:${(header(req, h) ?? '').trim().replace(/\s+/g, ' ')}\n`)
      .join('');
    const canonicalRequest = [
      req.method,
      canonicalUri,
      canonicalQuery,
      canonicalHeaders,
      signedHeadersRaw,
      payloadHash,
    ].join('\n');
    const scope = `${date}/${region}/s3/aws4_request`;
    const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
    const expected = createHmac('sha256', signingKey).update(stringToSign).digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new S3Error(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
    }
  }

  /** The bytes of the request as S3 would store them, after checking the signed hash and any checksum. */
  private verifyPayload(req: IncomingMessage, raw: Buffer): Buffer {
    const declared = header(req, 'x-amz-content-sha256')!;
    let body = raw;
    let trailers: Record<string, string> = {};
    if (declared === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') {
      ({ body, trailers } = decodeAwsChunked(raw));
      const decodedLength = Number(header(req, 'x-amz-decoded-content-length'));
      if (decodedLength !== body.length) {
        throw new S3Error(400, 'IncompleteBody', 'x-amz-decoded-content-length does not match the body');
      }
    } else if (declared.startsWith('STREAMING-')) {
      throw new S3Error(501, 'NotImplemented', `payload mode ${declared} is not implemented by the fake`);
    } else if (declared !== 'UNSIGNED-PAYLOAD') {
      if (sha256Hex(raw) !== declared) {
        throw new S3Error(
          400,
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        );
      }
    }
    for (const [name, compute] of Object.entries(CHECKSUMS)) {
      const given = trailers[name] ?? header(req, name);
      if (given !== undefined && given !== compute(body)) {
        throw new S3Error(
          400,
          'BadDigest',
          `The ${name.slice('x-amz-checksum-'.length).toUpperCase()} you specified did not match the calculated checksum.`,
        );
      }
    }
    return body;
  }

  private route(
    operation: string,
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    key: string,
    body: Buffer,
  ): void {
    const etagOf = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;
    const xml = (status: number, text: string) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/xml');
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${text}`);
    };
    switch (operation) {
      case 'PutObject': {
        const object: StoredFakeObject = {
          body,
          contentType: header(req, 'content-type'),
          etag: etagOf(body),
          crc32: crc32Base64(body),
        };
        this.objects.set(key, object);
        res.setHeader('etag', object.etag);
        if (header(req, 'x-amz-checksum-crc32')) res.setHeader('x-amz-checksum-crc32', object.crc32!);
        res.end();
        return;
      }
      case 'GetObject':
      case 'HeadObject': {
        const object = this.objects.get(key);
        if (!object) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
        res.setHeader('content-length', object.body.length);
        res.setHeader('content-type', object.contentType ?? 'binary/octet-stream');
        res.setHeader('etag', object.etag);
        res.setHeader('last-modified', new Date().toUTCString());
        if (object.crc32 && header(req, 'x-amz-checksum-mode') === 'ENABLED') {
          res.setHeader('x-amz-checksum-crc32', object.crc32);
        }
        res.end(operation === 'GetObject' ? object.body : undefined);
        return;
      }
      case 'DeleteObject':
        this.objects.delete(key);
        res.statusCode = 204;
        res.end();
        return;
      case 'CreateMultipartUpload': {
        const uploadId = randomUUID();
        this.uploads.set(uploadId, {
          key,
          contentType: header(req, 'content-type'),
          checksumAlgorithm: header(req, 'x-amz-checksum-algorithm'),
          parts: new Map(),
        });
        xml(
          200,
          `<InitiateMultipartUploadResult><Bucket>${this.options.bucket}</Bucket><Key>${xmlEscape(key)}</Key>` +
            `<UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
        );
        return;
      }
      case 'UploadPart': {
        const upload = this.uploadFor(q, key);
        const partNumber = Number(q.get('partNumber'));
        if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) {
          throw new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000');
        }
        const etag = etagOf(body);
        upload.parts.set(partNumber, { body, etag });
        res.setHeader('etag', etag);
        if (upload.checksumAlgorithm === 'CRC32') res.setHeader('x-amz-checksum-crc32', crc32Base64(body));
        res.end();
        return;
      }
      case 'CompleteMultipartUpload': {
        const upload = this.uploadFor(q, key);
        const listed = [...body.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((p) => ({
          number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(p[1]!)?.[1]),
          etag: /<ETag>([^<]+)<\/ETag>/.exec(p[1]!)?.[1]?.replace(/&quot;/g, '"'),
        }));
        if (!listed.length)
          throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed');
        const parts = listed.map(({ number, etag }, i) => {
          const part = upload.parts.get(number);
          if (!part || part.etag !== etag)
            throw new S3Error(400, 'InvalidPart', `part ${number} was not uploaded`);
          if (i > 0 && number <= listed[i - 1]!.number) {
            throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
          }
          if (i < listed.length - 1 && part.body.length < 5 * 1024 * 1024) {
            throw new S3Error(
              400,
              'EntityTooSmall',
              'Your proposed upload is smaller than the minimum allowed object size.',
            );
          }
          return part;
        });
        const data = Buffer.concat(parts.map((p) => p.body));
        const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag.replace(/"/g, ''), 'hex')));
        const etag = `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
        this.objects.set(key, { body: data, contentType: upload.contentType, etag });
        this.uploads.delete(q.get('uploadId')!);
        xml(
          200,
          `<CompleteMultipartUploadResult><Location>${this.url}/${this.options.bucket}/${xmlEscape(key)}</Location>` +
            `<Bucket>${this.options.bucket}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(etag)}</ETag>` +
            `</CompleteMultipartUploadResult>`,
        );
        return;
      }
      case 'AbortMultipartUpload':
        this.uploadFor(q, key);
        this.uploads.delete(q.get('uploadId')!);
        res.statusCode = 204;
        res.end();
        return;
      default:
        throw new S3Error(501, 'NotImplemented', `${operation} is not implemented`);
    }
  }

  /** Multipart uploads still open (neither completed nor aborted). */
  openUploads(): number {
    return this.uploads.size;
  }

  private uploadFor(q: URLSearchParams, key: string) {
    const upload = this.uploads.get(q.get('uploadId') ?? '');
    if (!upload || upload.key !== key) {
      throw new S3Error(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
    }
    return upload;
  }
}
