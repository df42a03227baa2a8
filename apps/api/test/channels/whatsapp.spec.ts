import { sql } from 'drizzle-orm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { InboundWorkService } from '../../src/modules/channels/inbound-work.service.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import {
  metaJson,
  signWebhook,
  startFakeGraph,
  unixNow,
  waChange,
  waContact,
  waPayload,
  type FakeGraph,
} from '../fakes/whatsapp-graph.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { getRaw, postMultipart } from '../support/multipart.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const PUBLIC_URL = 'https://desk.example.test';
const WEBHOOK = '/api/v1/whatsapp/webhook';

/** Tenant A's Meta app has two numbers; tenant B has its own app (another secret) and number. */
const APP_SECRET_A = 'app-secret-of-meta-app-a-0001';
const APP_SECRET_B = 'app-secret-of-meta-app-b-0002';
const TOKEN_A = `EAAGa${'x'.repeat(40)}A1a1`;
const TOKEN_B = `EAAGb${'y'.repeat(40)}B2b2`;
const PNID_A = '106540352242922';
const PNID_A2 = '106540352242923';
const PNID_B = '206540352242922';

const ANA = '5511987654321';
const BOB = '14155552671';
const CAROL = '447911123456';

/** A PNG's first bytes and some more: what Meta serves for an image. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(200, 7),
]);

let seq = 0;
const wamid = () => `wamid.HBgN${Date.now().toString(36)}${(seq++).toString(36)}`;
const textMsg = (from: string, body: string, id = wamid()) => ({
  from,
  id,
  timestamp: unixNow(),
  type: 'text',
  text: { body },
});

describe('WhatsApp Cloud API channel', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let graph: FakeGraph;
  let storageDir: string;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let inboxA: {
    id: string;
    details: Record<string, any>;
    webhookUrl: string;
    credentials: Record<string, string>;
  };
  let inboxA2: { id: string };
  let inboxB: { id: string };

  const createInbox = (token: string, phoneNumberId: string, accessToken: string, appSecret: string) =>
    http(ctx.app, 'POST', '/api/v1/channels', {
      token,
      body: {
        type: 'whatsapp',
        name: `WhatsApp ${phoneNumberId}`,
        config: { phoneNumberId },
        credentials: { accessToken, appSecret },
      },
    });

  /** POSTs the payload as Meta does: its own JSON escaping, signed over those exact bytes. */
  const deliver = (payload: unknown, signature: string | ((body: string) => string) | null) => {
    const body = metaJson(payload);
    const header = typeof signature === 'function' ? signature(body) : signature;
    return http(ctx.app, 'POST', WEBHOOK, {
      body,
      headers: { 'content-type': 'application/json', ...(header ? { 'x-hub-signature-256': header } : {}) },
    });
  };
  const signedWith = (secret: string) => (body: string) => signWebhook(secret, body);
  const settled = () => ctx.app.get(InboundWorkService).idle();

  const messageCount = async () =>
    (await ctx.database.unsafe.execute<{ n: number }>(sql`select count(*)::int as n from messages`)).rows[0]!
      .n;
  const messageByProviderId = async (providerMessageId: string) =>
    (
      await ctx.database.unsafe.execute<Record<string, any>>(
        sql`select * from messages where provider_message_id = ${providerMessageId}`,
      )
    ).rows;
  const messageRow = async (id: string) =>
    (await ctx.database.unsafe.execute<Record<string, any>>(sql`select * from messages where id = ${id}`))
      .rows[0]!;

  function listen<K extends keyof DomainEventMap>(name: K) {
    const seen: DomainEventMap[K][] = [];
    const off = ctx.app.get(DomainEvents).on(name, (p) => void seen.push(p));
    return { seen, off };
  }

  /** Ana writes to inbox A; returns her conversation id. */
  async function conversationWith(from: string, text = 'hello'): Promise<string> {
    const id = wamid();
    expect(
      (
        await deliver(
          waPayload({
            changes: [
              waChange(PNID_A, {
                contacts: [waContact(from, 'Someone')],
                messages: [textMsg(from, text, id)],
              }),
            ],
          }),
          signedWith(APP_SECRET_A),
        )
      ).status,
    ).toBe(200);
    const [row] = await eventually(async () => {
      const rows = await messageByProviderId(id);
      expect(rows).toHaveLength(1);
      return rows;
    });
    return row!.conversation_id as string;
  }

  /** Sends through the API; the worker hands it to the adapter. Returns the message id. */
  async function send(
    conversationId: string,
    type: string,
    content: Record<string, unknown>,
  ): Promise<string> {
    const res = await http(ctx.app, 'POST', '/api/v1/messages', {
      token: A.token,
      body: { conversationId, type, content },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  }
  const settledStatus = (id: string, status: string) =>
    eventually(async () => {
      const row = await messageRow(id);
      expect(row.status).toBe(status);
      return row;
    }, 10_000);

  beforeAll(async () => {
    graph = await startFakeGraph('v21.0');
    graph.addNumber(PNID_A, { displayPhoneNumber: '+1 555-010-0100', verifiedName: 'Acme Support' }, TOKEN_A);
    graph.addNumber(PNID_A2, { displayPhoneNumber: '15550100101', verifiedName: 'Acme Sales' }, TOKEN_A);
    graph.addNumber(PNID_B, { displayPhoneNumber: '+44 20 7946 0000', verifiedName: 'Beta Ltd' }, TOKEN_B);
    storageDir = await mkdtemp(join(tmpdir(), 'orbitdesk-whatsapp-'));
    ctx = await startTestApp({
      env: {
        PUBLIC_URL,
        GRAPH_API_BASE_URL: graph.url,
        GRAPH_API_VERSION: 'v21.0',
        OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
        STORAGE_LOCAL_DIR: storageDir,
      },
    });
    worker = await startWorker(ctx.config);
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const a = await createInbox(A.token, PNID_A, TOKEN_A, APP_SECRET_A);
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    inboxA = a.body;
    inboxA2 = (await createInbox(A.token, PNID_A2, TOKEN_A, APP_SECRET_A)).body;
    inboxB = (await createInbox(B.token, PNID_B, TOKEN_B, APP_SECRET_B)).body;
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    await graph?.close();
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  });

  describe('inbox administration', () => {
    it('creates an inbox: webhook URL, generated verify token and Meta’s display number in details, secrets masked', async () => {
      expect(inboxA.webhookUrl).toBe(`${PUBLIC_URL}/api/v1/whatsapp/webhook`);
      expect(inboxA.details).toEqual({
        verifyToken: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
        phoneNumberId: PNID_A,
        displayPhoneNumber: '+1 555-010-0100',
        verifiedName: 'Acme Support',
      });
      expect(inboxA.credentials).toEqual({
        accessToken: '********A1a1',
        appSecret: '********0001',
        verifyToken: `********${inboxA.details.verifyToken.slice(-4)}`,
      });
      // connect() read the number with the inbox's token, at the configured version.
      const probe = graph.state.requests.find((r) => r.path === `/v21.0/${PNID_A}` && r.method === 'GET');
      expect(probe?.headers.authorization).toBe(`Bearer ${TOKEN_A}`);
      expect(probe?.query.get('fields')).toBe('display_phone_number,verified_name');
      const row = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select * from channels where id = ${inboxA.id}`,
        )
      ).rows[0]!;
      expect(row.external_id).toBe(PNID_A);
      expect(row.credentials).not.toContain(TOKEN_A);
      expect(row.credentials).not.toContain(inboxA.details.verifyToken);
      // A display number without its + gets one.
      const a2 = await http(ctx.app, 'GET', `/api/v1/channels/${inboxA2.id}`, { token: A.token });
      expect(a2.body.details.displayPhoneNumber).toBe('+15550100101');
    });

    it('refuses to create an inbox with a token Meta rejects (422), leaving nothing', async () => {
      const res = await createInbox(A.token, '306540352242922', `EAAGbad${'z'.repeat(30)}`, APP_SECRET_A);
      expect(res.status).toBe(422);
      expect(res.body.message).toBe('The access token was rejected (expired or revoked)');
      const { rows } = await ctx.database.unsafe.execute(
        sql`select id from channels where external_id = '306540352242922'`,
      );
      expect(rows).toHaveLength(0);
    });

    it('refuses a second inbox for the same number, in any workspace (409)', async () => {
      const res = await createInbox(B.token, PNID_A, TOKEN_A, APP_SECRET_A);
      expect(res.status).toBe(409);
    });

    it('POST /channels/:id/test says plainly what works and what does not', async () => {
      const test = () => http(ctx.app, 'POST', `/api/v1/channels/${inboxA.id}/test`, { token: A.token });
      const good = await test();
      expect(good.status).toBe(200);
      expect(good.body).toMatchObject({ ok: true, message: 'Connected to +1 555-010-0100 (Acme Support)' });

      const grant = graph.state.tokens.get(TOKEN_A)!;
      graph.state.tokens.delete(TOKEN_A);
      try {
        expect((await test()).body).toEqual({
          ok: false,
          message: 'The access token was rejected (expired or revoked)',
        });
      } finally {
        graph.state.tokens.set(TOKEN_A, grant);
      }
      grant.canMessage = false;
      try {
        expect((await test()).body).toEqual({
          ok: false,
          message: 'The token lacks whatsapp_business_messaging',
        });
      } finally {
        grant.canMessage = true;
      }
      grant.numbers = grant.numbers.filter((n) => n !== PNID_A);
      try {
        expect((await test()).body).toEqual({
          ok: false,
          message: `Phone number id ${PNID_A} not found for this token`,
        });
      } finally {
        grant.numbers.push(PNID_A);
      }
      expect((await test()).body.ok).toBe(true);
      // Another workspace cannot test (or see) it.
      expect(
        (await http(ctx.app, 'POST', `/api/v1/channels/${inboxA.id}/test`, { token: B.token })).status,
      ).toBe(404);
    });
  });

  describe('webhook verification handshake', () => {
    const handshake = (query: string) => getRaw(ctx.app, `${WEBHOOK}?${query}`);

    it('answers hub.challenge as text/plain to the inbox’s verify token', async () => {
      const token = encodeURIComponent(inboxA.details.verifyToken as string);
      const res = await handshake(`hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`);
      expect(res.status).toBe(200);
      expect(res.text).toBe('1158201444');
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
    });

    it('refuses a wrong token or mode (403), and a missing or odd challenge (400)', async () => {
      const token = encodeURIComponent(inboxA.details.verifyToken as string);
      expect((await handshake('hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1')).status).toBe(403);
      expect((await handshake(`hub.mode=unsubscribe&hub.verify_token=${token}&hub.challenge=1`)).status).toBe(
        403,
      );
      expect((await handshake(`hub.mode=subscribe&hub.verify_token=${token}`)).status).toBe(400);
      // The challenge is echoed as the body: only Meta's kind of value.
      const markup = encodeURIComponent('<script>alert(1)</script>');
      expect(
        (await handshake(`hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=${markup}`)).status,
      ).toBe(400);
    });
  });

  describe('inbound', () => {
    it('stores a signed text message: contact by wa_id with name and +phone, wamid, sentAt; message.created is published', async () => {
      const events = listen('message.created');
      const id = wamid();
      const sentAt = Math.floor(Date.now() / 1000) - 5;
      const payload = waPayload({
        changes: [
          waChange(PNID_A, {
            contacts: [waContact(ANA, 'Ana Souza')],
            messages: [
              {
                from: ANA,
                id,
                timestamp: String(sentAt),
                type: 'text',
                text: { body: 'Olá, preciso de ajuda 🙏' },
              },
            ],
          }),
        ],
      });
      const res = await deliver(payload, signedWith(APP_SECRET_A));
      expect(res.status).toBe(200);
      const [row] = await eventually(async () => {
        const rows = await messageByProviderId(id);
        expect(rows).toHaveLength(1);
        return rows;
      });
      expect(row).toMatchObject({
        tenant_id: A.tenant.id,
        channel_id: inboxA.id,
        direction: 'in',
        type: 'text',
        content: { text: 'Olá, preciso de ajuda 🙏' },
      });
      const contact = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select c.name, c.phone, i.identifier, i.channel_type from conversations v join contacts c on c.id = v.contact_id
              join contact_identities i on i.contact_id = c.id where v.id = ${row!.conversation_id}`,
        )
      ).rows;
      expect(contact).toEqual([
        { name: 'Ana Souza', phone: `+${ANA}`, identifier: ANA, channel_type: 'whatsapp' },
      ]);
      await eventually(() => expect(events.seen.map((e) => e.message.providerMessageId)).toContain(id));
      events.off();
      const api = await http(ctx.app, 'GET', `/api/v1/conversations/${row!.conversation_id}/messages`, {
        token: A.token,
      });
      expect(api.status).toBe(200);
      expect(api.body.items.map((m: { content: { text?: string } }) => m.content.text)).toContain(
        'Olá, preciso de ajuda 🙏',
      );
      // sentAt (Meta's timestamp) starts the service window.
      const conversation = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select last_inbound_at from conversations where id = ${row!.conversation_id}`,
        )
      ).rows[0]!;
      expect(new Date(conversation.last_inbound_at).getTime()).toBe(sentAt * 1000);
    });

    it('refuses a missing, malformed, wrong or tampered signature (401) and stores nothing', async () => {
      const id = wamid();
      const payload = waPayload({
        changes: [
          waChange(PNID_A, { contacts: [waContact(BOB, 'Bob')], messages: [textMsg(BOB, 'hi', id)] }),
        ],
      });
      await settled();
      const before = await messageCount();
      expect((await deliver(payload, null)).status).toBe(401);
      expect((await deliver(payload, 'sha256=nothex')).status).toBe(401);
      expect((await deliver(payload, signedWith('not-the-app-secret-at-all'))).status).toBe(401);
      // Signed with tenant B's secret: it does not vouch for tenant A's number.
      expect((await deliver(payload, signedWith(APP_SECRET_B))).status).toBe(401);
      // A valid signature of other bytes.
      expect(
        (await deliver(payload, signWebhook(APP_SECRET_A, metaJson({ ...payload, entry: [] })))).status,
      ).toBe(401);
      // Meta signs its own escaping (\u00e1): a signature over the re-serialised, unescaped JSON is not valid.
      const accented = waPayload({ changes: [waChange(PNID_A, { messages: [textMsg(BOB, 'olá', id)] })] });
      expect(metaJson(accented)).not.toBe(JSON.stringify(accented));
      expect((await deliver(accented, signWebhook(APP_SECRET_A, JSON.stringify(accented)))).status).toBe(401);
      // A number no inbox has.
      const stranger = waPayload({ changes: [waChange('999999999999', { messages: [textMsg(BOB, 'hi')] })] });
      expect((await deliver(stranger, signedWith(APP_SECRET_A))).status).toBe(401);
      await settled();
      expect(await messageByProviderId(id)).toHaveLength(0);
      expect(await messageCount()).toBe(before);
    });

    it('answers 400 to what is not a WhatsApp Business Account payload', async () => {
      const notWaba = { object: 'page', entry: [{ id: '1', changes: [] }] };
      expect((await deliver(notWaba, signedWith(APP_SECRET_A))).status).toBe(400);
      expect((await deliver({ hello: 'world' }, signedWith(APP_SECRET_A))).status).toBe(400);
      // Each number costs a lookup before the signature is known good: a delivery naming many is refused.
      const many = waPayload({
        changes: Array.from({ length: 51 }, (_, i) => waChange(String(700000000000 + i), { messages: [] })),
      });
      expect((await deliver(many, signedWith(APP_SECRET_A))).status).toBe(400);
      const broken = await http(ctx.app, 'POST', WEBHOOK, {
        body: '{"object":',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signWebhook(APP_SECRET_A, '{"object":'),
        },
      });
      expect(broken.status).toBe(400);
    });

    it('stores a redelivered message once', async () => {
      const id = wamid();
      const payload = waPayload({
        changes: [
          waChange(PNID_A, { contacts: [waContact(BOB, 'Bob')], messages: [textMsg(BOB, 'again?', id)] }),
        ],
      });
      expect((await deliver(payload, signedWith(APP_SECRET_A))).status).toBe(200);
      await settled();
      expect((await deliver(payload, signedWith(APP_SECRET_A))).status).toBe(200);
      await settled();
      expect(await messageByProviderId(id)).toHaveLength(1);
    });

    it('processes every entry, change and message of a batch; entries of numbers whose secret did not sign are skipped', async () => {
      const ids = {
        ana: wamid(),
        bob: wamid(),
        carolA2: wamid(),
        loc: wamid(),
        reaction: wamid(),
        tenantB: wamid(),
        bad: wamid(),
      };
      const payload = waPayload(
        {
          id: 'waba-a',
          changes: [
            waChange(PNID_A, {
              contacts: [waContact(ANA, 'Ana Souza'), waContact(BOB, 'Bob')],
              messages: [
                textMsg(ANA, 'first', ids.ana),
                textMsg(BOB, 'second', ids.bob),
                {
                  from: BOB,
                  id: ids.reaction,
                  timestamp: unixNow(),
                  type: 'reaction',
                  reaction: { message_id: ids.bob, emoji: '👍' },
                },
                { from: BOB, id: ids.bad, type: 'text' },
              ],
            }),
            waChange(PNID_A, {
              contacts: [waContact(ANA, 'Ana Souza')],
              messages: [
                {
                  from: ANA,
                  id: ids.loc,
                  timestamp: unixNow(),
                  type: 'location',
                  location: { latitude: -23.5614, longitude: -46.6559, name: 'MASP' },
                },
              ],
            }),
          ],
        },
        {
          id: 'waba-a2',
          changes: [
            waChange(PNID_A2, {
              contacts: [waContact(CAROL, 'Carol')],
              messages: [textMsg(CAROL, 'to sales', ids.carolA2)],
            }),
          ],
        },
        {
          id: 'waba-b',
          changes: [
            waChange(PNID_B, {
              contacts: [waContact(CAROL, 'Carol')],
              messages: [textMsg(CAROL, 'to beta', ids.tenantB)],
            }),
          ],
        },
      );
      expect((await deliver(payload, signedWith(APP_SECRET_A))).status).toBe(200);
      await settled();
      const stored = async (id: string) => (await messageByProviderId(id))[0];
      expect(await stored(ids.ana)).toMatchObject({ channel_id: inboxA.id, content: { text: 'first' } });
      expect(await stored(ids.bob)).toMatchObject({ channel_id: inboxA.id, content: { text: 'second' } });
      expect(await stored(ids.loc)).toMatchObject({
        channel_id: inboxA.id,
        type: 'location',
        content: { latitude: -23.5614, longitude: -46.6559, name: 'MASP' },
      });
      expect(await stored(ids.carolA2)).toMatchObject({ channel_id: inboxA2.id, tenant_id: A.tenant.id });
      // Reactions are not stored, a malformed message is skipped, tenant B's number was not signed by its app.
      expect(await stored(ids.reaction)).toBeUndefined();
      expect(await stored(ids.bad)).toBeUndefined();
      expect(await stored(ids.tenantB)).toBeUndefined();

      // The same shape signed by B's app reaches B's inbox only.
      const forB = waPayload({
        changes: [
          waChange(PNID_B, {
            contacts: [waContact(CAROL, 'Carol')],
            messages: [textMsg(CAROL, 'to beta', ids.tenantB)],
          }),
        ],
      });
      expect((await deliver(forB, signedWith(APP_SECRET_B))).status).toBe(200);
      await settled();
      expect(await stored(ids.tenantB)).toMatchObject({ channel_id: inboxB.id, tenant_id: B.tenant.id });
    });

    it('fetches media through the Graph API into storage: image with caption, voice note, document with its name', async () => {
      const ogg = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(100, 1)]);
      const pdf = Buffer.from('%PDF-1.4\n% fake but recognisable\n');
      graph.addMedia('880000000001', { phoneNumberId: PNID_A, bytes: PNG, mimeType: 'image/png' });
      graph.addMedia('880000000002', {
        phoneNumberId: PNID_A,
        bytes: ogg,
        mimeType: 'audio/ogg; codecs=opus',
      });
      graph.addMedia('880000000003', { phoneNumberId: PNID_A, bytes: pdf, mimeType: 'application/pdf' });
      const ids = { image: wamid(), voice: wamid(), doc: wamid(), missing: wamid() };
      const before = graph.state.requests.length;
      const res = await deliver(
        waPayload({
          changes: [
            waChange(PNID_A, {
              contacts: [waContact(ANA, 'Ana Souza')],
              messages: [
                {
                  from: ANA,
                  id: ids.image,
                  timestamp: unixNow(),
                  type: 'image',
                  image: { id: '880000000001', mime_type: 'image/png', sha256: 'x', caption: 'my receipt' },
                },
                {
                  from: ANA,
                  id: ids.voice,
                  timestamp: unixNow(),
                  type: 'audio',
                  audio: { id: '880000000002', mime_type: 'audio/ogg; codecs=opus', voice: true },
                },
                {
                  from: ANA,
                  id: ids.doc,
                  timestamp: unixNow(),
                  type: 'document',
                  document: {
                    id: '880000000003',
                    mime_type: 'application/pdf',
                    filename: 'invoice-may.pdf',
                    caption: 'May invoice',
                  },
                },
                {
                  from: ANA,
                  id: ids.missing,
                  timestamp: unixNow(),
                  type: 'image',
                  image: { id: '880000000404', mime_type: 'image/jpeg', caption: 'lost' },
                },
              ],
            }),
          ],
        }),
        signedWith(APP_SECRET_A),
      );
      expect(res.status).toBe(200);
      await settled();
      const image = (await messageByProviderId(ids.image))[0]!;
      expect(image).toMatchObject({
        type: 'image',
        content: { caption: 'my receipt', mimeType: 'image/png' },
      });
      const meta = await http(ctx.app, 'GET', `/api/v1/attachments/${image.content.attachmentId}`, {
        token: A.token,
      });
      expect(meta.status).toBe(200);
      const download = await getRaw(ctx.app, new URL(meta.body.url).pathname + new URL(meta.body.url).search);
      expect(download.status).toBe(200);
      expect(Buffer.compare(download.bytes, PNG)).toBe(0);

      expect((await messageByProviderId(ids.voice))[0]).toMatchObject({
        type: 'audio',
        content: { mimeType: 'audio/ogg' },
      });
      const doc = (await messageByProviderId(ids.doc))[0]!;
      expect(doc).toMatchObject({
        type: 'document',
        content: { filename: 'invoice-may.pdf', caption: 'May invoice', mimeType: 'application/pdf' },
      });
      const docMeta = await http(ctx.app, 'GET', `/api/v1/attachments/${doc.content.attachmentId}`, {
        token: A.token,
      });
      expect(docMeta.body.fileName).toBe('invoice-may.pdf');
      // A file Meta no longer has still leaves the message, saying so.
      expect((await messageByProviderId(ids.missing))[0]).toMatchObject({
        type: 'text',
        content: {
          text: expect.stringMatching(
            /^lost\n\[image not available: .*Object with ID '880000000404' does not exist/,
          ),
        },
      });

      // Both steps carried the inbox's token: the media object at the configured version, then its URL.
      const calls = graph.state.requests.slice(before);
      const lookup = calls.find((r) => r.path === '/v21.0/880000000001');
      const bytes = calls.find((r) => r.path === '/whatsapp-media/880000000001');
      expect(lookup?.headers.authorization).toBe(`Bearer ${TOKEN_A}`);
      expect(bytes?.headers.authorization).toBe(`Bearer ${TOKEN_A}`);
    });

    it('stores button and list replies as interactive with the tapped title as text', async () => {
      const id = wamid();
      await deliver(
        waPayload({
          changes: [
            waChange(PNID_A, {
              contacts: [waContact(BOB, 'Bob')],
              messages: [
                {
                  from: BOB,
                  id,
                  timestamp: unixNow(),
                  type: 'interactive',
                  interactive: { type: 'button_reply', button_reply: { id: 'confirm-42', title: 'Confirm' } },
                },
              ],
            }),
          ],
        }),
        signedWith(APP_SECRET_A),
      );
      await settled();
      const row = (await messageByProviderId(id))[0]!;
      expect(row).toMatchObject({
        type: 'interactive',
        content: { text: 'Confirm', reply: { type: 'button_reply', id: 'confirm-42', title: 'Confirm' } },
      });
      const conversation = await http(ctx.app, 'GET', `/api/v1/conversations/${row.conversation_id}`, {
        token: A.token,
      });
      expect(conversation.body.lastMessagePreview).toBe('Confirm');
    });
  });

  describe('outbound', () => {
    let conversationId: string;
    beforeAll(async () => {
      conversationId = await conversationWith(ANA);
    });

    it('sends a text: exactly the Cloud API request, with the inbox token; the wamid becomes the provider id', async () => {
      const before = graph.sends(PNID_A).length;
      const id = await send(conversationId, 'text', { text: 'Olá Ana, como posso ajudar?' });
      const row = await settledStatus(id, 'sent');
      const sends = graph.sends(PNID_A).slice(before);
      expect(sends).toHaveLength(1);
      expect(sends[0]!.headers.authorization).toBe(`Bearer ${TOKEN_A}`);
      expect(sends[0]!.headers['content-type']).toBe('application/json');
      expect(sends[0]!.json).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: ANA,
        type: 'text',
        text: { body: 'Olá Ana, como posso ajudar?', preview_url: false },
      });
      expect(row.provider_message_id).toMatch(/^wamid\./);
    });

    it('sends a stored file as a signed link that downloads the file', async () => {
      const uploaded = await postMultipart(
        ctx.app,
        '/api/v1/attachments',
        [{ kind: 'file', name: 'file', fileName: 'photo.png', contentType: 'image/png', data: PNG }],
        { token: A.token },
      );
      expect(uploaded.status).toBe(201);
      const before = graph.sends(PNID_A).length;
      const id = await send(conversationId, 'image', {
        attachmentId: uploaded.body.id,
        caption: 'Your photo',
      });
      await settledStatus(id, 'sent');
      const [request] = graph.sends(PNID_A).slice(before);
      expect(request!.json).toMatchObject({ to: ANA, type: 'image', image: { caption: 'Your photo' } });
      const link = new URL(request!.json.image.link as string);
      expect(link.origin).toBe(PUBLIC_URL);
      expect(link.pathname).toBe(`/api/v1/attachments/${uploaded.body.id}/download`);
      const fetched = await getRaw(ctx.app, link.pathname + link.search);
      expect(fetched.status).toBe(200);
      expect(Buffer.compare(fetched.bytes, PNG)).toBe(0);

      const byUrl = await send(conversationId, 'document', {
        url: 'https://files.example.test/terms.pdf',
        filename: 'terms.pdf',
      });
      await settledStatus(byUrl, 'sent');
      expect(graph.sends(PNID_A).at(-1)!.json.document).toEqual({
        link: 'https://files.example.test/terms.pdf',
        filename: 'terms.pdf',
      });
    });

    it('sends a template with parameters, interactive buttons and lists, and a location', async () => {
      const components = [
        { type: 'header', parameters: [{ type: 'text', text: 'Order #1042' }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'currency', currency: { fallback_value: 'R$ 10,00', code: 'BRL', amount_1000: 10000 } },
          ],
        },
      ];
      const buttons = {
        type: 'button',
        body: { text: 'Did this solve it?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'yes', title: 'Yes' } },
            { type: 'reply', reply: { id: 'no', title: 'No' } },
          ],
        },
      };
      const list = {
        type: 'list',
        body: { text: 'Pick a size' },
        action: {
          button: 'Sizes',
          sections: [
            {
              title: 'Shirts',
              rows: [
                { id: 'm', title: 'M' },
                { id: 'l', title: 'L' },
              ],
            },
          ],
        },
      };
      const before = graph.sends(PNID_A).length;
      const ids = [
        await send(conversationId, 'template', { name: 'order_update', language: 'pt_BR', components }),
        await send(conversationId, 'interactive', buttons),
        await send(conversationId, 'interactive', list),
        await send(conversationId, 'location', {
          latitude: -23.5614,
          longitude: -46.6559,
          name: 'MASP',
          address: 'Av. Paulista, 1578',
        }),
      ];
      for (const id of ids) await settledStatus(id, 'sent');
      const bodies = graph
        .sends(PNID_A)
        .slice(before)
        .map((r): unknown => r.json);
      const head = { messaging_product: 'whatsapp', recipient_type: 'individual', to: ANA };
      expect(bodies).toEqual(
        expect.arrayContaining([
          {
            ...head,
            type: 'template',
            template: { name: 'order_update', language: { code: 'pt_BR' }, components },
          },
          { ...head, type: 'interactive', interactive: buttons },
          { ...head, type: 'interactive', interactive: list },
          {
            ...head,
            type: 'location',
            location: {
              latitude: -23.5614,
              longitude: -46.6559,
              name: 'MASP',
              address: 'Av. Paulista, 1578',
            },
          },
        ]),
      );
      expect(bodies).toHaveLength(4);
    });

    it('fails the message for good with Meta’s message and code on a 4xx; nothing is retried', async () => {
      graph.state.sendFailures.push({
        status: 400,
        body: {
          error: {
            message: '(#131030) Recipient phone number not in allowed list',
            type: 'OAuthException',
            code: 131030,
            error_data: {
              messaging_product: 'whatsapp',
              details:
                'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.',
            },
            fbtrace_id: 'AazYkVx2xZ',
          },
        },
      });
      const before = graph.sends(PNID_A).length;
      const id = await send(conversationId, 'text', { text: 'will fail' });
      const row = await settledStatus(id, 'failed');
      expect(row.failure_reason).toBe(
        '(#131030) Recipient phone number not in allowed list: Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again. (WhatsApp error 131030)',
      );
      await new Promise((r) => setTimeout(r, 1_500));
      expect(graph.sends(PNID_A).length - before).toBe(1);
    });

    it('retries 429 and 5xx, then sends', async () => {
      graph.state.sendFailures.push(
        {
          status: 429,
          body: {
            error: {
              message: '(#130429) Rate limit hit',
              type: 'OAuthException',
              code: 130429,
              fbtrace_id: 'x',
            },
          },
        },
        {
          status: 503,
          body: {
            error: {
              message: 'Service temporarily unavailable',
              type: 'OAuthException',
              code: 2,
              fbtrace_id: 'y',
            },
          },
        },
      );
      const before = graph.sends(PNID_A).length;
      const id = await send(conversationId, 'text', { text: 'third time lucky' });
      const row = await settledStatus(id, 'sent');
      expect(row.provider_message_id).toMatch(/^wamid\./);
      expect(graph.sends(PNID_A).length - before).toBe(3);
    });

    it('refuses a text over 4096 characters without calling Meta', async () => {
      const before = graph.sends(PNID_A).length;
      const id = await send(conversationId, 'text', { text: 'x'.repeat(5000) });
      const row = await settledStatus(id, 'failed');
      expect(row.failure_reason).toBe('The text is 5000 characters long; WhatsApp allows at most 4096');
      expect(graph.sends(PNID_A).length).toBe(before);
    });

    it('delivery statuses move the message forward: delivered, read; failed carries Meta’s reason', async () => {
      const ok = await send(conversationId, 'text', { text: 'status please' });
      const okWamid = (await settledStatus(ok, 'sent')).provider_message_id as string;
      const statusEvents = listen('message.status');
      const status = (id: string, value: string, extra: Record<string, unknown> = {}) =>
        deliver(
          waPayload({
            changes: [
              waChange(PNID_A, {
                statuses: [{ id, status: value, timestamp: unixNow(), recipient_id: ANA, ...extra }],
              }),
            ],
          }),
          signedWith(APP_SECRET_A),
        );
      expect((await status(okWamid, 'delivered')).status).toBe(200);
      await settledStatus(ok, 'delivered');
      expect((await status(okWamid, 'read')).status).toBe(200);
      await settledStatus(ok, 'read');
      await eventually(() =>
        expect(statusEvents.seen.filter((e) => e.message.id === ok).map((e) => e.message.status)).toEqual([
          'delivered',
          'read',
        ]),
      );
      statusEvents.off();

      const bad = await send(conversationId, 'text', { text: 'will bounce' });
      const badWamid = (await settledStatus(bad, 'sent')).provider_message_id as string;
      await status(badWamid, 'failed', {
        errors: [
          {
            code: 131026,
            title: 'Message undeliverable',
            message: 'Message undeliverable',
            error_data: { details: 'Unable to deliver message.' },
          },
        ],
      });
      const failed = await settledStatus(bad, 'failed');
      expect(failed.failure_reason).toBe(
        'Message undeliverable: Unable to deliver message. (WhatsApp error 131026)',
      );
    });

    it('a status that overtakes the send it reports on is applied once the wamid is stored', async () => {
      const early = wamid();
      const res = await deliver(
        waPayload({
          changes: [
            waChange(PNID_A, {
              statuses: [{ id: early, status: 'delivered', timestamp: unixNow(), recipient_id: ANA }],
            }),
          ],
        }),
        signedWith(APP_SECRET_A),
      );
      expect(res.status).toBe(200);
      // Meta's answer to the send names the wamid the status already reported.
      graph.state.nextMessageIds.push(early);
      const id = await send(conversationId, 'text', { text: 'raced' });
      const row = await settledStatus(id, 'delivered');
      expect(row.provider_message_id).toBe(early);
    });

    it('an agent reading the conversation marks the latest inbound message read (blue ticks) with the inbox token', async () => {
      const id = wamid();
      await deliver(
        waPayload({
          changes: [
            waChange(PNID_A, {
              contacts: [waContact(ANA, 'Ana Souza')],
              messages: [{ from: ANA, id, timestamp: unixNow(), type: 'text', text: { body: 'read me' } }],
            }),
          ],
        }),
        signedWith(APP_SECRET_A),
      );
      const [row] = await eventually(async () => {
        const rows = await messageByProviderId(id);
        expect(rows).toHaveLength(1);
        return rows;
      });
      const before = graph.sends(PNID_A).length;
      const res = await http(ctx.app, 'POST', `/api/v1/conversations/${row!.conversation_id}/read`, {
        token: A.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.unreadCount).toBe(0);
      const [request] = await eventually(() => {
        const sent = graph.sends(PNID_A).slice(before);
        expect(sent).toHaveLength(1);
        return sent;
      });
      expect(request!.headers.authorization).toBe(`Bearer ${TOKEN_A}`);
      expect(request!.json).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: id });
      // Already read: nothing more goes to Meta.
      await http(ctx.app, 'POST', `/api/v1/conversations/${row!.conversation_id}/read`, { token: A.token });
      await new Promise((r) => setTimeout(r, 200));
      expect(graph.sends(PNID_A).slice(before)).toHaveLength(1);
    });
  });
});
