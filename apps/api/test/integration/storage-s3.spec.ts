import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3StorageDriver } from '../../src/common/storage/s3-storage.driver.js';
import { StorageObjectNotFoundError } from '../../src/common/storage/storage-driver.js';
import { attachmentStorageKey, InvalidStorageKeyError } from '../../src/common/storage/storage-key.js';
import { FakeS3 } from '../fakes/fake-s3.js';
import { makeTenantWithUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const BUCKET = 'orbitdesk-test';
const REGION = 'eu-central-1';
const ACCESS_KEY_ID = 'AKIAFAKEORBITDESK01';
const SECRET = 'fake/secret+key/0123456789abcdefghijklmnop';
const PART_SIZE = 5 * 1024 * 1024;

const newKey = () => attachmentStorageKey(randomUUID(), randomUUID(), new Date());
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A stream in small chunks, as a socket would deliver it (so the SDK never sees a Buffer body). */
function chunked(data: Buffer, size = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );
}

describe('S3StorageDriver against a SigV4-checking fake S3', () => {
  let fake: FakeS3;
  let driver: S3StorageDriver;
  const driverWith = (overrides: { accessKeyId?: string; secretAccessKey?: string } = {}) =>
    new S3StorageDriver({
      bucket: BUCKET,
      region: REGION,
      endpoint: fake.url,
      forcePathStyle: true,
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
      partSize: PART_SIZE,
      ...overrides,
    });

  beforeAll(async () => {
    fake = await FakeS3.start({ bucket: BUCKET, region: REGION, credentials: { [ACCESS_KEY_ID]: SECRET } });
    driver = driverWith();
  });
  afterAll(async () => {
    driver.onModuleDestroy();
    await fake.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('stores a small stream with one signed PutObject and reads it back', async () => {
    const key = newKey();
    const data = randomBytes(70_000);
    await expect(driver.put(key, chunked(data), { contentType: 'image/png' })).resolves.toEqual({
      size: data.length,
    });
    expect(fake.operations()).toEqual(['PutObject']);
    expect(fake.requests[0]!.status).toBe(200);
    // Really signed, not anonymous: the fake recomputed this signature before accepting the body.
    expect(fake.requests[0]!.headers.authorization).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/${REGION}/s3/aws4_request`),
    );
    expect(fake.requests[0]!.url.split('?')[0]).toBe(`/${BUCKET}/${key}`);
    expect(fake.objects.get(key)?.contentType).toBe('image/png');
    expect(sha(fake.objects.get(key)!.body)).toBe(sha(data));

    const object = await driver.get(key);
    expect(object.size).toBe(data.length);
    expect(object.contentType).toBe('image/png');
    expect(sha(await readAll(object.stream))).toBe(sha(data));
  });

  it('answers exists from HeadObject and deletes idempotently', async () => {
    const key = newKey();
    await driver.put(key, chunked(Buffer.from('hello')), { contentType: 'text/plain' });
    expect(await driver.exists(key)).toBe(true);
    await driver.delete(key);
    expect(fake.objects.has(key)).toBe(false);
    expect(await driver.exists(key)).toBe(false);
    await expect(driver.delete(key)).resolves.toBeUndefined();
    await expect(driver.get(key)).rejects.toBeInstanceOf(StorageObjectNotFoundError);
    expect(fake.operations()).toEqual([
      'PutObject',
      'HeadObject',
      'DeleteObject',
      'HeadObject',
      'DeleteObject',
      'GetObject',
    ]);
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200, 204, 404, 204, 404]);
  });

  it('uploads a body larger than one part as a multipart upload', async () => {
    const key = newKey();
    const data = randomBytes(PART_SIZE + 300_000);
    await expect(driver.put(key, chunked(data), { contentType: 'video/mp4' })).resolves.toEqual({
      size: data.length,
    });
    expect(fake.operations()).toEqual([
      'CreateMultipartUpload',
      'UploadPart',
      'UploadPart',
      'CompleteMultipartUpload',
    ]);
    expect(fake.objects.get(key)?.etag).toMatch(/-2"$/);
    expect(fake.objects.get(key)?.contentType).toBe('video/mp4');
    expect(sha(await readAll((await driver.get(key)).stream))).toBe(sha(data));
  });

  it('aborts the multipart upload and stores nothing when the source fails midway', async () => {
    const key = newKey();
    const source = Readable.from(
      (function* () {
        yield randomBytes(PART_SIZE);
        yield randomBytes(1000);
        throw new Error('client went away');
      })(),
    );
    await expect(driver.put(key, source, { contentType: 'video/mp4' })).rejects.toThrow('client went away');
    expect(fake.objects.has(key)).toBe(false);
    expect(fake.operations()).toContain('AbortMultipartUpload');
    expect(fake.openUploads()).toBe(0);
  });

  it('is refused with SignatureDoesNotMatch when the client signs with the wrong secret', async () => {
    const wrong = driverWith({ secretAccessKey: `${SECRET}x` });
    const key = newKey();
    try {
      const err = await wrong
        .put(key, chunked(Buffer.from('secret data')), { contentType: 'text/plain' })
        .then(
          () => undefined,
          (e: unknown) => e as { name: string; $metadata: { httpStatusCode: number } },
        );
      expect(err?.name).toBe('SignatureDoesNotMatch');
      expect(err?.$metadata.httpStatusCode).toBe(403);
      expect(fake.objects.has(key)).toBe(false);

      await driver.put(key, chunked(Buffer.from('stored by the right client')), {
        contentType: 'text/plain',
      });
      await expect(wrong.get(key)).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
      await expect(wrong.exists(key)).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      await wrong.delete(key).catch(() => undefined);
      expect(fake.objects.has(key)).toBe(true);
    } finally {
      wrong.onModuleDestroy();
    }
  });

  it('is refused with InvalidAccessKeyId for an unknown access key', async () => {
    const unknown = driverWith({ accessKeyId: 'AKIAUNKNOWN000000000' });
    try {
      await expect(
        unknown.put(newKey(), chunked(Buffer.from('x')), { contentType: 'text/plain' }),
      ).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    } finally {
      unknown.onModuleDestroy();
    }
  });

  it('recomputes the signature from the request: a valid signature replayed for another key is refused', async () => {
    const key = newKey();
    await driver.put(key, chunked(Buffer.from('tenant A file')), { contentType: 'text/plain' });
    const other = newKey();
    await driver.put(other, chunked(Buffer.from('tenant B file')), { contentType: 'text/plain' });
    fake.requests.length = 0;
    await readAll((await driver.get(key)).stream);
    const signed = fake.requests[0]!;
    expect(signed.status).toBe(200);

    const replay = (url: string, headers: Record<string, string>) =>
      fetch(`${fake.url}${url}`, {
        headers: Object.fromEntries(
          Object.entries(headers).filter(([h]) => h !== 'host' && h !== 'connection'),
        ),
      });

    const same = await replay(signed.url, signed.headers);
    expect(same.status).toBe(200);
    expect(await same.text()).toBe('tenant A file');

    const moved = await replay(signed.url.replace(key, other), signed.headers);
    expect(moved.status).toBe(403);
    expect(await moved.text()).toContain('<Code>SignatureDoesNotMatch</Code>');

    const rangeAdded = await replay(signed.url, { ...signed.headers, 'x-amz-checksum-mode': 'DISABLED' });
    expect(rangeAdded.status).toBe(403);
  });

  it('refuses keys that are not storage keys before any request is made', async () => {
    for (const key of ['../etc/passwd', `${newKey()}/../x`, '', 'a/b']) {
      await expect(
        driver.put(key, chunked(Buffer.from('x')), { contentType: 'text/plain' }),
      ).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.get(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.delete(key)).rejects.toBeInstanceOf(InvalidStorageKeyError);
    }
    expect(fake.requests).toEqual([]);
  });
});

describe('attachments with STORAGE_TYPE=s3', () => {
  let fake: FakeS3;
  let ctx: TestContext;

  beforeAll(async () => {
    fake = await FakeS3.start({ bucket: BUCKET, region: REGION, credentials: { [ACCESS_KEY_ID]: SECRET } });
    ctx = await startTestApp({
      env: {
        STORAGE_TYPE: 's3',
        S3_ENDPOINT: fake.url,
        S3_REGION: REGION,
        S3_BUCKET: BUCKET,
        S3_ACCESS_KEY_ID: ACCESS_KEY_ID,
        S3_SECRET_ACCESS_KEY: SECRET,
        S3_FORCE_PATH_STYLE: 'true',
      },
    });
  });
  afterAll(async () => {
    await ctx?.close();
    await fake?.close();
  });

  it('uploads to the bucket under the tenant prefix, downloads through the signed URL, and deletes', async () => {
    const { tenant, token } = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(20_000)]);
    const boundary = `----od${randomBytes(8).toString('hex')}`;
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="report.pdf"\r\n` +
          `Content-Type: application/pdf\r\n\r\n`,
      ),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await ctx.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url: '/api/v1/attachments',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        payload,
      });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json<{ id: string; url: string; sha256: string }>();
    expect(created.sha256).toBe(sha(data));
    const [key] = [...fake.objects.keys()];
    expect(key).toMatch(new RegExp(`^${tenant.id}/\\d{4}/\\d{2}/${created.id}$`));
    expect(sha(fake.objects.get(key!)!.body)).toBe(sha(data));

    const url = new URL(created.url);
    const download = await ctx.app
      .getHttpAdapter()
      .getInstance()
      .inject({ method: 'GET', url: url.pathname + url.search });
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(sha(download.rawPayload)).toBe(sha(data));

    const del = await http(ctx.app, 'DELETE', `/api/v1/attachments/${created.id}`, { token });
    expect(del.status).toBe(200);
    expect(fake.objects.size).toBe(0);
  });
});
