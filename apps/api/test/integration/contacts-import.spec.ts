import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Job } from 'bullmq';
import { eq, sql } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TContactImport } from '@orbitdesk/shared';
import type { ContactImportJobData } from '../../src/common/queue/contact-import.queue.js';
import { RedisService } from '../../src/common/redis/redis.module.js';
import { StorageDriver } from '../../src/common/storage/storage-driver.js';
import { attachmentStorageKey } from '../../src/common/storage/storage-key.js';
import { auditLogs, contacts } from '../../src/db/schema/index.js';
import { ContactImportProcessor } from '../../src/modules/contacts/contact-import.processor.js';
import { newImportState, saveImportState } from '../../src/modules/contacts/contact-import.state.js';
import { ContactsRepository } from '../../src/modules/contacts/contacts.repository.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { makeApiKey, makeTenantWithUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { createTestDatabase } from '../support/test-db.js';

const BIG_ROWS = 100_000;

/** A multipart/form-data body with one file field, streamed from `csv`. */
function multipart(csv: string | Iterable<string>) {
  const boundary = `----od${randomUUID().replace(/-/g, '')}`;
  function* body() {
    yield `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="contacts.csv"\r\nContent-Type: text/csv\r\n\r\n`;
    if (typeof csv === 'string') yield csv;
    else yield* csv;
    yield `\r\n--${boundary}--\r\n`;
  }
  return { payload: Readable.from(body()), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function uploadTo(
  app: NestFastifyApplication,
  token: string,
  csv: string | Iterable<string>,
  query = '',
) {
  const { payload, contentType } = multipart(csv);
  const res = await app
    .getHttpAdapter()
    .getInstance()
    .inject({
      method: 'POST',
      url: `/api/v1/contacts/import${query}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      payload,
    });
  return { status: res.statusCode, body: JSON.parse(res.body) as TContactImport & { message: string } };
}

const statusOn = (app: NestFastifyApplication, token: string, id: string) =>
  http<TContactImport>(app, 'GET', `/api/v1/contacts/imports/${id}`, { token });

async function waitDoneOn(app: NestFastifyApplication, token: string, id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await statusOn(app, token, id);
    expect(res.status).toBe(200);
    if (res.body.status !== 'running') return res.body;
    if (Date.now() > deadline) throw new Error(`import ${id} still running: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every file under the local storage root (uploads waiting for the worker). */
async function storedFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('contact CSV import and export', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let storageDir: string;

  const upload = (token: string, csv: string | Iterable<string>, query = '') =>
    uploadTo(ctx.app, token, csv, query);
  const status = (token: string, id: string) => statusOn(ctx.app, token, id);
  const waitDone = (token: string, id: string) => waitDoneOn(ctx.app, token, id);
  const importFile = async (token: string, csv: string, query = '') => {
    const started = await upload(token, csv, query);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    return waitDone(token, started.body.id);
  };
  const contactsOf = (tenantId: string) =>
    ctx.database.unsafe.select().from(contacts).where(eq(contacts.tenantId, tenantId));

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'orbitdesk-import-'));
    ctx = await startTestApp({ env: { STORAGE_LOCAL_DIR: storageDir } });
    // The worker parses the imports; the API only stores and queues them.
    worker = await startWorker(ctx.config);
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it('imports a good file; the same file again creates nothing and changes nothing', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    const csv = [
      'phone,name,email,tags,opted_in,City',
      '+1 (415) 555-2671,Ada,ADA@example.test,vip;lead,yes,London',
      '(415) 555-2672,Bob,,"vip, beta",no,',
      ',Cy,cy@example.test,,,Oslo',
    ].join('\n');
    const first = await importFile(T.token, csv, '?defaultCountry=US');
    expect(first).toMatchObject({
      status: 'completed',
      processed: 3,
      created: 3,
      updated: 0,
      failed: 0,
      errors: [],
    });
    const rows = await contactsOf(T.tenant.id);
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName.Ada).toMatchObject({
      phone: '+14155552671',
      email: 'ada@example.test',
      tags: ['vip', 'lead'],
      optedIn: true,
      customFields: { City: 'London' },
    });
    expect(byName.Bob).toMatchObject({
      phone: '+14155552672',
      tags: ['vip', 'beta'],
      optedIn: false,
      customFields: {},
    });
    expect(byName.Cy).toMatchObject({
      phone: null,
      email: 'cy@example.test',
      customFields: { City: 'Oslo' },
    });

    const second = await importFile(T.token, csv, '?defaultCountry=US');
    expect(second).toMatchObject({ status: 'completed', processed: 3, created: 0, updated: 3, failed: 0 });
    const after = await contactsOf(T.tenant.id);
    expect(after).toHaveLength(3);
    const strip = (r: (typeof rows)[number]) => ({ ...r, updatedAt: null });
    expect(after.map(strip).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      rows.map(strip).sort((a, b) => a.id.localeCompare(b.id)),
    );
    const audit = await ctx.database.unsafe.select().from(auditLogs).where(eq(auditLogs.entityId, first.id));
    expect(audit).toMatchObject([{ action: 'contact.imported', metadata: { created: 3 } }]);
  });

  it('reports bad rows by line with a reason and keeps the valid ones, also after an unclosed quote', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    const csv = [
      'phone,name,email',
      '+14155550001,Good One,one@example.test', // 2
      'not-a-phone,Bad Phone,bp@example.test', // 3
      '+14155550003,Bad Email,nope', // 4
      '+14155550004,Too,many,columns', // 5
      '+14155550005,"Unclosed,five@example.test', // 6
      '+14155550006,Good Six,six@example.test', // 7
      '', // blank lines are ignored
      '+14155550008,Good Eight,eight@example.test', // 9
    ].join('\n');
    const result = await importFile(T.token, csv);
    expect(result, JSON.stringify(result.errors)).toMatchObject({
      status: 'completed',
      created: 3,
      updated: 0,
      failed: 4,
      processed: 7,
    });
    expect(result.errors).toEqual([
      { row: 3, message: expect.stringContaining('phone') },
      { row: 4, message: expect.stringContaining('email') },
      { row: 5, message: expect.stringContaining('number of columns') },
      { row: 6, message: expect.stringContaining('never closed') },
    ]);
    const names = (await contactsOf(T.tenant.id)).map((r) => r.name).sort();
    expect(names).toEqual(['Good Eight', 'Good One', 'Good Six']);
  });

  it('an unclosed quote on the last line is reported and earlier rows are kept', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    const result = await importFile(T.token, 'phone,name\n+14155550011,Kept\n+14155550012,"Lost');
    expect(result).toMatchObject({ status: 'completed', created: 1, failed: 1 });
    expect(result.errors).toEqual([{ row: 3, message: expect.stringContaining('never closed') }]);
    expect((await contactsOf(T.tenant.id)).map((r) => r.name)).toEqual(['Kept']);
  });

  it('a file without phone or email column fails as a whole; requests without a file are 400', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    const result = await importFile(T.token, 'name,city\nAda,London\n');
    expect(result).toMatchObject({ status: 'failed', created: 0 });
    expect(result.message).toContain('phone or an email column');
    const notMultipart = await http(ctx.app, 'POST', '/api/v1/contacts/import', {
      token: T.token,
      body: { phone: '+14155550000' },
    });
    expect(notMultipart.status).toBe(400);
    expect(notMultipart.body.message).toContain('file');
    const badCountry = await upload(T.token, 'phone\n1\n', '?defaultCountry=QQ');
    expect(badCountry.status).toBe(400);
    expect(badCountry.body.message).toContain('query.defaultCountry');
  });

  it("import status is tenant-scoped: another tenant's import id is 404; contacts:read keys cannot import", async () => {
    const A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const done = await importFile(A.token, 'email\na@example.test\n');
    expect((await status(B.token, done.id)).status).toBe(404);
    expect((await status(A.token, randomUUID())).status).toBe(404);
    expect(await contactsOf(B.tenant.id)).toEqual([]);
    const key = await makeApiKey(ctx.app, A.token, ['contacts:read']);
    const { payload, contentType } = multipart('email\nk@example.test\n');
    const res = await ctx.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url: '/api/v1/contacts/import',
        headers: { 'x-api-key': key.key, 'content-type': contentType },
        payload,
      });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('contacts:write');
  });

  it('export returns every contact as CSV that re-imports cleanly', async () => {
    const A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const lines = ['phone,name,email,tags,opted_in,plan'];
    for (let i = 0; i < 2500; i++)
      lines.push(
        `+1415556${String(i).padStart(4, '0')},"Name, ${i}",e${i}@example.test,t${i % 3};all,${i % 2 ? 'yes' : 'no'},${i % 5 ? '' : 'gold'}`,
      );
    expect(await importFile(A.token, lines.join('\n'))).toMatchObject({ created: 2500, failed: 0 });

    const res = await ctx.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'GET',
        url: '/api/v1/contacts/export',
        headers: { authorization: `Bearer ${A.token}` },
      });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const records = parse<Record<string, string>>(res.body, { columns: true });
    expect(records).toHaveLength(2500);
    expect(Object.keys(records[0]!)).toEqual(['phone', 'name', 'email', 'tags', 'opted_in', 'plan']);
    expect(new Set(records.map((r) => r.phone)).size).toBe(2500);
    const r7 = records.find((r) => r.name === 'Name, 7');
    expect(r7).toEqual({
      phone: '+14155560007',
      name: 'Name, 7',
      email: 'e7@example.test',
      tags: 't1;all',
      opted_in: 'true',
      plan: '',
    });

    const filtered = await ctx.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'GET',
        url: '/api/v1/contacts/export?tags=t0&q=Name',
        headers: { authorization: `Bearer ${A.token}` },
      });
    expect(parse<Record<string, string>>(filtered.body, { columns: true })).toHaveLength(834);

    // Into the same workspace: nothing new. Into another: everything, identical.
    expect(await importFile(A.token, res.body)).toMatchObject({ created: 0, updated: 2500, failed: 0 });
    const B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    expect(await importFile(B.token, res.body)).toMatchObject({ created: 2500, failed: 0 });
    const pick = (r: typeof contacts.$inferSelect) =>
      [r.phone, r.name, r.email, r.tags.join(';'), r.optedIn, JSON.stringify(r.customFields)].join('|');
    expect((await contactsOf(B.tenant.id)).map(pick).sort()).toEqual(
      (await contactsOf(A.tenant.id)).map(pick).sort(),
    );
  });

  it('the stored upload is removed once the import completes or fails', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    const done = await importFile(T.token, 'email\nremoved@example.test\n');
    expect(done).toMatchObject({ status: 'completed', created: 1 });
    const failed = await importFile(T.token, 'name\nNo Key\n');
    expect(failed).toMatchObject({ status: 'failed' });
    expect(await storedFiles(storageDir)).toEqual([]);
  });

  it('a job retried after a crash resumes after the last committed row: nothing twice, counts exact', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    const processor = worker.app.get(ContactImportProcessor);
    const repo = worker.app.get(ContactsRepository);
    const storage = worker.app.get(StorageDriver);
    const redis = worker.app.get(RedisService);
    // 1600 rows on lines 2..1601; lines 101 and 1501 are bad. Arranged without the queue, so only this test runs it.
    const lines = ['phone,name,opted_in'];
    for (let i = 0; i < 1600; i++) {
      const line = i + 2;
      lines.push(line === 101 || line === 1501 ? `nope-${line},Bad,yes` : `+1646${5_000_000 + i},P ${i},yes`);
    }
    const id = randomUUID();
    const storageKey = attachmentStorageKey(T.tenant.id, id, new Date());
    await storage.put(storageKey, Readable.from([lines.join('\n')]), { contentType: 'text/csv' });
    await saveImportState(redis.client, T.tenant.id, newImportState(id));
    const job = (attemptsMade: number) =>
      ({
        id,
        data: { tenantId: T.tenant.id, importId: id, storageKey },
        attemptsMade,
        opts: { attempts: 3 },
      }) as unknown as Job<ContactImportJobData>;

    // The first attempt dies in its third batch (lines 1003..1503), after two batches were committed.
    const upsert = repo.upsertBatch.bind(repo);
    let calls = 0;
    const spy = vi.spyOn(repo, 'upsertBatch').mockImplementation((...args) => {
      if (++calls === 3) throw new Error('worker crashed');
      return upsert(...args);
    });
    try {
      await expect(processor.process(job(0))).rejects.toThrow('worker crashed');
    } finally {
      spy.mockRestore();
    }
    const mid = (await status(T.token, id)).body;
    expect(mid).toMatchObject({ status: 'running', processed: 1001, created: 1000, updated: 0, failed: 1 });
    expect(await storage.exists(storageKey)).toBe(true);

    await processor.process(job(1));
    const final = (await status(T.token, id)).body;
    expect(final).toMatchObject({
      status: 'completed',
      processed: 1600,
      created: 1598,
      updated: 0,
      failed: 2,
    });
    expect(final.errors.map((e) => e.row)).toEqual([101, 1501]);
    expect(await contactsOf(T.tenant.id)).toHaveLength(1598);
    expect(await storage.exists(storageKey)).toBe(false);

    // The same job once more (a duplicate delivery) changes nothing.
    await processor.process(job(2));
    expect((await status(T.token, id)).body).toEqual(final);
    const audit = await ctx.database.unsafe.select().from(auditLogs).where(eq(auditLogs.entityId, id));
    expect(audit).toMatchObject([{ action: 'contact.imported', metadata: { created: 1598, failed: 2 } }]);
  });

  it('a job BullMQ gave up on is ended as failed and its file removed', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    const processor = worker.app.get(ContactImportProcessor);
    const storage = worker.app.get(StorageDriver);
    const id = randomUUID();
    const storageKey = attachmentStorageKey(T.tenant.id, id, new Date());
    await storage.put(storageKey, Readable.from(['email\nx@example.test\n']), { contentType: 'text/csv' });
    await saveImportState(worker.app.get(RedisService).client, T.tenant.id, newImportState(id));
    await processor.abandon({ tenantId: T.tenant.id, importId: id, storageKey });
    expect((await status(T.token, id)).body).toMatchObject({ status: 'failed', processed: 0 });
    expect(await storage.exists(storageKey)).toBe(false);
  });

  it(`imports ${BIG_ROWS} rows streamed, with progress readable while it runs`, async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    function* bigCsv() {
      yield 'phone,name,email,tags,opted_in,source\n';
      let chunk = '';
      for (let i = 0; i < BIG_ROWS; i++) {
        chunk += `+1212${String(5_000_000 + i)},Person ${i},p${i}@bulk.example.test,bulk;n${i % 10},${i % 2},crm\n`;
        if (i % 1000 === 999) {
          yield chunk;
          chunk = '';
        }
      }
      yield chunk;
    }
    const t0 = Date.now();
    const started = await upload(T.token, bigCsv());
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const seen: number[] = [];
    let final: TContactImport | undefined;
    while (!final) {
      const res = await status(T.token, started.body.id);
      if (res.body.status === 'running') seen.push(res.body.processed);
      else final = res.body;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(final).toMatchObject({ status: 'completed', processed: BIG_ROWS, created: BIG_ROWS, failed: 0 });
    // Progress was visible mid-way, not only at the start and the end.
    expect(seen.some((p) => p > 0 && p < BIG_ROWS)).toBe(true);
    const counted = await ctx.database.unsafe.execute<{ n: number }>(
      sql`select count(*)::int as n from contacts where tenant_id = ${T.tenant.id}`,
    );
    const n = counted.rows[0]?.n;
    expect(n).toBe(BIG_ROWS);
    expect(Date.now() - t0).toBeLessThan(90_000);

    // The search expression is exactly the trigram index's, so the index serves it. Checked on the connecting
    // role: under RLS, Postgres does not use a non-leakproof ILIKE as an index condition (a known limitation).
    await ctx.database.unsafe.execute(sql`analyze contacts`);
    const plan = await ctx.database.unsafe.execute(
      sql`explain select id from contacts where tenant_id = ${T.tenant.id} and (coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '')) ilike '%person 4242%'`,
    );
    expect(JSON.stringify(plan.rows)).toContain('contacts_tenant_search_idx');
    const found = await http(ctx.app, 'GET', '/api/v1/contacts?q=Person%2042424', { token: T.token });
    expect(found.body.items.map((c: { name: string }) => c.name)).toEqual(['Person 42424']);
  }, 120_000);
});

describe('contact import across an API restart', () => {
  it('an upload answered by one API instance is finished by the worker and read on a new instance', async () => {
    const db = await createTestDatabase();
    const storageDir = await mkdtemp(join(tmpdir(), 'orbitdesk-import-'));
    // Same database, Redis prefix and storage: a restarted API (or another replica) of one deployment.
    const env = { STORAGE_LOCAL_DIR: storageDir, REDIS_KEY_PREFIX: `odt:${randomBytes(4).toString('hex')}:` };
    let first: TestContext | undefined = await startTestApp({ db, env });
    let second: TestContext | undefined;
    let worker: RunningWorker | undefined;
    try {
      const T = await makeTenantWithUser(first.app, first.database, 'AGENT');
      const lines = ['phone,name'];
      for (let i = 0; i < 1200; i++) lines.push(`+1718${5_000_000 + i},R ${i}`);
      const started = await uploadTo(first.app, T.token, lines.join('\n'));
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      expect(started.body).toMatchObject({ status: 'running', processed: 0 });
      // No worker yet: the upload waits in storage.
      expect(await storedFiles(storageDir)).toHaveLength(1);
      // Closed without ctx.close(), which would clear the shared Redis prefix.
      await first.app.close();
      first.redis.disconnect();
      first = undefined;

      second = await startTestApp({ db, env });
      worker = await startWorker(second.config);
      const done = await waitDoneOn(second.app, T.token, started.body.id);
      expect(done).toMatchObject({ status: 'completed', processed: 1200, created: 1200, failed: 0 });
      const n = await second.database.unsafe.execute<{ n: number }>(
        sql`select count(*)::int as n from contacts where tenant_id = ${T.tenant.id}`,
      );
      expect(n.rows[0]?.n).toBe(1200);
      expect(await storedFiles(storageDir)).toEqual([]);
    } finally {
      await first?.app.close();
      first?.redis.disconnect();
      await worker?.close();
      await second?.close();
      await db.drop();
      await rm(storageDir, { recursive: true, force: true });
    }
  }, 60_000);
});
