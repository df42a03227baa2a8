import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TKnowledgeSearchHit, TKnowledgeSource } from '@orbitdesk/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { startAiService, type RunningAiService } from '../support/ai-service.js';
import { makeTenantWithUser } from '../support/factories.js';
import { startRecordingServer } from '../support/http-fakes.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Orbit Kettle – Care guide</title>
<script>window.tracking = "do not index me";</script><style>.x { color: red }</style></head>
<body><nav><a href="/">Home</a> <a href="/shop">Shop</a> sitemap</nav>
<main><h1>Descaling</h1><p>Descale the Orbit Kettle every <b>four</b> weeks with citric acid.</p>
<p>Never put the kettle base in the dishwasher.</p></main></body></html>`;

type Stack = { ctx: TestContext; worker: RunningWorker; token: string };

/** An API and a worker on one database and queue, each with its own outbound policy. */
async function startStack(ai: RunningAiService, storageDir: string, api: boolean, worker: boolean) {
  const env = (allow: boolean) => ({
    AI_SERVICE_URL: ai.url,
    STORAGE_LOCAL_DIR: storageDir,
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: String(allow),
  });
  const ctx = await startTestApp({ env: env(api) });
  const w = await startWorker({ ...ctx.config, OUTBOUND_ALLOW_PRIVATE_NETWORKS: worker });
  const { token } = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  return { ctx, worker: w, token };
}

async function stopStack(s: Stack | undefined) {
  await s?.worker.close();
  await s?.ctx.close();
}

const call = (s: Stack, method: 'GET' | 'POST', url: string, body?: unknown) =>
  http(s.ctx.app, method, `/api/v1${url}`, { token: s.token, body });

async function settled(s: Stack, baseId: string, sourceId: string): Promise<TKnowledgeSource> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await call(s, 'GET', `/knowledge-bases/${baseId}/sources/${sourceId}`);
    const source = res.body as TKnowledgeSource;
    if (source.status === 'ready' || source.status === 'failed') return source;
    if (Date.now() > deadline) throw new Error(`source still ${source.status}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function newBase(s: Stack, name: string): Promise<string> {
  const res = await call(s, 'POST', '/knowledge-bases', { name });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('knowledge sources from URLs', () => {
  let ai: RunningAiService;
  let site: Awaited<ReturnType<typeof startRecordingServer>>;
  let storageDir: string;
  let open: Stack | undefined;

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'orbitdesk-knowledge-url-'));
    ai = await startAiService();
    site = await startRecordingServer();
    const pdf = await readFile(new URL('../fixtures/knowledge/warranty.pdf', import.meta.url));
    let version = 1;
    site.state.handle = (req, res) => {
      if (req.url === '/care') {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.end(PAGE);
      } else if (req.url === '/changing') {
        res.setHeader('content-type', 'text/plain');
        res.end(`Store opening hours, edition ${version++}: we open at nine.`);
      } else if (req.url === '/warranty.pdf') {
        res.setHeader('content-type', 'application/pdf');
        res.end(pdf);
      } else if (req.url === '/image.png') {
        res.setHeader('content-type', 'image/png');
        res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      } else {
        res.statusCode = 404;
        res.end('not here');
      }
    };
    // The operator allowed private networks (self-hosting): the loopback site is reachable.
    open = await startStack(ai, storageDir, true, true);
  });
  afterAll(async () => {
    await stopStack(open);
    await site?.close();
    await ai?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  it('indexes an HTML page: visible text and title, no script, style or navigation', async () => {
    const s = open!;
    const baseId = await newBase(s, 'Web');
    const url = `${site.origin}/care`;
    const created = await call(s, 'POST', `/knowledge-bases/${baseId}/sources`, { type: 'URL', url });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'URL', url, name: url, status: 'pending' });
    const done = await settled(s, baseId, created.body.id);
    expect(done).toMatchObject({ status: 'ready', chunkCount: 1, name: 'Orbit Kettle – Care guide' });
    const hits = (
      await call(s, 'POST', `/knowledge-bases/${baseId}/search`, { query: 'how often should I descale' })
    ).body.hits as TKnowledgeSearchHit[];
    expect(hits[0]!.sourceName).toBe('Orbit Kettle – Care guide');
    const text = hits[0]!.text;
    expect(text).toContain('Orbit Kettle – Care guide');
    expect(text).toContain('Descale the Orbit Kettle every four weeks with citric acid.');
    for (const hidden of ['tracking', 'color', 'sitemap', 'Shop']) expect(text).not.toContain(hidden);
    const fetched = site.state.seen.find((r) => r.url === '/care')!;
    expect(fetched.headers['user-agent']).toBe('OrbitDesk-Knowledge/1.0');
  });

  it('indexes a PDF served by URL and re-fetches a URL on re-index', async () => {
    const s = open!;
    const baseId = await newBase(s, 'Web files');
    const pdf = await call(s, 'POST', `/knowledge-bases/${baseId}/sources`, {
      type: 'URL',
      url: `${site.origin}/warranty.pdf`,
      name: 'Warranty',
    });
    expect(await settled(s, baseId, pdf.body.id)).toMatchObject({ status: 'ready', name: 'Warranty' });

    const changing = await call(s, 'POST', `/knowledge-bases/${baseId}/sources`, {
      type: 'URL',
      url: `${site.origin}/changing`,
      name: 'Hours',
    });
    await settled(s, baseId, changing.body.id);
    const edition = async () =>
      (
        (await call(s, 'POST', `/knowledge-bases/${baseId}/search`, { query: 'store opening hours edition' }))
          .body.hits as TKnowledgeSearchHit[]
      ).find((h) => h.sourceId === changing.body.id)!.text;
    expect(await edition()).toContain('edition 1');
    const again = await call(s, 'POST', `/knowledge-bases/${baseId}/sources/${changing.body.id}/reindex`);
    expect(again.status).toBe(202);
    expect(await settled(s, baseId, changing.body.id)).toMatchObject({ status: 'ready', chunkCount: 1 });
    expect(await edition()).toContain('edition 2');
  });

  it('fails a URL that answers 404 or serves something that is not text, saying why', async () => {
    const s = open!;
    const baseId = await newBase(s, 'Broken links');
    const missing = await call(s, 'POST', `/knowledge-bases/${baseId}/sources`, {
      type: 'URL',
      url: `${site.origin}/gone`,
    });
    expect(await settled(s, baseId, missing.body.id)).toMatchObject({
      status: 'failed',
      error: 'URL answered 404',
      chunkCount: 0,
    });
    const image = await call(s, 'POST', `/knowledge-bases/${baseId}/sources`, {
      type: 'URL',
      url: `${site.origin}/image.png`,
    });
    expect(await settled(s, baseId, image.body.id)).toMatchObject({
      status: 'failed',
      error: 'The URL answered with image/png, which cannot be indexed (HTML, plain text or PDF only)',
    });
  });

  describe('with the default outbound policy', () => {
    let strict: Stack | undefined;
    let checkedEarly: Stack | undefined;
    beforeAll(async () => {
      strict = await startStack(ai, storageDir, false, false);
      // The API's check passed (as for a name that resolved to a public address then), the worker's did not.
      checkedEarly = await startStack(ai, storageDir, true, false);
    });
    afterAll(async () => {
      await stopStack(strict);
      await stopStack(checkedEarly);
    });

    it('refuses a private URL when it is added', async () => {
      const s = strict!;
      const baseId = await newBase(s, 'Strict');
      const res = await call(s, 'POST', `/knowledge-bases/${baseId}/sources`, {
        type: 'URL',
        url: `${site.origin}/care`,
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(
        'Validation failed: body.url: is not allowed: 127.0.0.1 is a loopback address (127.0.0.0/8)',
      );
      const list = await call(s, 'GET', `/knowledge-bases/${baseId}/sources`);
      expect(list.body.items).toEqual([]);
    });

    it('fails the source when the fetch is blocked at connection time', async () => {
      const s = checkedEarly!;
      const baseId = await newBase(s, 'Rebinding');
      const before = site.state.seen.length;
      const res = await call(s, 'POST', `/knowledge-bases/${baseId}/sources`, {
        type: 'URL',
        url: `${site.origin}/care`,
      });
      expect(res.status).toBe(201);
      const done = await settled(s, baseId, res.body.id);
      expect(done).toMatchObject({
        status: 'failed',
        error: 'blocked: 127.0.0.1 is a loopback address (127.0.0.0/8)',
        chunkCount: 0,
      });
      expect(site.state.seen.length).toBe(before);
    });
  });
});
