import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { AttachmentsService } from '../../src/modules/attachments/attachments.service.js';
import { InboundWorkService } from '../../src/modules/channels/inbound-work.service.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import {
  metaJson,
  metaSignature,
  startFakeMetaGraph,
  type FakeMetaGraph,
  type FakeMetaPerson,
} from '../fakes/meta-graph.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const WEBHOOK = '/api/v1/channels/meta/webhook';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(3000)]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let seq = 0;
/** A fresh decimal Graph id (Page, Instagram account, PSID, IGSID). */
const graphId = () => `${Date.now()}${String(++seq).padStart(4, '0')}`;
const mid = () => `m_${randomBytes(18).toString('base64url')}`;

interface Kind {
  type: 'messenger' | 'instagram';
  object: 'page' | 'instagram';
  accountKind: 'page' | 'instagram';
  config(accountId: string): Record<string, string>;
  credentials(token: string, appSecret: string): Record<string, string>;
  connected(name: string): string;
  /** The profile the fake holds for a person, and the contact name we expect from it. */
  person(id: string): { profile: FakeMetaPerson; name: string };
}

const KINDS: Kind[] = [
  {
    type: 'messenger',
    object: 'page',
    accountKind: 'page',
    config: (pageId) => ({ pageId }),
    credentials: (pageAccessToken, appSecret) => ({ pageAccessToken, appSecret }),
    connected: (name) => `Connected to page ${name}`,
    person: (id) => ({
      profile: { id, first_name: 'Ana', last_name: `Souza ${id.slice(-4)}` },
      name: `Ana Souza ${id.slice(-4)}`,
    }),
  },
  {
    type: 'instagram',
    object: 'instagram',
    accountKind: 'instagram',
    config: (instagramAccountId) => ({ instagramAccountId }),
    credentials: (accessToken, appSecret) => ({ accessToken, appSecret }),
    connected: (name) => `Connected to Instagram account @${name}`,
    person: (id) => ({ profile: { id, username: `ana.${id.slice(-4)}` }, name: `ana.${id.slice(-4)}` }),
  },
];

describe('Messenger and Instagram (Meta webhook)', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let graph: FakeMetaGraph;
  let storageDir: string;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;

  beforeAll(async () => {
    graph = await startFakeMetaGraph();
    storageDir = await mkdtemp(join(tmpdir(), 'od-meta-'));
    ctx = await startTestApp({
      env: {
        GRAPH_API_BASE_URL: graph.url,
        GRAPH_API_VERSION: graph.version,
        // The fake Graph API and its CDN listen on loopback.
        OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
        PUBLIC_URL: 'https://desk.example.test',
        STORAGE_LOCAL_DIR: storageDir,
      },
    });
    worker = await startWorker(ctx.config);
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    await graph?.close();
    if (storageDir) await rm(storageDir, { recursive: true, force: true });
  });

  /** Everything deferred after the webhook answers has finished. */
  const settled = () => ctx.app.get(InboundWorkService).idle();

  const rows = async <T = Record<string, any>>(query: ReturnType<typeof sql>) =>
    (await ctx.database.unsafe.execute<T & Record<string, unknown>>(query)).rows;
  const messagesOf = (channelId: string) =>
    rows(sql`select m.*, ci.identifier, c.name as contact_name
             from messages m join conversations cv on cv.id = m.conversation_id
             join contacts c on c.id = cv.contact_id
             left join contact_identities ci on ci.contact_id = c.id
             where m.channel_id = ${channelId} order by m.created_at, m.provider_message_id`);
  const messageRow = async (id: string) => (await rows(sql`select * from messages where id = ${id}`))[0]!;
  const waitForStatus = (id: string, status: string, timeout = 10_000) =>
    expect.poll(async () => (await messageRow(id)).status as string, { timeout, interval: 50 }).toBe(status);

  function listen<K extends keyof DomainEventMap>(name: K) {
    const seen: DomainEventMap[K][] = [];
    const off = ctx.app.get(DomainEvents).on(name, (p) => void seen.push(p));
    return { seen, off };
  }

  /** POSTs a raw body as Meta does; `signature` undefined sends no header. */
  const deliver = (raw: string, signature: string | undefined) =>
    http(ctx.app, 'POST', WEBHOOK, {
      body: raw,
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
    });

  describe.each(KINDS)('$type', (K) => {
    /** An account at the fake, and its inbox in a workspace. */
    async function connectAccount(token: string, options: { appSecret?: string; name?: string } = {}) {
      const account = graph.addAccount({
        id: graphId(),
        kind: K.accountKind,
        name: options.name ?? `acme_${seq}`,
        accessToken: `EAAG${randomBytes(24).toString('hex')}`,
        appSecret: options.appSecret ?? randomBytes(16).toString('hex'),
      });
      const res = await http(ctx.app, 'POST', '/api/v1/channels', {
        token,
        body: {
          type: K.type,
          name: `${K.type} ${account.name}`,
          config: K.config(account.id),
          credentials: K.credentials(account.accessToken, account.appSecret),
        },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return { account, inbox: res.body as { id: string; details: Record<string, any>; webhookUrl: string } };
    }

    function person() {
      const id = graphId();
      const p = K.person(id);
      graph.addPerson(p.profile);
      return { id, name: p.name };
    }

    const envelope = (entries: { id: string; messaging: unknown[] }[]) => ({
      object: K.object,
      entry: entries.map((e) => ({ id: e.id, time: Date.now(), messaging: e.messaging })),
    });
    const messageEvent = (
      from: string,
      to: string,
      message: Record<string, unknown>,
      timestamp = Date.now(),
    ) => ({
      sender: { id: from },
      recipient: { id: to },
      timestamp,
      message,
    });
    /** Signs exactly the bytes it sends, with Meta's escaping. */
    const send = (payload: unknown, appSecret: string) => {
      const raw = metaJson(payload);
      return deliver(raw, metaSignature(appSecret, raw));
    };

    let main: Awaited<ReturnType<typeof connectAccount>>;
    beforeAll(async () => {
      main = await connectAccount(A.token);
    });

    /** A conversation opened by an inbound text from a fresh person; returns the person and conversation id. */
    async function inboundConversation() {
      const who = person();
      const res = await send(
        envelope([
          {
            id: main.account.id,
            messaging: [messageEvent(who.id, main.account.id, { mid: mid(), text: 'hi' })],
          },
        ]),
        main.account.appSecret,
      );
      expect(res.status).toBe(200);
      await settled();
      const [conv] = await rows<{ id: string }>(
        sql`select cv.id from conversations cv join contact_identities ci on ci.contact_id = cv.contact_id
            where cv.channel_id = ${main.inbox.id} and ci.identifier = ${who.id}`,
      );
      return { who, conversationId: conv!.id };
    }

    const reply = (conversationId: string, type: string, content: Record<string, unknown>) =>
      http(ctx.app, 'POST', '/api/v1/messages', { token: A.token, body: { conversationId, type, content } });

    it('creates the inbox with the webhook URL and a verify token; the handshake answers the challenge', async () => {
      const { inbox, account } = main;
      expect(inbox.webhookUrl).toBe(`https://desk.example.test${WEBHOOK}`);
      expect(inbox.details.verifyToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(inbox.details.webhookObject).toBe(K.object);
      expect(JSON.stringify(inbox)).not.toContain(account.accessToken);
      expect(JSON.stringify(inbox)).not.toContain(account.appSecret);

      const challenge = '1158201444';
      const ok = await http(
        ctx.app,
        'GET',
        `${WEBHOOK}?hub.mode=subscribe&hub.verify_token=${inbox.details.verifyToken}&hub.challenge=${challenge}`,
      );
      expect(ok.status).toBe(200);
      expect(ok.headers['content-type']).toMatch(/^text\/plain/);
      expect(ok.body).toBe(Number(challenge));

      for (const query of [
        `hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=${challenge}`,
        `hub.mode=unsubscribe&hub.verify_token=${inbox.details.verifyToken}&hub.challenge=${challenge}`,
      ]) {
        const res = await http(ctx.app, 'GET', `${WEBHOOK}?${query}`);
        expect(res.status, query).toBe(403);
        expect(String(res.body.message)).toContain('verify token');
      }
    });

    it('stores a signed message with the contact and their profile name, and publishes message.created', async () => {
      const who = person();
      const id = mid();
      const text = 'Olá! Preciso de ajuda com o pedido #42 / entrega — 🚚';
      const created = listen('message.created');
      const timestamp = Date.now() - 5_000;
      const res = await send(
        envelope([
          {
            id: main.account.id,
            messaging: [messageEvent(who.id, main.account.id, { mid: id, text }, timestamp)],
          },
        ]),
        main.account.appSecret,
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true });
      await settled();

      const stored = (await messagesOf(main.inbox.id)).filter((m) => m.provider_message_id === id);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({
        direction: 'in',
        type: 'text',
        content: { text },
        status: 'received',
        identifier: who.id,
        contact_name: who.name,
      });
      const event = created.seen.find((e) => e.message.providerMessageId === id);
      expect(event?.tenantId).toBe(A.tenant.id);
      // The profile was read with the inbox's token and the fields of this type.
      const lookup = graph.state.requests.find((r) => r.method === 'GET' && r.path.endsWith(`/${who.id}`));
      expect(lookup?.account?.id).toBe(main.account.id);
      created.off();
    });

    it('refuses a missing, malformed or wrong signature with 401 and stores nothing', async () => {
      const who = person();
      const payload = envelope([
        {
          id: main.account.id,
          messaging: [messageEvent(who.id, main.account.id, { mid: mid(), text: 'forged / ação' })],
        },
      ]);
      const raw = metaJson(payload);
      const unknownAccount = metaJson(
        envelope([
          { id: graphId(), messaging: [messageEvent(who.id, main.account.id, { mid: mid(), text: 'x' })] },
        ]),
      );
      for (const [what, body, signature] of [
        ['no header', raw, undefined],
        [
          'not sha256=<hex>',
          raw,
          `sha1=${createHmac('sha1', main.account.appSecret).update(raw).digest('hex')}`,
        ],
        ['another secret', raw, metaSignature('some-other-app-secret', raw)],
        // Signed over the JSON re-serialised, not over the bytes sent (Meta escapes "/" and non-ASCII).
        ['other bytes', raw, metaSignature(main.account.appSecret, JSON.stringify(payload))],
        ['an account with no inbox', unknownAccount, metaSignature(main.account.appSecret, unknownAccount)],
        ['not an envelope', '[1,2]', metaSignature(main.account.appSecret, '[1,2]')],
        [
          'another object',
          raw.replace(`"${K.object}"`, '"user"'),
          metaSignature(main.account.appSecret, raw.replace(`"${K.object}"`, '"user"')),
        ],
      ] as const) {
        const res = await deliver(body, signature);
        expect(res.status, what).toBe(401);
        expect(res.body.message).toBe('Missing or invalid X-Hub-Signature-256');
      }
      expect((await deliver('{"object":', metaSignature(main.account.appSecret, '{"object":'))).status).toBe(
        400,
      );
      await settled();
      const stored = await rows(sql`select 1 from contact_identities where identifier = ${who.id}`);
      expect(stored).toHaveLength(0);
    });

    it('stores a repeated delivery once', async () => {
      const who = person();
      const id = mid();
      const payload = envelope([
        {
          id: main.account.id,
          messaging: [messageEvent(who.id, main.account.id, { mid: id, text: 'once only' })],
        },
      ]);
      for (let i = 0; i < 3; i++) expect((await send(payload, main.account.appSecret)).status).toBe(200);
      await settled();
      expect((await messagesOf(main.inbox.id)).filter((m) => m.provider_message_id === id)).toHaveLength(1);
    });

    it('processes every entry and event of a batch, only for the inboxes whose app secret signed it', async () => {
      // A second account of the same Meta app (same secret) in A, and one of another app in workspace B.
      const sibling = await connectAccount(A.token, { appSecret: main.account.appSecret });
      const foreign = await connectAccount(B.token);
      const [p1, p2, p3] = [person(), person(), person()];
      const ids = { a: mid(), b: mid(), c: mid(), postback: mid(), foreign: mid() };
      const t = Date.now();
      const payload = envelope([
        {
          id: main.account.id,
          messaging: [
            messageEvent(p1.id, main.account.id, { mid: ids.a, text: 'first' }, t),
            messageEvent(
              p2.id,
              main.account.id,
              { mid: ids.b, text: 'Yes', quick_reply: { payload: 'CONFIRM_ORDER' } },
              t + 1,
            ),
            {
              sender: { id: p1.id },
              recipient: { id: main.account.id },
              timestamp: t + 2,
              postback: { mid: ids.postback, title: 'Talk to a human', payload: 'HUMAN' },
            },
          ],
        },
        {
          id: sibling.account.id,
          messaging: [messageEvent(p3.id, sibling.account.id, { mid: ids.c, text: 'to the sibling' }, t + 3)],
        },
        {
          id: foreign.account.id,
          messaging: [
            messageEvent(p3.id, foreign.account.id, { mid: ids.foreign, text: 'forged for B' }, t + 4),
          ],
        },
        { id: graphId(), messaging: [messageEvent(p3.id, '1', { mid: mid(), text: 'nobody' }, t + 5)] },
        // A malformed event between good ones costs only itself.
        {
          id: main.account.id,
          messaging: [
            { sender: { id: 'not-a-psid' }, message: { text: 'bad' } },
            messageEvent(p2.id, main.account.id, { mid: ids.a + 'x', text: 'after the bad one' }, t + 6),
          ],
        },
      ]);
      expect((await send(payload, main.account.appSecret)).status).toBe(200);
      await settled();

      const mine = await messagesOf(main.inbox.id);
      const byId = (id: string) => mine.find((m) => m.provider_message_id === id);
      expect(byId(ids.a)).toMatchObject({ content: { text: 'first' }, identifier: p1.id });
      expect(byId(ids.b)).toMatchObject({ content: { text: 'Yes' }, identifier: p2.id });
      expect(byId(ids.postback)).toMatchObject({ content: { text: 'Talk to a human' }, identifier: p1.id });
      expect(byId(ids.a + 'x')).toMatchObject({ content: { text: 'after the bad one' } });
      expect((await messagesOf(sibling.inbox.id)).map((m) => m.provider_message_id as string)).toEqual([
        ids.c,
      ]);
      expect(await messagesOf(foreign.inbox.id)).toHaveLength(0);
    });

    it('fetches an image into storage; the message carries the attachment id', async () => {
      const who = person();
      const id = mid();
      const url = graph.addFile(`${id}_n.png`, 'image/png', PNG);
      const payload = envelope([
        {
          id: main.account.id,
          messaging: [
            messageEvent(who.id, main.account.id, {
              mid: id,
              attachments: [{ type: 'image', payload: { url } }],
            }),
          ],
        },
      ]);
      expect((await send(payload, main.account.appSecret)).status).toBe(200);
      await settled();
      const [msg] = (await messagesOf(main.inbox.id)).filter((m) => m.provider_message_id === id);
      expect(msg).toMatchObject({
        type: 'image',
        content: { attachmentId: expect.any(String), mimeType: 'image/png' },
      });
      const attachment = await http(ctx.app, 'GET', `/api/v1/attachments/${msg!.content.attachmentId}`, {
        token: A.token,
      });
      expect(attachment.status).toBe(200);
      expect(attachment.body).toMatchObject({
        size: PNG.length,
        sha256: sha256(PNG),
        contentType: 'image/png',
      });

      // A redelivery neither stores the message nor fetches the file again.
      const fetches = () =>
        graph.state.requests.filter((r) => r.path.startsWith('/cdn/') && r.path.includes(id)).length;
      expect(fetches()).toBe(1);
      expect((await send(payload, main.account.appSecret)).status).toBe(200);
      await settled();
      expect(fetches()).toBe(1);
      expect((await messagesOf(main.inbox.id)).filter((m) => m.provider_message_id === id)).toHaveLength(1);
    });

    it("stores an echo (sent from Meta's own app) as an outgoing message to the recipient", async () => {
      const { who, conversationId } = await inboundConversation();
      const id = mid();
      const echo = messageEvent(main.account.id, who.id, {
        mid: id,
        is_echo: true,
        text: 'Answered from the phone',
      });
      expect(
        (await send(envelope([{ id: main.account.id, messaging: [echo] }]), main.account.appSecret)).status,
      ).toBe(200);
      await settled();
      const [msg] = (await messagesOf(main.inbox.id)).filter((m) => m.provider_message_id === id);
      expect(msg).toMatchObject({
        direction: 'out',
        status: 'sent',
        sender_type: 'user',
        conversation_id: conversationId,
        identifier: who.id,
        content: { text: 'Answered from the phone' },
      });
    });

    it('sends a reply through the Send API (exact request); its echo is not stored twice; receipts move it', async () => {
      const { who, conversationId } = await inboundConversation();
      const first = await reply(conversationId, 'text', { text: 'Hello from OrbitDesk' });
      expect(first.status).toBe(201);
      await waitForStatus(first.body.id, 'sent');
      const [call] = graph.sendsTo(who.id);
      expect(call).toBeDefined();
      expect(call!.path).toBe(`/${graph.version}/me/messages`);
      expect(call!.headers.authorization).toBe(`Bearer ${main.account.accessToken}`);
      expect(call!.headers['content-type']).toBe('application/json');
      expect(call!.query).toEqual({
        appsecret_proof: createHmac('sha256', main.account.appSecret)
          .update(main.account.accessToken)
          .digest('hex'),
      });
      expect(call!.json).toEqual({
        recipient: { id: who.id },
        messaging_type: 'RESPONSE',
        message: { text: 'Hello from OrbitDesk' },
      });
      const sentRow = await messageRow(first.body.id);
      expect(sentRow.provider_message_id).toMatch(/^m_/);
      const firstMid = sentRow.provider_message_id as string;

      // Meta echoes our own send back: nothing new is stored.
      const echo = messageEvent(main.account.id, who.id, {
        mid: firstMid,
        is_echo: true,
        text: 'Hello from OrbitDesk',
      });
      expect(
        (await send(envelope([{ id: main.account.id, messaging: [echo] }]), main.account.appSecret)).status,
      ).toBe(200);
      await settled();
      expect(
        (await messagesOf(main.inbox.id)).filter((m) => m.direction === 'out' && m.identifier === who.id),
      ).toHaveLength(1);

      const watermark = Date.now();
      await new Promise((r) => setTimeout(r, 20));
      const second = await reply(conversationId, 'text', { text: 'Anything else?' });
      await waitForStatus(second.body.id, 'sent');
      const secondMid = (await messageRow(second.body.id)).provider_message_id as string;

      const statuses = listen('message.status');
      if (K.type === 'messenger') {
        const delivery = {
          sender: { id: who.id },
          recipient: { id: main.account.id },
          delivery: { mids: [firstMid], watermark },
        };
        expect(
          (await send(envelope([{ id: main.account.id, messaging: [delivery] }]), main.account.appSecret))
            .status,
        ).toBe(200);
        await settled();
        expect((await messageRow(first.body.id)).status).toBe('delivered');
        // message_reads: everything sent up to the watermark was read; the later reply was not.
        const read = {
          sender: { id: who.id },
          recipient: { id: main.account.id },
          timestamp: watermark + 1,
          read: { watermark },
        };
        expect(
          (await send(envelope([{ id: main.account.id, messaging: [read] }]), main.account.appSecret)).status,
        ).toBe(200);
      } else {
        // messaging_seen names the last message seen: it and everything before it were read.
        const seen = {
          sender: { id: who.id },
          recipient: { id: main.account.id },
          timestamp: watermark + 1,
          read: { mid: firstMid },
        };
        expect(
          (await send(envelope([{ id: main.account.id, messaging: [seen] }]), main.account.appSecret)).status,
        ).toBe(200);
      }
      await settled();
      expect((await messageRow(first.body.id)).status).toBe('read');
      expect((await messageRow(second.body.id)).status).toBe('sent');
      expect(
        statuses.seen.filter((e) => e.message.id === first.body.id).map((e) => e.message.status),
      ).toEqual(K.type === 'messenger' ? ['delivered', 'read'] : ['read']);
      statuses.off();
      expect(secondMid).not.toBe(firstMid);
    });

    it('sends a stored image as a signed link, then its caption; neither echo is stored again', async () => {
      const { who, conversationId } = await inboundConversation();
      const stored = await ctx.app.get(AttachmentsService).storeFromStream({
        tenantId: A.tenant.id,
        fileName: 'receipt.png',
        contentType: 'image/png',
        stream: Readable.from([PNG]),
      });
      const res = await reply(conversationId, 'image', { attachmentId: stored.id, caption: 'Your receipt' });
      expect(res.status).toBe(201);
      await waitForStatus(res.body.id, 'sent');
      const calls = graph.sendsTo(who.id);
      expect(calls.map((c) => c.json.message as unknown)).toEqual([
        {
          attachment: {
            type: 'image',
            payload: {
              url: expect.stringMatching(
                new RegExp(
                  `^https://desk\\.example\\.test/api/v1/attachments/${stored.id}/download\\?expires=\\d+&sig=`,
                ),
              ),
              is_reusable: false,
            },
          },
        },
        { text: 'Your receipt' },
      ]);
      const [primaryMid, captionMid] = calls.map((c) => c.answer.message_id as string);
      expect((await messageRow(res.body.id)).provider_message_id).toBe(primaryMid);
      const echoes = [
        messageEvent(main.account.id, who.id, {
          mid: primaryMid,
          is_echo: true,
          attachments: [
            { type: 'image', payload: { url: graph.addFile(`${primaryMid}.png`, 'image/png', PNG) } },
          ],
        }),
        messageEvent(main.account.id, who.id, { mid: captionMid, is_echo: true, text: 'Your receipt' }),
      ];
      expect(
        (await send(envelope([{ id: main.account.id, messaging: echoes }]), main.account.appSecret)).status,
      ).toBe(200);
      await settled();
      expect(
        (await messagesOf(main.inbox.id)).filter((m) => m.direction === 'out' && m.identifier === who.id),
      ).toHaveLength(1);
    });

    it('an agent reading the conversation marks it seen for the person (sender action mark_seen)', async () => {
      const { who, conversationId } = await inboundConversation();
      const res = await http(ctx.app, 'POST', `/api/v1/conversations/${conversationId}/read`, {
        token: A.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.unreadCount).toBe(0);
      const [seen] = await eventually(() => {
        const calls = graph.sendsTo(who.id);
        expect(calls).toHaveLength(1);
        return calls;
      });
      expect(seen!.path).toBe(`/${graph.version}/me/messages`);
      expect(seen!.headers.authorization).toBe(`Bearer ${main.account.accessToken}`);
      expect(seen!.json).toEqual({ recipient: { id: who.id }, sender_action: 'mark_seen' });
    });

    it("fails the message with Meta's reason when the Send API refuses it, without retrying", async () => {
      const { conversationId } = await inboundConversation();
      graph.failNextSend(400, {
        message: '(#100) No matching user found',
        type: 'OAuthException',
        code: 100,
        error_subcode: 2018001,
      });
      const before = graph.state.requests.length;
      const res = await reply(conversationId, 'text', { text: 'Are you there?' });
      await waitForStatus(res.body.id, 'failed');
      expect((await messageRow(res.body.id)).failure_reason).toBe('(#100) No matching user found');
      await new Promise((r) => setTimeout(r, 1_500));
      expect(graph.state.requests.slice(before).filter((r) => r.method === 'POST')).toHaveLength(1);
    });

    it('retries a rate-limited send (code 613) and then sends', async () => {
      const { who, conversationId } = await inboundConversation();
      graph.failNextSend(400, {
        message: '(#613) Calls to this api have exceeded the rate limit.',
        type: 'OAuthException',
        code: 613,
      });
      const res = await reply(conversationId, 'text', { text: 'Try again' });
      await waitForStatus(res.body.id, 'sent', 15_000);
      expect(graph.sendsTo(who.id)).toHaveLength(2);
    });

    it('POST /channels/:id/test asks the Graph API and explains a bad token, a wrong id and a wrong app secret', async () => {
      const name = `shop_${seq}`;
      const { inbox, account } = await connectAccount(A.token, { name });
      const test = () => http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: A.token });
      expect((await test()).body).toMatchObject({ ok: true, message: K.connected(name) });

      const patch = (body: Record<string, unknown>) =>
        http(ctx.app, 'PATCH', `/api/v1/channels/${inbox.id}`, { token: A.token, body });
      const tokenField = Object.keys(K.credentials('', ''))[0]!;

      expect(
        (await patch({ credentials: { [tokenField]: `EAAG${randomBytes(24).toString('hex')}` } })).status,
      ).toBe(200);
      let res = await test();
      expect(res.body.ok).toBe(false);
      expect(res.body.message).toMatch(/^The access token was rejected .*Invalid OAuth access token/);

      expect(
        (
          await patch({
            credentials: { [tokenField]: account.accessToken, appSecret: 'a-wrong-app-secret-1234' },
          })
        ).status,
      ).toBe(200);
      res = await test();
      expect(res.body).toMatchObject({
        ok: false,
        message: expect.stringMatching(/^The app secret does not belong/),
      });

      const otherId = graphId();
      expect(
        (await patch({ credentials: { appSecret: account.appSecret }, config: K.config(otherId) })).status,
      ).toBe(200);
      res = await test();
      expect(res.body.ok).toBe(false);
      expect(res.body.message).toContain(`${otherId} was not found, or the token has no access to it`);
    });

    it.runIf(K.type === 'messenger')(
      "subscribes the app to the Page's events on create, says so when Meta refuses, and unsubscribes on delete",
      async () => {
        // The main inbox's Page was subscribed when it was created, to the fields the details list.
        expect(graph.state.subscriptions.get(main.account.id)).toEqual(main.inbox.details.webhookFields);
        expect(main.inbox.details).toMatchObject({ pageSubscribed: true, pageSubscriptionError: null });
        const call = graph.state.requests.find(
          (r) => r.method === 'POST' && r.path.endsWith(`/${main.account.id}/subscribed_apps`),
        );
        expect(call?.json).toEqual({ subscribed_fields: main.inbox.details.webhookFields.join(',') });

        // A token that may not manage the Page: the inbox is still created, and says what to do.
        const refused = graph.addAccount({
          id: graphId(),
          kind: 'page',
          name: `limited_${seq}`,
          accessToken: `EAAG${randomBytes(24).toString('hex')}`,
          appSecret: randomBytes(16).toString('hex'),
          cannotManagePage: true,
        });
        const created = await http(ctx.app, 'POST', '/api/v1/channels', {
          token: A.token,
          body: {
            type: K.type,
            name: 'Limited page',
            config: K.config(refused.id),
            credentials: K.credentials(refused.accessToken, refused.appSecret),
          },
        });
        expect(created.status).toBe(201);
        expect(created.body.details.pageSubscribed).toBe(false);
        expect(created.body.details.pageSubscriptionError).toMatch(
          /not subscribed to the Page's events.*pages_manage_metadata/,
        );
        expect(graph.state.subscriptions.has(refused.id)).toBe(false);
        const shown = await http(ctx.app, 'GET', `/api/v1/channels/${created.body.id}`, { token: A.token });
        expect(shown.body.details.pageSubscribed).toBe(false);

        // Fixed at Meta, then saved again with the new token: subscribed.
        refused.cannotManagePage = false;
        const saved = await http(ctx.app, 'PATCH', `/api/v1/channels/${created.body.id}`, {
          token: A.token,
          body: { credentials: K.credentials(refused.accessToken, refused.appSecret) },
        });
        expect(saved.status).toBe(200);
        expect(saved.body.details).toMatchObject({ pageSubscribed: true, pageSubscriptionError: null });
        expect(graph.state.subscriptions.get(refused.id)).toEqual(saved.body.details.webhookFields);

        // Deleting the inbox unsubscribes the app from that Page.
        const deleted = await http(ctx.app, 'DELETE', `/api/v1/channels/${created.body.id}`, {
          token: A.token,
        });
        expect(deleted.status).toBe(200);
        expect(graph.state.subscriptions.has(refused.id)).toBe(false);
        expect(graph.state.subscriptions.has(main.account.id)).toBe(true);
      },
    );
  });
});
