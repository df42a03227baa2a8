import { sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { InboundWorkService } from '../../src/modules/channels/inbound-work.service.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { postMultipart } from '../support/multipart.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import {
  newAccountSid,
  newMessageSid,
  startFakeTwilio,
  twilioSignature,
  type FakeTwilio,
  type FakeTwilioAccount,
} from '../fakes/twilio-rest.js';

const PUBLIC_URL = 'https://desk.example.test';
/** Twilio reaches the API through a proxy that adds a host and a path prefix of its own. */
const TWILIO_BASE = 'https://sms.example.test/desk';
const WEBHOOK_PATH = '/api/v1/channels/twilio-sms/webhook';
const STATUS_PATH = '/api/v1/channels/twilio-sms/status';
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const NUMBER = '+14155550100';
const SERVICE = `MG${'4'.repeat(32)}`;

describe('twilio_sms channel', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let fake: FakeTwilio;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let inboxId: string;

  const acme: FakeTwilioAccount = {
    sid: newAccountSid(),
    authToken: 'acme-auth-token-0123456789abcdef',
    friendlyName: 'Acme Support',
    numbers: [{ phoneNumber: NUMBER }, { phoneNumber: '+14155550111', sms: false }],
    messagingServiceSids: [SERVICE],
  };
  const other: FakeTwilioAccount = {
    sid: newAccountSid(),
    authToken: 'other-auth-token-0123456789abcdef',
    friendlyName: 'Someone else',
    numbers: [{ phoneNumber: '+14155550177' }],
  };

  beforeAll(async () => {
    fake = await startFakeTwilio([acme, other]);
    ctx = await startTestApp({
      env: {
        PUBLIC_URL,
        TWILIO_WEBHOOK_BASE_URL: TWILIO_BASE,
        TWILIO_API_BASE_URL: fake.url,
        OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    worker = await startWorker(ctx.config);
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    inboxId = (await createInbox(NUMBER, acme.authToken, { messagingServiceSid: SERVICE })).body.id;
  });
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    await fake?.close();
  });

  function createInbox(phoneNumber: string, authToken: string, extra: Record<string, string> = {}) {
    return http(ctx.app, 'POST', '/api/v1/channels', {
      token: A.token,
      body: {
        type: 'twilio_sms',
        name: `SMS ${phoneNumber}`,
        config: { accountSid: acme.sid, phoneNumber, ...extra },
        credentials: { authToken },
      },
    });
  }

  /** An incoming SMS as Twilio posts it to the number's webhook. */
  function smsParams(from: string, body: string, overrides: Record<string, string> = {}) {
    const messageSid = newMessageSid();
    return {
      ToCountry: 'US',
      ToState: 'CA',
      SmsMessageSid: messageSid,
      NumMedia: '0',
      ToCity: 'SAN FRANCISCO',
      FromZip: '94105',
      SmsSid: messageSid,
      FromState: 'CA',
      SmsStatus: 'received',
      FromCity: 'SAN FRANCISCO',
      Body: body,
      FromCountry: 'US',
      To: NUMBER,
      ToZip: '94105',
      NumSegments: '1',
      MessageSid: messageSid,
      AccountSid: acme.sid,
      From: from,
      ApiVersion: '2010-04-01',
      ...overrides,
    };
  }

  /** POSTs form fields to one of the Twilio routes, signed as Twilio signs them (for `signUrl`, by default the public URL). */
  function twilioPost(
    path: string,
    params: Record<string, string>,
    opts: { authToken?: string; signUrl?: string; signature?: string | null } = {},
  ) {
    const signature =
      opts.signature === undefined
        ? twilioSignature(opts.authToken ?? acme.authToken, opts.signUrl ?? `${TWILIO_BASE}${path}`, params)
        : opts.signature;
    return http(ctx.app, 'POST', path, {
      body: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === null ? {} : { 'x-twilio-signature': signature }),
      },
    });
  }

  const settled = () => ctx.app.get(InboundWorkService).idle();
  const messagesWithSid = async (sid: string) =>
    (
      await ctx.database.unsafe.execute<Record<string, any>>(
        sql`select * from messages where provider_message_id like ${`${sid}%`} order by provider_message_id`,
      )
    ).rows;
  const messageRow = async (id: string) =>
    (await ctx.database.unsafe.execute<Record<string, any>>(sql`select * from messages where id = ${id}`))
      .rows[0]!;
  const waitForStatus = (id: string, status: string, timeout = 10_000) =>
    expect.poll(async () => (await messageRow(id)).status as string, { timeout, interval: 50 }).toBe(status);

  function listen<K extends keyof DomainEventMap>(events: DomainEvents, name: K) {
    const seen: DomainEventMap[K][] = [];
    const off = events.on(name, (p) => void seen.push(p));
    return { seen, off };
  }

  /** A conversation started by an incoming SMS from `from`; returns its id. */
  async function conversationWith(from: string): Promise<string> {
    const params = smsParams(from, 'Hi, I need help');
    expect((await twilioPost(WEBHOOK_PATH, params)).status).toBe(200);
    const [row] = await eventually(async () => {
      const rows = await messagesWithSid(params.MessageSid);
      expect(rows).toHaveLength(1);
      return rows;
    });
    return row!.conversation_id as string;
  }

  const sendReply = (conversationId: string, type: string, content: Record<string, unknown>) =>
    http(ctx.app, 'POST', '/api/v1/messages', { token: A.token, body: { conversationId, type, content } });

  describe('inbox administration', () => {
    it('creates an inbox routed by its number, the auth token masked, the webhook URL on TWILIO_WEBHOOK_BASE_URL', async () => {
      const res = await http(ctx.app, 'GET', `/api/v1/channels/${inboxId}`, { token: A.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        type: 'twilio_sms',
        config: { accountSid: acme.sid, phoneNumber: NUMBER, messagingServiceSid: SERVICE },
        credentials: { authToken: `********${acme.authToken.slice(-4)}` },
        webhookUrl: `${TWILIO_BASE}${WEBHOOK_PATH}`,
      });
      expect(JSON.stringify(res.body)).not.toContain(acme.authToken);
      const row = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select external_id, credentials from channels where id = ${inboxId}`,
        )
      ).rows[0]!;
      expect(row.external_id).toBe(NUMBER);
      expect(row.credentials).not.toContain(acme.authToken);
    });

    it('test: connected, with the account name, asking Twilio with the inbox credentials', async () => {
      const before = fake.state.requests.length;
      const res = await http(ctx.app, 'POST', `/api/v1/channels/${inboxId}/test`, { token: A.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ok: true, message: `Connected: ${NUMBER} on account Acme Support` });
      const calls = fake.state.requests.slice(before);
      expect(calls.map((r) => [r.method, r.path, r.authenticatedAs, r.status])).toEqual([
        ['GET', `/2010-04-01/Accounts/${acme.sid}.json`, acme.sid, 200],
        ['GET', `/2010-04-01/Accounts/${acme.sid}/IncomingPhoneNumbers.json`, acme.sid, 200],
      ]);
      expect(calls[1]!.query.get('PhoneNumber')).toBe(NUMBER);
    });

    it('test: says plainly when the token is wrong, the number is not on the account, or cannot do SMS', async () => {
      const cases = [
        ['+14155550122', 'wrong-auth-token-0123456789abcdef', 'Twilio rejected the Account SID / Auth Token'],
        ['+14155550199', acme.authToken, 'The number +14155550199 is not on this Twilio account'],
        ['+14155550111', acme.authToken, 'The number +14155550111 cannot send or receive SMS'],
      ] as const;
      for (const [number, token, message] of cases) {
        const created = await createInbox(number, token);
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const res = await http(ctx.app, 'POST', `/api/v1/channels/${created.body.id}/test`, {
          token: A.token,
        });
        expect(res.body, number).toEqual({ ok: false, message });
      }
      expect(fake.state.requests.some((r) => r.status === 401)).toBe(true);
    });
  });

  describe('incoming messages', () => {
    it('our signature recipe matches the twilio library', () => {
      const params = smsParams('+14155559000', 'Ünïcode & spaces + symbols = ok?');
      const url = `${TWILIO_BASE}${WEBHOOK_PATH}?x=1`;
      expect(twilioSignature(acme.authToken, url, params)).toBe(
        twilio.getExpectedTwilioSignature(acme.authToken, url, params),
      );
    });

    it('stores a signed SMS after answering empty TwiML, and publishes message.created', async () => {
      const created = listen(ctx.app.get(DomainEvents), 'message.created');
      const params = smsParams('+14155559001', 'Hello, is my order shipped?');
      const res = await twilioPost(WEBHOOK_PATH, params);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/xml/);
      expect(res.body).toBe(EMPTY_TWIML);

      const [row] = await eventually(async () => {
        const rows = await messagesWithSid(params.MessageSid);
        expect(rows).toHaveLength(1);
        return rows;
      });
      expect(row).toMatchObject({
        channel_id: inboxId,
        direction: 'in',
        type: 'text',
        content: { text: 'Hello, is my order shipped?' },
        provider_message_id: params.MessageSid,
      });
      const listed = await http(ctx.app, 'GET', `/api/v1/conversations/${row!.conversation_id}/messages`, {
        token: A.token,
      });
      expect((listed.body.items as { content: { text: string } }[]).map((m) => m.content.text)).toEqual([
        'Hello, is my order shipped?',
      ]);
      const conversation = await http(ctx.app, 'GET', `/api/v1/conversations/${row!.conversation_id}`, {
        token: A.token,
      });
      const contact = await http(ctx.app, 'GET', `/api/v1/contacts/${conversation.body.contactId}`, {
        token: A.token,
      });
      expect(contact.body).toMatchObject({
        phone: '+14155559001',
        identities: [{ channelType: 'twilio_sms', identifier: '+14155559001' }],
      });
      await expect
        .poll(() => created.seen.filter((e) => e.message.providerMessageId === params.MessageSid).length)
        .toBe(1);
      expect(created.seen.find((e) => e.message.providerMessageId === params.MessageSid)!.tenantId).toBe(
        A.tenant.id,
      );
      created.off();
    });

    it('refuses a missing, wrong or foreign signature with 403 and stores nothing', async () => {
      const base = smsParams('+14155559002', 'let me in');
      const cases: [string, Record<string, string>, Parameters<typeof twilioPost>[2]][] = [
        ['no signature', base, { signature: null }],
        ['garbage signature', base, { signature: 'bm90IGEgc2lnbmF0dXJl' }],
        ['signed with another auth token', base, { authToken: other.authToken }],
        [
          'body changed after signing',
          base,
          {
            signature: twilioSignature(acme.authToken, `${TWILIO_BASE}${WEBHOOK_PATH}`, {
              ...base,
              Body: 'original',
            }),
          },
        ],
        ['another account', { ...base, AccountSid: other.sid }, {}],
        ['a number no inbox has', { ...base, To: '+14155550177' }, { authToken: other.authToken }],
      ];
      for (const [name, params, opts] of cases) {
        const res = await twilioPost(WEBHOOK_PATH, params, opts);
        expect(res.status, `${name} ${JSON.stringify(res.body)}`).toBe(403);
        expect(res.body.message, name).toBe('Missing or invalid X-Twilio-Signature');
      }
      const garbage = await http(ctx.app, 'POST', WEBHOOK_PATH, {
        body: '%%%&&&=',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' },
      });
      expect(garbage.status).toBe(403);
      await settled();
      expect(await messagesWithSid(base.MessageSid)).toHaveLength(0);
    });

    it('stores a redelivered message once', async () => {
      const params = smsParams('+14155559003', 'only once please');
      for (let i = 0; i < 3; i++) expect((await twilioPost(WEBHOOK_PATH, params)).status).toBe(200);
      await settled();
      expect(await messagesWithSid(params.MessageSid)).toHaveLength(1);
    });

    it('stores every media of an MMS, fetched with the account credentials, the Body as first caption', async () => {
      const messageSid = newMessageSid(true);
      const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7)]);
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
      const params = smsParams('+14155559004', 'Here are the photo and the invoice', {
        MessageSid: messageSid,
        SmsMessageSid: messageSid,
        SmsSid: messageSid,
        NumMedia: '2',
        MediaUrl0: fake.addMedia(acme.sid, messageSid, 'image/jpeg', photo),
        MediaContentType0: 'image/jpeg',
        MediaUrl1: fake.addMedia(acme.sid, messageSid, 'application/pdf', pdf),
        MediaContentType1: 'application/pdf',
      });
      const before = fake.state.requests.length;
      expect((await twilioPost(WEBHOOK_PATH, params)).status).toBe(200);
      const rows = await eventually(async () => {
        const found = await messagesWithSid(messageSid);
        expect(found).toHaveLength(2);
        return found;
      });
      expect(rows.map((r) => [r.provider_message_id as string, r.type as string])).toEqual([
        [messageSid, 'image'],
        [`${messageSid}:1`, 'document'],
      ]);
      expect(rows[0]!.content).toMatchObject({
        caption: 'Here are the photo and the invoice',
        mimeType: 'image/jpeg',
      });
      expect(rows[1]!.content.caption).toBeUndefined();
      for (const [row, bytes] of [
        [rows[0]!, photo],
        [rows[1]!, pdf],
      ] as const) {
        const attachment = (
          await ctx.database.unsafe.execute<Record<string, any>>(
            sql`select * from attachments where id = ${row.content.attachmentId}`,
          )
        ).rows[0]!;
        expect(attachment.tenant_id).toBe(A.tenant.id);
        expect(attachment.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      }
      const mediaCalls = fake.state.requests.slice(before).filter((r) => r.path.includes('/Media/'));
      expect(mediaCalls).toHaveLength(2);
      expect(mediaCalls.every((r) => r.authenticatedAs === acme.sid && r.status === 307)).toBe(true);

      // Redelivered: nothing new.
      expect((await twilioPost(WEBHOOK_PATH, params)).status).toBe(200);
      await settled();
      expect(await messagesWithSid(messageSid)).toHaveLength(2);
    });

    it('checks the signature against TWILIO_WEBHOOK_BASE_URL, not the address the app is reached at', async () => {
      await ctx.app.listen(0, '127.0.0.1');
      const { port } = ctx.app.getHttpServer().address() as AddressInfo;
      const direct = `http://127.0.0.1:${port}${WEBHOOK_PATH}`;
      const post = (params: Record<string, string>, signUrl: string) =>
        fetch(direct, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': twilioSignature(acme.authToken, signUrl, params),
          },
          body: new URLSearchParams(params).toString(),
        });

      const forLoopback = smsParams('+14155559005', 'signed for loopback');
      expect((await post(forLoopback, direct)).status).toBe(403);
      const forPublic = smsParams('+14155559005', 'signed for the public URL');
      const res = await post(forPublic, `${TWILIO_BASE}${WEBHOOK_PATH}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(EMPTY_TWIML);
      await settled();
      expect(await messagesWithSid(forLoopback.MessageSid)).toHaveLength(0);
      expect(await messagesWithSid(forPublic.MessageSid)).toHaveLength(1);
    });

    it('answers a signed request with nothing to store and skips it', async () => {
      const params = smsParams('+14155559006', '   ', { MessageSid: '', SmsSid: '', SmsMessageSid: '' });
      expect((await twilioPost(WEBHOOK_PATH, params)).status).toBe(200);
      await settled();
      const count = (
        await ctx.database.unsafe.execute<{ n: number }>(
          sql`select count(*)::int as n from contacts where phone = '+14155559006'`,
        )
      ).rows[0]!.n;
      expect(count).toBe(0);
    });
  });

  describe('outgoing messages', () => {
    it('sends a reply through Messages.json exactly as Twilio expects, and keeps the message SID', async () => {
      const conversationId = await conversationWith('+14155559101');
      const res = await sendReply(conversationId, 'text', { text: 'Yes, it shipped today 📦' });
      expect(res.status).toBe(201);
      await waitForStatus(res.body.id, 'sent');
      const sent = fake.sentBy(acme.sid).filter((m) => m.form.get('To') === '+14155559101');
      expect(sent).toHaveLength(1);
      expect([...sent[0]!.form.entries()].sort()).toEqual(
        [
          ['Body', 'Yes, it shipped today 📦'],
          ['From', NUMBER],
          ['MessagingServiceSid', SERVICE],
          ['StatusCallback', `${TWILIO_BASE}${STATUS_PATH}?inbox=${inboxId}`],
          ['To', '+14155559101'],
        ].sort(),
      );
      const post = fake.state.requests.find((r) => r.form?.get('To') === '+14155559101')!;
      expect(post).toMatchObject({
        method: 'POST',
        path: `/2010-04-01/Accounts/${acme.sid}/Messages.json`,
        authenticatedAs: acme.sid,
        status: 201,
      });
      expect(post.contentType).toMatch(/^application\/x-www-form-urlencoded/);
      expect((await messageRow(res.body.id)).provider_message_id).toBe(sent[0]!.sid);
    });

    it('sends a stored file as a signed link Twilio can fetch, and a media URL as given', async () => {
      const conversationId = await conversationWith('+14155559102');
      const upload = await postMultipart(
        ctx.app,
        '/api/v1/attachments',
        [
          {
            kind: 'file',
            name: 'file',
            fileName: 'map.png',
            contentType: 'image/png',
            data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]),
          },
        ],
        { token: A.token },
      );
      expect(upload.status).toBe(201);
      const stored = await sendReply(conversationId, 'image', {
        attachmentId: upload.body.id,
        caption: 'Our store',
      });
      const linked = await sendReply(conversationId, 'document', {
        url: 'https://files.example.test/terms.pdf',
      });
      await waitForStatus(stored.body.id, 'sent');
      await waitForStatus(linked.body.id, 'sent');
      const sent = fake.sentBy(acme.sid).filter((m) => m.form.get('To') === '+14155559102');
      expect(sent).toHaveLength(2);
      const first = sent.find((m) => m.form.get('Body') === 'Our store')!;
      const link = new URL(first.form.getAll('MediaUrl')[0]!);
      expect(`${link.origin}${link.pathname}`).toBe(
        `${PUBLIC_URL}/api/v1/attachments/${upload.body.id}/download`,
      );
      // Valid long enough for a message that waits in Twilio's queue.
      expect(Number(link.searchParams.get('expires'))).toBeGreaterThan(Date.now() / 1000 + 10 * 3600);
      const second = sent.find((m) => !m.form.has('Body'))!;
      expect(second.form.getAll('MediaUrl')).toEqual(['https://files.example.test/terms.pdf']);
      expect(second.sid).toMatch(/^MM/);
    });

    it("fails the message with Twilio's code and message when Twilio refuses it, without retrying", async () => {
      const conversationId = await conversationWith('+14155559103');
      fake.state.optedOut.add('+14155559103');
      const res = await sendReply(conversationId, 'text', { text: 'Are you there?' });
      await waitForStatus(res.body.id, 'failed');
      expect((await messageRow(res.body.id)).failure_reason).toBe(
        '21610: Attempt to send to unsubscribed recipient',
      );
      expect(fake.state.requests.filter((r) => r.form?.get('To') === '+14155559103')).toHaveLength(1);
    });

    it('retries when Twilio is down or rate-limits, then sends', async () => {
      const conversationId = await conversationWith('+14155559104');
      fake.state.failures.push(
        { status: 503, code: 20503, message: 'Service Unavailable' },
        { status: 429, code: 20429, message: 'Too Many Requests' },
      );
      const res = await sendReply(conversationId, 'text', { text: 'third time lucky' });
      await waitForStatus(res.body.id, 'sent', 20_000);
      const posts = fake.state.requests.filter((r) => r.form?.get('To') === '+14155559104');
      expect(posts.map((r) => r.status)).toEqual([503, 429, 201]);
    }, 30_000);

    it('fails a text over 1600 characters with a plain reason, without calling Twilio', async () => {
      const conversationId = await conversationWith('+14155559105');
      const res = await sendReply(conversationId, 'text', { text: 'x'.repeat(1601) });
      await waitForStatus(res.body.id, 'failed');
      expect((await messageRow(res.body.id)).failure_reason).toBe(
        'The text is 1601 characters long; an SMS through Twilio can have at most 1600',
      );
      expect(fake.state.requests.filter((r) => r.form?.get('To') === '+14155559105')).toHaveLength(0);
    });
  });

  describe('delivery reports', () => {
    /** A reply sent to a fresh contact; returns its message id and Twilio SID. */
    async function sentReply(to: string) {
      const conversationId = await conversationWith(to);
      const res = await sendReply(conversationId, 'text', { text: 'Your order is on its way' });
      await waitForStatus(res.body.id, 'sent');
      return {
        id: res.body.id as string,
        sid: (await messageRow(res.body.id)).provider_message_id as string,
      };
    }
    const statusPath = (inbox = inboxId) => `${STATUS_PATH}?inbox=${inbox}`;
    const report = (sid: string, to: string, status: string, extra: Record<string, string> = {}) => ({
      SmsSid: sid,
      SmsStatus: status,
      MessageStatus: status,
      To: to,
      MessagingServiceSid: SERVICE,
      MessageSid: sid,
      AccountSid: acme.sid,
      From: NUMBER,
      ApiVersion: '2010-04-01',
      ...extra,
    });

    it('moves the message to delivered, then read, and publishes message.status', async () => {
      const { id, sid } = await sentReply('+14155559201');
      const statuses = listen(ctx.app.get(DomainEvents), 'message.status');
      for (const status of ['sent', 'delivered']) {
        const res = await twilioPost(statusPath(), report(sid, '+14155559201', status));
        expect(res.status).toBe(200);
        expect(res.body).toBe(EMPTY_TWIML);
      }
      await waitForStatus(id, 'delivered');
      await twilioPost(statusPath(), report(sid, '+14155559201', 'read'));
      await waitForStatus(id, 'read');
      await expect
        .poll(() => statuses.seen.filter((e) => e.message.id === id).map((e) => e.message.status))
        .toEqual(['delivered', 'read']);
      statuses.off();
    });

    it('applies a report that arrives before the worker stored the SID, once the SID is there', async () => {
      const { id, sid } = await sentReply('+14155559204');
      // As if Twilio's callback overtook the send's own answer: the row does not carry its SID yet.
      await ctx.database.unsafe.execute(sql`update messages set provider_message_id = null where id = ${id}`);
      const res = await twilioPost(statusPath(), report(sid, '+14155559204', 'delivered'));
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect((await messageRow(id)).status).toBe('sent');
      await ctx.database.unsafe.execute(
        sql`update messages set provider_message_id = ${sid} where id = ${id}`,
      );
      await waitForStatus(id, 'delivered');
    });

    it('fails an undelivered message with the error code explained', async () => {
      const { id, sid } = await sentReply('+14155559202');
      await twilioPost(statusPath(), report(sid, '+14155559202', 'undelivered', { ErrorCode: '30003' }));
      await waitForStatus(id, 'failed');
      expect((await messageRow(id)).failure_reason).toBe(
        'Error 30003: the phone is unreachable (switched off or out of coverage)',
      );
    });

    it('refuses a report with a bad signature, or signed without the inbox in the URL, and changes nothing', async () => {
      const { id, sid } = await sentReply('+14155559203');
      const params = report(sid, '+14155559203', 'failed', { ErrorCode: '30005' });
      const refused = [
        await twilioPost(statusPath(), params, { authToken: other.authToken }),
        await twilioPost(statusPath(), params, { signUrl: `${TWILIO_BASE}${STATUS_PATH}` }),
        await twilioPost(statusPath(), params, { signature: null }),
        await twilioPost(statusPath('00000000-0000-4000-8000-000000000000'), params),
      ];
      expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403]);
      expect((await twilioPost(STATUS_PATH, params)).status).toBe(400);
      await settled();
      expect((await messageRow(id)).status).toBe('sent');
    });
  });
});
