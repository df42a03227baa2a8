import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestContext } from '../../src/common/tenancy/request-context.js';
import { attachments, auditLogs, tenants } from '../../src/db/schema/index.js';
import { AttachmentUrlSigner } from '../../src/modules/attachments/attachment-url-signer.js';
import { AttachmentsService } from '../../src/modules/attachments/attachments.service.js';
import { makeApiKey, makeTenantWithUser, makeUser, login } from '../support/factories.js';
import { getRaw, postMultipart, type Part } from '../support/multipart.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const MAX_BYTES = 64 * 1024;
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(5000)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const file = (data: Buffer, fileName = 'photo.png', contentType?: string): Part => ({
  kind: 'file',
  name: 'file',
  fileName,
  contentType,
  data,
});
/** The path and query of a signed URL, for Fastify's injector. */
const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

/** Every file under the storage root, relative to it (including any partial upload left behind). */
async function storedFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

describe('attachments (local storage)', () => {
  let ctx: TestContext;
  let storageDir: string;
  let a: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let aAgentToken: string;
  let b: Awaited<ReturnType<typeof makeTenantWithUser>>;

  const upload = (parts: Part[], auth: { token?: string; apiKey?: string } = { token: aAgentToken }) =>
    postMultipart(ctx.app, '/api/v1/attachments', parts, auth);

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'orbitdesk-attachments-'));
    ctx = await startTestApp({
      env: {
        STORAGE_LOCAL_DIR: storageDir,
        ATTACHMENT_MAX_BYTES: String(MAX_BYTES),
        PUBLIC_URL: 'https://api.orbitdesk.test',
      },
    });
    a = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const agent = await makeUser(ctx.database, a.tenant.id, { role: 'AGENT' });
    aAgentToken = (await login(ctx.app, agent.email)).token;
    b = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  });
  afterAll(async () => {
    await ctx?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  describe('upload, metadata and download', () => {
    let created: any;

    beforeAll(async () => {
      // Declared as octet-stream: the first bytes say PNG, and that is what is stored.
      const res = await upload([
        { kind: 'field', name: 'note', value: 'fields before the file are skipped' },
        file(PNG, 'photo.png', 'application/octet-stream'),
      ]);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      created = res.body;
    });

    it('answers with metadata and a short-lived signed URL', () => {
      expect(created).toMatchObject({
        fileName: 'photo.png',
        contentType: 'image/png',
        size: PNG.length,
        sha256: sha256(PNG),
      });
      const url = new URL(created.url);
      expect(`${url.origin}${url.pathname}`).toBe(
        `https://api.orbitdesk.test/api/v1/attachments/${created.id}/download`,
      );
      expect([...url.searchParams.keys()]).toEqual(['expires', 'sig']);
      const expires = Number(url.searchParams.get('expires'));
      expect(expires * 1000 - Date.now()).toBeGreaterThan(290_000);
      expect(expires * 1000 - Date.now()).toBeLessThanOrEqual(300_000);
      expect(created.urlExpiresAt).toBe(new Date(expires * 1000).toISOString());
    });

    it('stores the bytes under the tenant prefix and records the row', async () => {
      const [row] = await ctx.database.unsafe
        .select()
        .from(attachments)
        .where(eq(attachments.id, created.id));
      expect(row).toMatchObject({ tenantId: a.tenant.id, sizeBytes: PNG.length, sha256: sha256(PNG) });
      expect(row!.storageKey).toMatch(new RegExp(`^${a.tenant.id}/\\d{4}/\\d{2}/${created.id}$`));
      expect(sha256(await readFile(join(storageDir, row!.storageKey)))).toBe(sha256(PNG));
    });

    it('downloads the same bytes through the signed URL, inline for an image, with safe headers', async () => {
      const res = await getRaw(ctx.app, pathOf(created.url));
      expect(res.status).toBe(200);
      expect(sha256(res.bytes)).toBe(created.sha256);
      expect(res.bytes.equals(PNG)).toBe(true);
      expect(res.headers).toMatchObject({
        'content-type': 'image/png',
        'content-length': String(PNG.length),
        'content-disposition': `inline; filename="photo.png"; filename*=UTF-8''photo.png`,
        'x-content-type-options': 'nosniff',
      });
      expect(res.headers['cache-control']).toMatch(/^private\b/);
    });

    it('GET returns the metadata with a fresh URL that downloads too', async () => {
      const res = await http(ctx.app, 'GET', `/api/v1/attachments/${created.id}`, { token: aAgentToken });
      expect(res.status).toBe(200);
      const { url, urlExpiresAt, ...meta } = res.body;
      const { url: _u, urlExpiresAt: _e, ...createdMeta } = created;
      expect(meta).toEqual(createdMeta);
      expect(Date.parse(urlExpiresAt)).toBeGreaterThanOrEqual(Date.parse(created.urlExpiresAt));
      const download = await getRaw(ctx.app, pathOf(url));
      expect(download.status).toBe(200);
      expect(sha256(download.bytes)).toBe(sha256(PNG));
    });
  });

  describe('signed URLs', () => {
    let first: any;
    let second: any;
    let signer: AttachmentUrlSigner;

    beforeAll(async () => {
      signer = ctx.app.get(AttachmentUrlSigner);
      first = (await upload([file(PNG, 'one.png')])).body;
      second = (await upload([file(randomBytes(300), 'two.bin')])).body;
    });

    it('refuses an expired URL with 403', async () => {
      const { url } = signer.sign(first.id, a.tenant.id, Date.now() - 301_000);
      const res = await getRaw(ctx.app, pathOf(url));
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).message).toMatch(/download link has expired/);
    });

    it('refuses a tampered signature with 403', async () => {
      const url = new URL(first.url);
      const sig = url.searchParams.get('sig')!;
      url.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
      const res = await getRaw(ctx.app, url.pathname + url.search);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).message).toMatch(/download link is invalid/);
    });

    it('refuses an extended expiry with 403 (the expiry is signed)', async () => {
      const url = new URL(first.url);
      url.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
      const res = await getRaw(ctx.app, url.pathname + url.search);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).message).toMatch(/download link is invalid/);
    });

    it("refuses one attachment's signature on another attachment's id", async () => {
      const url = new URL(first.url);
      const res = await getRaw(ctx.app, url.pathname.replace(first.id, second.id) + url.search);
      expect(res.status).toBe(403);
      // ... and the same for an id of another tenant
      const bFile = (await upload([file(PNG, 'b.png')], { token: b.token })).body;
      const cross = await getRaw(ctx.app, url.pathname.replace(first.id, bFile.id) + url.search);
      expect(cross.status).toBe(403);
    });

    it('refuses a signature minted for the right id but another tenant', async () => {
      const { url } = signer.sign(first.id, b.tenant.id);
      expect((await getRaw(ctx.app, pathOf(url))).status).toBe(403);
      expect((await getRaw(ctx.app, pathOf(signer.sign(first.id, a.tenant.id).url))).status).toBe(200);
    });

    it('answers an unknown id exactly like a bad signature, and a malformed query with 400', async () => {
      const { url } = signer.sign(randomUUID(), a.tenant.id);
      const unknown = await getRaw(ctx.app, pathOf(url));
      expect(unknown.status).toBe(403);
      expect(JSON.parse(unknown.text).message).toMatch(/download link is invalid/);
      expect((await getRaw(ctx.app, `/api/v1/attachments/${first.id}/download`)).status).toBe(400);
      expect(
        (await getRaw(ctx.app, `/api/v1/attachments/${first.id}/download?expires=abc&sig=x`)).status,
      ).toBe(400);
    });

    it('stops serving when the workspace is suspended', async () => {
      const t = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
      const own = (await upload([file(PNG)], { token: t.token })).body;
      await ctx.database.unsafe
        .update(tenants)
        .set({ status: 'SUSPENDED' })
        .where(eq(tenants.id, t.tenant.id));
      const res = await getRaw(ctx.app, pathOf(own.url));
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).message).toMatch(/not active/);
    });
  });

  describe('content types', () => {
    it('serves HTML as an attachment download with nosniff, never inline', async () => {
      const html = Buffer.from(
        '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>',
      );
      const res = await upload([file(html, 'page.html', 'text/html; charset=utf-8')]);
      expect(res.status).toBe(201);
      expect(res.body.contentType).toBe('text/html');
      const download = await getRaw(ctx.app, pathOf(res.body.url));
      expect(download.status).toBe(200);
      expect(download.headers['content-type']).toBe('text/html');
      expect(download.headers['content-disposition']).toBe(
        `attachment; filename="page.html"; filename*=UTF-8''page.html`,
      );
      expect(download.headers['x-content-type-options']).toBe('nosniff');
      expect(download.bytes.equals(html)).toBe(true);
    });

    it('downloads SVG (an image that runs script) as an attachment', async () => {
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      const res = await upload([file(svg, 'logo.svg', 'image/svg+xml')]);
      const download = await getRaw(ctx.app, pathOf(res.body.url));
      expect(download.headers['content-disposition']).toMatch(/^attachment;/);
    });

    it('does not let a declared image type make HTML render inline: unknown bytes keep the declared type with nosniff', async () => {
      const res = await upload([file(Buffer.from('<html><script>x</script></html>'), 'x.png', 'image/png')]);
      const download = await getRaw(ctx.app, pathOf(res.body.url));
      expect(download.headers['content-type']).toBe('image/png');
      expect(download.headers['x-content-type-options']).toBe('nosniff');
    });

    it('falls back to application/octet-stream for a missing or malformed declared type', async () => {
      const res = await upload([file(randomBytes(100), 'blob', 'not a type')]);
      expect(res.body.contentType).toBe('application/octet-stream');
    });

    it('keeps only the last path segment of the file name and encodes non-ASCII names (RFC 5987)', async () => {
      const traversal = await upload([file(PNG, '../../etc/passwd')]);
      expect(traversal.body.fileName).toBe('passwd');
      const res = await upload([file(Buffer.from('%PDF-1.4 ...'), 'résumé (final)*.pdf', 'application/pdf')]);
      expect(res.body.fileName).toBe('résumé (final)*.pdf');
      const download = await getRaw(ctx.app, pathOf(res.body.url));
      expect(download.headers['content-disposition']).toBe(
        `inline; filename="r_sum_ (final)*.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%28final%29%2A.pdf`,
      );
    });
  });

  describe('limits and validation', () => {
    it('accepts a file of exactly the limit', async () => {
      const res = await upload([file(randomBytes(MAX_BYTES), 'max.bin')]);
      expect(res.status).toBe(201);
      expect(res.body.size).toBe(MAX_BYTES);
    });

    it('refuses a file one byte over the limit with 413, storing nothing', async () => {
      const before = await storedFiles(storageDir);
      const rows = await ctx.database.unsafe.select().from(attachments);
      const res = await upload([file(randomBytes(MAX_BYTES + 1), 'big.bin')]);
      expect(res.status).toBe(413);
      expect(res.body.message).toBe('The file is too large: the limit is 64 KiB');
      const big = await upload([file(randomBytes(MAX_BYTES * 3), 'bigger.bin')]);
      expect(big.status).toBe(413);
      expect(await storedFiles(storageDir)).toEqual(before);
      expect(await ctx.database.unsafe.select().from(attachments)).toHaveLength(rows.length);
    });

    it('refuses a request without a file with 400', async () => {
      const fieldsOnly = await upload([{ kind: 'field', name: 'caption', value: 'no file here' }]);
      expect(fieldsOnly.status).toBe(400);
      expect(fieldsOnly.body.message).toMatch(/file: a file field is required/);
      const json = await http(ctx.app, 'POST', '/api/v1/attachments', { token: aAgentToken, body: {} });
      expect(json.status).toBe(400);
      expect(json.body.message).toMatch(/multipart\/form-data/);
    });

    it('refuses a body that breaks off mid-file with 400, storing nothing', async () => {
      const before = await storedFiles(storageDir);
      const boundary = 'truncated-boundary';
      const res = await ctx.app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method: 'POST',
          url: '/api/v1/attachments',
          headers: {
            authorization: `Bearer ${aAgentToken}`,
            'content-type': `multipart/form-data; boundary=${boundary}`,
          },
          payload: Buffer.concat([
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n\r\n`,
            ),
            randomBytes(10_000),
          ]),
        });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/upload ended before the file was complete/);
      expect(await storedFiles(storageDir)).toEqual(before);
    });

    it('refuses an empty file with 400', async () => {
      const res = await upload([file(Buffer.alloc(0), 'empty.txt', 'text/plain')]);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/empty/);
    });
  });

  describe('access', () => {
    it('lets API keys upload with messages:send and read with messages:read, never delete', async () => {
      const sender = await makeApiKey(ctx.app, a.token, ['messages:send']);
      const reader = await makeApiKey(ctx.app, a.token, ['messages:read']);
      const up = await upload([file(PNG)], { apiKey: sender.key });
      expect(up.status).toBe(201);
      const [row] = await ctx.database.unsafe
        .select()
        .from(attachments)
        .where(eq(attachments.id, up.body.id));
      expect(row!.uploadedBy).toBeNull();
      expect((await upload([file(PNG)], { apiKey: reader.key })).status).toBe(403);
      expect(
        (await http(ctx.app, 'GET', `/api/v1/attachments/${up.body.id}`, { apiKey: reader.key })).status,
      ).toBe(200);
      expect(
        (await http(ctx.app, 'GET', `/api/v1/attachments/${up.body.id}`, { apiKey: sender.key })).status,
      ).toBe(403);
      const del = await http(ctx.app, 'DELETE', `/api/v1/attachments/${up.body.id}`, { apiKey: sender.key });
      expect(del.status).toBe(403);
      expect(del.body.message).toBe('This endpoint is not available to API keys');
    });

    it('records the uploading user', async () => {
      const up = await upload([file(PNG)], { token: a.token });
      const [row] = await ctx.database.unsafe
        .select()
        .from(attachments)
        .where(eq(attachments.id, up.body.id));
      expect(row!.uploadedBy).toBe(a.user.id);
    });

    it('deletes row and file for an ADMIN only; the old link stops working', async () => {
      const up = (await upload([file(PNG)])).body;
      const [row] = await ctx.database.unsafe.select().from(attachments).where(eq(attachments.id, up.id));
      expect(
        (await http(ctx.app, 'DELETE', `/api/v1/attachments/${up.id}`, { token: aAgentToken })).status,
      ).toBe(403);

      const res = await http(ctx.app, 'DELETE', `/api/v1/attachments/${up.id}`, { token: a.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true });
      expect(await ctx.database.unsafe.select().from(attachments).where(eq(attachments.id, up.id))).toEqual(
        [],
      );
      await expect(readFile(join(storageDir, row!.storageKey))).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await getRaw(ctx.app, pathOf(up.url))).status).toBe(403);
      expect((await http(ctx.app, 'GET', `/api/v1/attachments/${up.id}`, { token: a.token })).status).toBe(
        404,
      );
      const audit = await ctx.database.unsafe
        .select()
        .from(auditLogs)
        .where(and(eq(auditLogs.entityId, up.id), eq(auditLogs.action, 'attachment.deleted')));
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ tenantId: a.tenant.id, actorId: a.user.id });
    });
  });

  describe('cross-tenant', () => {
    it("tenant B can neither read nor delete tenant A's attachment (404), and A's row and file stay", async () => {
      const up = (await upload([file(PNG, 'private.png')])).body;
      const [before] = await ctx.database.unsafe.select().from(attachments).where(eq(attachments.id, up.id));

      const get = await http(ctx.app, 'GET', `/api/v1/attachments/${up.id}`, { token: b.token });
      expect(get.status).toBe(404);
      expect(get.body.message).toBe('Attachment not found');
      const del = await http(ctx.app, 'DELETE', `/api/v1/attachments/${up.id}`, { token: b.token });
      expect(del.status).toBe(404);
      expect(del.body.message).toBe('Attachment not found');
      const bKey = await makeApiKey(ctx.app, b.token, ['messages:read']);
      expect((await http(ctx.app, 'GET', `/api/v1/attachments/${up.id}`, { apiKey: bKey.key })).status).toBe(
        404,
      );

      const [after] = await ctx.database.unsafe.select().from(attachments).where(eq(attachments.id, up.id));
      expect(after).toEqual(before);
      expect(sha256(await readFile(join(storageDir, before!.storageKey)))).toBe(sha256(PNG));
      expect((await getRaw(ctx.app, pathOf(up.url))).status).toBe(200);
    });
  });

  describe('storeFromStream (channel adapters)', () => {
    it('stores a provider stream for the given tenant outside any request', async () => {
      const service = ctx.app.get(AttachmentsService);
      const data = Buffer.concat([Buffer.from('OggS'), randomBytes(20_000)]);
      const stored = await service.storeFromStream({
        tenantId: b.tenant.id,
        fileName: 'voice-note',
        contentType: 'audio/ogg; codecs=opus',
        stream: Readable.from([data.subarray(0, 10), data.subarray(10)]),
      });
      expect(stored).toMatchObject({ contentType: 'audio/ogg', size: data.length, sha256: sha256(data) });
      const [row] = await ctx.database.unsafe.select().from(attachments).where(eq(attachments.id, stored.id));
      expect(row).toMatchObject({ tenantId: b.tenant.id, uploadedBy: null });
      const download = await getRaw(ctx.app, pathOf(stored.url));
      expect(sha256(download.bytes)).toBe(sha256(data));
      // Tenant A cannot see it through the API.
      expect(
        (await http(ctx.app, 'GET', `/api/v1/attachments/${stored.id}`, { token: a.token })).status,
      ).toBe(404);
    });

    it('refuses to store for another tenant than the one in context', async () => {
      const service = ctx.app.get(AttachmentsService);
      const before = await ctx.database.unsafe.select().from(attachments);
      await expect(
        requestContext.run({ tenantId: a.tenant.id }, () =>
          service.storeFromStream({ tenantId: b.tenant.id, fileName: 'x', stream: Readable.from([PNG]) }),
        ),
      ).rejects.toThrow(/another tenant|other than the one in context/);
      expect(await ctx.database.unsafe.select().from(attachments)).toHaveLength(before.length);
    });

    it('enforces the size limit on provider streams too', async () => {
      const service = ctx.app.get(AttachmentsService);
      await expect(
        service.storeFromStream({
          tenantId: b.tenant.id,
          fileName: 'huge',
          stream: Readable.from([randomBytes(MAX_BYTES), randomBytes(10)]),
        }),
      ).rejects.toMatchObject({ status: 413 });
    });
  });
});
