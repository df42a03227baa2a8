import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { bullPrefix, createBullConnection } from '../../src/common/queue/bullmq-connection.js';
import { OUTBOUND_QUEUE } from '../../src/common/queue/queue.constants.js';
import { OutboundRecoveryWorker } from '../../src/modules/messages/outbound-recovery.worker.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { startFakeTelegram, type FakeBot, type FakeTelegram } from '../fakes/telegram-bot-api.js';
import {
  INBOUND_JOURNAL_KEY,
  INBOUND_RETRY_WINDOW_MS,
  InboundWorkService,
  type InboundJournalEntry,
} from '../../src/modules/channels/inbound-work.service.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { getRaw, postMultipart } from '../support/multipart.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const PUBLIC_URL = 'https://desk.example.test';
const BAD_TOKEN = 'The bot token was rejected by Telegram (revoked or mistyped)';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.alloc(64, 3),
]);

/** The columns of `messages` these tests read. */
interface MessageRow {
  id: string;
  conversation_id: string;
  direction: string;
  type: string;
  status: string;
  content: Record<string, any>;
  provider_message_id: string | null;
  failure_reason: string | null;
  parts_sent: number;
}

describe('telegram channel', () => {
  let ctx: TestContext;
  let telegram: FakeTelegram;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;

  beforeAll(async () => {
    telegram = await startFakeTelegram();
    ctx = await startTestApp({
      env: {
        PUBLIC_URL,
        TELEGRAM_API_BASE_URL: telegram.url,
        OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
      },
    });
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  });
  afterAll(async () => {
    await ctx?.close();
    await telegram?.close();
  });

  const rows = async <T = Record<string, any>>(query: ReturnType<typeof sql>) =>
    (await ctx.database.unsafe.execute<T & Record<string, unknown>>(query)).rows;
  const messagesOf = (channelId: string) =>
    rows<MessageRow>(sql`select * from messages where channel_id = ${channelId} order by created_at, id`);
  const channelRow = async (id: string) => (await rows(sql`select * from channels where id = ${id}`))[0];

  function createInbox(bot: FakeBot, token = A.token) {
    return http(ctx.app, 'POST', '/api/v1/channels', {
      token,
      body: { type: 'telegram', name: `Telegram ${bot.username}`, credentials: { botToken: bot.token } },
    });
  }

  /** A bot connected to a new inbox of tenant A. */
  async function connectedBot(username?: string) {
    const bot = telegram.addBot(username);
    const res = await createInbox(bot);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { bot, inbox: res.body as { id: string; webhookUrl: string } };
  }

  /** POSTs an update the way Telegram does: to the registered URL, with the registered secret_token. */
  function deliver(bot: FakeBot, update: unknown, secret: string | null = bot.webhook!.secretToken!) {
    return http(ctx.app, 'POST', new URL(bot.webhook!.url).pathname, {
      body: update,
      headers: secret === null ? {} : { [SECRET_HEADER]: secret },
    });
  }

  let updateId = 100_000;
  let messageId = 1;
  /** An Update with a message in a private chat, as the Bot API sends it. */
  function update(chatId: number, fields: Record<string, unknown>, who = { first: 'Ada', last: 'Lovelace' }) {
    const user = { first_name: who.first, last_name: who.last, username: `${who.first.toLowerCase()}_tg` };
    return {
      update_id: updateId++,
      message: {
        message_id: messageId++,
        from: { id: chatId, is_bot: false, ...user, language_code: 'en' },
        chat: { id: chatId, ...user, type: 'private' },
        date: 1_760_000_000,
        ...fields,
      },
    };
  }
  const newChatId = () => 100_000_000 + Math.floor(Math.random() * 900_000_000);

  function listen<K extends keyof DomainEventMap>(events: DomainEvents, name: K) {
    const seen: DomainEventMap[K][] = [];
    const off = events.on(name, (p) => void seen.push(p));
    return { seen, off };
  }

  describe('inbox administration', () => {
    it('connects a bot: getMe, then setWebhook with the inbox URL, a secret_token and the update types', async () => {
      const bot = telegram.addBot('acme_support_bot');
      const res = await createInbox(bot);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const { id, webhookUrl } = res.body;

      expect(webhookUrl).toMatch(
        new RegExp(`^${PUBLIC_URL}/api/v1/channels/telegram/[A-Za-z0-9_-]{32}/webhook$`),
      );
      expect(res.body).toMatchObject({
        type: 'telegram',
        details: { botUsername: 'acme_support_bot', botLink: 'https://t.me/acme_support_bot' },
        credentials: { botToken: `********${bot.token.slice(-4)}` },
      });
      expect(JSON.stringify(res.body)).not.toContain(bot.token);

      expect(telegram.callsTo(bot, 'getMe')).toHaveLength(1);
      const [setWebhook] = telegram.callsTo(bot, 'setWebhook');
      expect(setWebhook!.contentType).toBe('application/json');
      expect(setWebhook!.params).toEqual({
        url: webhookUrl,
        secret_token: expect.stringMatching(new RegExp(`^${bot.id}_[A-Za-z0-9_-]{43}$`)),
        allowed_updates: ['message', 'edited_message'],
        drop_pending_updates: false,
      });
      expect(bot.webhook?.url).toBe(webhookUrl);

      // Routed by the bot id and by the hash of the path token; the secrets are sealed.
      const row = (await channelRow(id))!;
      const pathToken = webhookUrl.split('/').at(-2)!;
      expect(row.external_id).toBe(String(bot.id));
      expect(row.webhook_token_hash).toBe(createHash('sha256').update(pathToken).digest('hex'));
      expect(row.state).toMatchObject({ botUsername: 'acme_support_bot', botId: String(bot.id) });
      expect(row.credentials).not.toContain(bot.token);

      const shown = await http(ctx.app, 'GET', `/api/v1/channels/${id}`, { token: A.token });
      expect(shown.body).toMatchObject({ webhookUrl, details: { botUsername: 'acme_support_bot' } });
    });

    it('refuses a token Telegram rejects with 422 and a plain message, and keeps nothing', async () => {
      const bot = telegram.addBot();
      telegram.revoke(bot);
      const before = await rows(sql`select id from channels where tenant_id = ${A.tenant.id}`);
      const res = await createInbox(bot);
      expect(res.status).toBe(422);
      expect(res.body.message).toBe(BAD_TOKEN);
      expect(await rows(sql`select id from channels where tenant_id = ${A.tenant.id}`)).toHaveLength(
        before.length,
      );
    });

    it("passes on Telegram's refusal of the webhook with 422, and keeps nothing", async () => {
      const bot = telegram.addBot();
      telegram.failNext(
        'setWebhook',
        400,
        'Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443',
      );
      const res = await createInbox(bot);
      expect(res.status).toBe(422);
      expect(res.body.message).toBe(
        'Telegram refused the webhook URL: Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443',
      );
      expect(await rows(sql`select id from channels where external_id = ${String(bot.id)}`)).toHaveLength(0);
    });

    it('connects one bot to one inbox only, across workspaces', async () => {
      const { bot } = await connectedBot();
      const B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      for (const token of [A.token, B.token]) {
        const res = await createInbox(bot, token);
        expect(res.status).toBe(409);
      }
    });

    it('test: "Connected as @bot", a webhook pointing elsewhere, a revoked token', async () => {
      const { bot, inbox } = await connectedBot('helpdesk_test_bot');
      const test = () => http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: A.token });

      const good = await test();
      expect(good.status).toBe(200);
      expect(good.body).toMatchObject({ ok: true, message: 'Connected as @helpdesk_test_bot' });

      bot.webhook = { url: 'https://other.example/hooks/s3cr3t-path' };
      const elsewhere = await test();
      expect(elsewhere.body.ok).toBe(false);
      expect(elsewhere.body.message).toContain('The webhook points elsewhere: https://other.example/…');
      expect(elsewhere.body.message).not.toContain('s3cr3t');

      telegram.revoke(bot);
      const revoked = await test();
      expect(revoked.body).toEqual({ ok: false, message: BAD_TOKEN });
    });

    it("a new bot token re-runs connect, and the old bot's deliveries stop being accepted", async () => {
      const { bot: oldBot, inbox } = await connectedBot();
      const oldHook = { ...oldBot.webhook! };
      const newBot = telegram.addBot('replacement_bot');
      const res = await http(ctx.app, 'PATCH', `/api/v1/channels/${inbox.id}`, {
        token: A.token,
        body: { credentials: { botToken: newBot.token } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({
        webhookUrl: inbox.webhookUrl,
        details: { botUsername: 'replacement_bot' },
      });
      expect(newBot.webhook?.url).toBe(inbox.webhookUrl);
      expect((await channelRow(inbox.id))!.external_id).toBe(String(newBot.id));

      // Telegram still has the old bot pointed here with its old secret_token.
      const chatId = newChatId();
      const stale = await http(ctx.app, 'POST', new URL(oldHook.url).pathname, {
        body: update(chatId, { text: 'to the old bot' }),
        headers: { [SECRET_HEADER]: oldHook.secretToken! },
      });
      expect(stale.status).toBe(401);
      expect((await deliver(newBot, update(chatId, { text: 'to the new bot' }))).status).toBe(200);
      await eventually(async () => expect(await messagesOf(inbox.id)).toHaveLength(1));
    });

    it('documents the webhook route as public, with its path token', async () => {
      const doc = await http(ctx.app, 'GET', '/api/docs-json');
      const op = doc.body.paths['/api/v1/channels/telegram/{token}/webhook']?.post;
      expect(op).toMatchObject({ security: [], parameters: [{ name: 'token', in: 'path' }] });
    });

    it('deleting the inbox deletes the webhook at Telegram', async () => {
      const { bot, inbox } = await connectedBot();
      const res = await http(ctx.app, 'DELETE', `/api/v1/channels/${inbox.id}`, { token: A.token });
      expect(res.status).toBe(200);
      expect(telegram.callsTo(bot, 'deleteWebhook')).toHaveLength(1);
      expect(bot.webhook).toBeNull();
    });
  });

  describe('inbound', () => {
    let bot: FakeBot;
    let inbox: { id: string; webhookUrl: string };
    beforeAll(async () => ({ bot, inbox } = await connectedBot('inbound_bot')));

    it('stores a text message from a verified delivery and publishes message.created', async () => {
      const created = listen(ctx.app.get(DomainEvents), 'message.created');
      const chatId = newChatId();
      const u = update(chatId, { text: 'Hello, is my order shipped?' });
      const res = await deliver(bot, u);
      expect(res.status).toBe(200);
      expect(res.body).toBeFalsy();

      const [stored] = await eventually(async () => {
        const found = await messagesOf(inbox.id);
        expect(found).toHaveLength(1);
        return found;
      });
      expect(stored).toMatchObject({
        direction: 'in',
        type: 'text',
        content: { text: 'Hello, is my order shipped?' },
        provider_message_id: `${chatId}:${u.message.message_id}`,
      });
      const [contact] = await rows(sql`
        select c.name, ci.identifier from contacts c
        join contact_identities ci on ci.contact_id = c.id
        where ci.channel_type = 'telegram' and ci.identifier = ${String(chatId)}`);
      expect(contact).toEqual({ name: 'Ada Lovelace', identifier: String(chatId) });
      await eventually(() =>
        expect(created.seen.map((e) => e.message.id)).toContain((stored as { id: string }).id),
      );
      created.off();

      const conv = await http(ctx.app, 'GET', `/api/v1/conversations/${stored!.conversation_id}/messages`, {
        token: A.token,
      });
      expect(conv.status).toBe(200);
      expect(JSON.stringify(conv.body)).toContain('Hello, is my order shipped?');
    });

    it('a wrong or missing secret header, or an unknown path, answers 401 and stores nothing', async () => {
      const before = (await messagesOf(inbox.id)).length;
      const failuresBefore = Number((await ctx.redis.get('rl:badwebhook:127.0.0.1')) ?? 0);
      const u = update(newChatId(), { text: 'let me in' });
      const good = bot.webhook!.secretToken!;
      const path = new URL(bot.webhook!.url).pathname;
      const attempts = [
        await deliver(bot, u, `${good.slice(0, -1)}x`),
        await deliver(bot, u, null),
        await deliver(bot, u, good.split('_')[1]),
        await http(ctx.app, 'POST', path.replace(/telegram\/[^/]+\//, 'telegram/not-a-known-token/'), {
          body: u,
          headers: { [SECRET_HEADER]: good },
        }),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(401);
        expect(res.body.message).toBe('Missing or invalid X-Telegram-Bot-Api-Secret-Token');
      }
      expect(Number(await ctx.redis.get('rl:badwebhook:127.0.0.1'))).toBe(failuresBefore + 4);
      await new Promise((r) => setTimeout(r, 200));
      expect(await messagesOf(inbox.id)).toHaveLength(before);
    });

    it('a repeated delivery of one update is stored once', async () => {
      const before = (await messagesOf(inbox.id)).length;
      const u = update(newChatId(), { text: 'sent twice by Telegram' });
      expect((await deliver(bot, u)).status).toBe(200);
      expect((await deliver(bot, u)).status).toBe(200);
      await eventually(async () => expect(await messagesOf(inbox.id)).toHaveLength(before + 1));
      await new Promise((r) => setTimeout(r, 300));
      const found = await messagesOf(inbox.id);
      expect(found.filter((m) => m.content.text === 'sent twice by Telegram')).toHaveLength(1);
    });

    describe('storing after the answer', () => {
      /**
       * Postgres itself fails the insert of the message whose text is `text`, `times` times, with SQLSTATE `code`
       * (a BEFORE INSERT trigger; the count lives in a sequence, which a rolled-back transaction does not undo).
       */
      async function failInserts(text: string, times: number, code: string) {
        const seq = `test_fail_${Math.random().toString(36).slice(2, 8)}`;
        await ctx.database.unsafe.execute(sql.raw(`create sequence ${seq}`));
        await ctx.database.unsafe.execute(
          sql.raw(`
          create or replace function ${seq}_fn() returns trigger language plpgsql security definer as $fn$
          begin
            if new.content->>'text' = ${pgLiteral(text)} and nextval('${seq}') <= ${times} then
              raise exception 'injected failure' using errcode = '${code}';
            end if;
            return new;
          end $fn$`),
        );
        await ctx.database.unsafe.execute(
          sql.raw(
            `create trigger ${seq} before insert on messages for each row execute function ${seq}_fn()`,
          ),
        );
        return async () => {
          await ctx.database.unsafe.execute(sql.raw(`drop trigger ${seq} on messages`));
          await ctx.database.unsafe.execute(sql.raw(`drop function ${seq}_fn(); drop sequence ${seq}`));
        };
      }
      const pgLiteral = (v: string) => `'${v.replace(/'/g, "''")}'`;

      it('a transient failure (a serialization failure, twice) is tried again and the update stored once', async () => {
        const text = 'stored on the third try';
        const restore = await failInserts(text, 2, '40001');
        try {
          const res = await deliver(bot, update(newChatId(), { text }));
          // Telegram has its answer and will not send the update again: storing it is up to us now.
          expect(res.status).toBe(200);
          await ctx.app.get(InboundWorkService).idle();
        } finally {
          await restore();
        }
        const texts = (await messagesOf(inbox.id)).map((m) => String(m.content.text));
        expect(texts.filter((t) => t === text)).toHaveLength(1);
      });

      /** This app's journal of accepted, not yet stored deliveries (InboundWorkService), by entry id. */
      const journal = async (app = ctx) =>
        Object.fromEntries(
          Object.entries(await app.redis.hgetall(INBOUND_JOURNAL_KEY)).map(([id, raw]) => [
            id,
            JSON.parse(raw) as InboundJournalEntry,
          ]),
        );

      it('every accepted update is journaled before the answer and leaves the journal once stored', async () => {
        const text = 'journaled then stored';
        const work = ctx.app.get(InboundWorkService);
        // Held: the update is answered, journaled, and not stored yet.
        const restore = await failInserts(text, 1, '40001');
        try {
          const res = await deliver(bot, update(newChatId(), { text }));
          expect(res.status).toBe(200);
          const entries = Object.values(await journal());
          expect(entries).toContainEqual(
            expect.objectContaining({
              kind: 'telegram.update',
              channelId: inbox.id,
              data: expect.objectContaining({ message: expect.objectContaining({ text }) }),
            }),
          );
          await work.idle();
        } finally {
          await restore();
        }
        expect((await messagesOf(inbox.id)).map((m) => String(m.content.text))).toContain(text);
        expect(Object.values(await journal()).filter((e) => e.channelId === inbox.id)).toEqual([]);
      });

      it('an update that still fails when its retries run out stays journaled, and another process replays it once Postgres takes it', async () => {
        const text = 'replayed from the journal';
        const work = ctx.app.get(InboundWorkService);
        work.retryWindowMs = 0; // no retries: the first transient failure is the last try
        const restore = await failInserts(text, 1_000, '57P01');
        let other: TestContext | undefined;
        try {
          expect((await deliver(bot, update(newChatId(), { text }))).status).toBe(200);
          await work.idle();
          expect((await messagesOf(inbox.id)).map((m) => String(m.content.text))).not.toContain(text);
          const left = Object.entries(await journal()).filter(([, e]) => e.channelId === inbox.id);
          expect(left).toHaveLength(1);

          // Not replayed while young (its process may still be retrying).
          expect(await work.replay()).toBe(0);
          await restore();

          // A second API process on the same database and Redis takes it over: stored once, journal empty.
          other = await startTestApp({
            db: ctx.db,
            env: {
              PUBLIC_URL,
              TELEGRAM_API_BASE_URL: telegram.url,
              OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
              REDIS_KEY_PREFIX: ctx.config.REDIS_KEY_PREFIX,
            },
          });
          const otherWork = other.app.get(InboundWorkService);
          otherWork.replayAfterMs = 0;
          // Two processes replaying at once: one takes the entry.
          const replays = await Promise.all([otherWork.replay(), otherWork.replay()]);
          expect(replays.sort()).toEqual([0, 1]);
          await otherWork.idle();
        } finally {
          work.retryWindowMs = INBOUND_RETRY_WINDOW_MS;
          await restore().catch(() => undefined);
          // Not other.close(): that deletes the shared prefix's keys, this app's included.
          await other?.app.close();
          other?.redis.disconnect();
        }
        const texts = (await messagesOf(inbox.id)).map((m) => String(m.content.text));
        expect(texts.filter((t) => t === text)).toHaveLength(1);
        expect(Object.values(await journal()).filter((e) => e.channelId === inbox.id)).toEqual([]);
      });

      it('a permanent failure is not tried again', async () => {
        const text = 'refused for good';
        const restore = await failInserts(text, 100, '23514');
        const started = Date.now();
        try {
          expect((await deliver(bot, update(newChatId(), { text }))).status).toBe(200);
          await ctx.app.get(InboundWorkService).idle();
        } finally {
          await restore();
        }
        // No backoff waits: the first failure was the last try.
        expect(Date.now() - started).toBeLessThan(2_000);
        expect((await messagesOf(inbox.id)).map((m) => String(m.content.text))).not.toContain(text);
      });
    });

    it('updates from several chats in a row are all stored, one conversation per chat', async () => {
      const chats = [newChatId(), newChatId(), newChatId()];
      const batch = chats.flatMap((chat, i) => [
        update(chat, { text: `first from ${i}` }, { first: `User${i}`, last: 'Batch' }),
        update(chat, { text: `second from ${i}` }, { first: `User${i}`, last: 'Batch' }),
      ]);
      const answers = await Promise.all(batch.map((u) => deliver(bot, u)));
      expect(answers.map((a) => a.status)).toEqual(batch.map(() => 200));
      const stored = await eventually(async () => {
        const found = (await messagesOf(inbox.id)).filter((m) => /from \d$/.test(String(m.content.text)));
        expect(found).toHaveLength(6);
        return found;
      });
      expect(new Set(stored.map((m) => m.conversation_id)).size).toBe(3);
      expect(new Set(stored.map((m) => m.provider_message_id))).toEqual(
        new Set(batch.map((u) => `${u.message.chat.id}:${u.message.message_id}`)),
      );
    });

    it('stores media in attachment storage: the largest photo size, a document, a voice note, a sticker', async () => {
      const chatId = newChatId();
      const small = telegram.addFile(bot, Buffer.from('small'), 'photos/file_1.jpg');
      const large = telegram.addFile(bot, PNG, 'photos/file_2.jpg');
      const pdf = telegram.addFile(bot, Buffer.from('%PDF-1.4 invoice'), 'documents/file_3.pdf');
      const ogg = telegram.addFile(bot, Buffer.from('OggS\0voice-bytes'), 'voice/file_4.oga');
      const webp = telegram.addFile(bot, Buffer.from('RIFF\0\0\0\0WEBPVP8 sticker'), 'stickers/file_5.webp');
      const updates = [
        update(chatId, {
          photo: [
            { ...small, width: 90, height: 90 },
            { ...large, width: 1280, height: 1280 },
          ],
          caption: 'the damage',
        }),
        update(chatId, {
          document: { ...pdf, file_name: 'invoice.pdf', mime_type: 'application/pdf' },
          caption: 'my invoice',
        }),
        update(chatId, { voice: { ...ogg, duration: 3, mime_type: 'audio/ogg' } }),
        update(chatId, {
          sticker: { ...webp, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false },
        }),
      ];
      for (const u of updates) expect((await deliver(bot, u)).status).toBe(200);
      const ids = updates.map((u) => `${chatId}:${u.message.message_id}`);
      const stored = await eventually(async () => {
        const found = (await messagesOf(inbox.id)).filter((m) => ids.includes(m.provider_message_id ?? ''));
        expect(found).toHaveLength(4);
        return ids.map((id) => found.find((m) => m.provider_message_id === id)!);
      });
      const [photo, doc, voice, sticker] = stored;
      expect(photo).toMatchObject({
        type: 'image',
        content: { caption: 'the damage', mimeType: 'image/png' },
      });
      expect(doc).toMatchObject({
        type: 'document',
        content: { caption: 'my invoice', filename: 'invoice.pdf', mimeType: 'application/pdf' },
      });
      expect(voice).toMatchObject({ type: 'audio', content: { mimeType: 'audio/ogg' } });
      expect(sticker).toMatchObject({ type: 'sticker', content: { mimeType: 'image/webp' } });

      // Only the largest photo size was fetched, and the stored bytes are Telegram's.
      const fetched = telegram.callsTo(bot, 'getFile').map((c) => c.params.file_id);
      expect(fetched).toContain(large.file_id);
      expect(fetched).not.toContain(small.file_id);
      const attachment = await http(ctx.app, 'GET', `/api/v1/attachments/${photo!.content.attachmentId}`, {
        token: A.token,
      });
      expect(attachment.status).toBe(200);
      const download = await getRaw(
        ctx.app,
        new URL(attachment.body.url).pathname + new URL(attachment.body.url).search,
      );
      expect(download.status).toBe(200);
      expect(Buffer.compare(download.bytes, PNG)).toBe(0);
    });

    it('stores locations, venues and shared contacts', async () => {
      const chatId = newChatId();
      const updates = [
        update(chatId, { location: { latitude: 52.52, longitude: 13.405 } }),
        update(chatId, {
          location: { latitude: 48.8584, longitude: 2.2945 },
          venue: {
            location: { latitude: 48.8584, longitude: 2.2945 },
            title: 'Eiffel Tower',
            address: 'Champ de Mars, Paris',
          },
        }),
        update(chatId, {
          contact: {
            phone_number: '+4915112345678',
            first_name: 'Grace',
            last_name: 'Hopper',
            user_id: 4242,
          },
        }),
      ];
      for (const u of updates) expect((await deliver(bot, u)).status).toBe(200);
      const ids = updates.map((u) => `${chatId}:${u.message.message_id}`);
      const stored = await eventually(async () => {
        const found = (await messagesOf(inbox.id)).filter((m) => ids.includes(m.provider_message_id ?? ''));
        expect(found).toHaveLength(3);
        return ids.map((id) => found.find((m) => m.provider_message_id === id)!);
      });
      expect(stored[0]).toMatchObject({ type: 'location', content: { latitude: 52.52, longitude: 13.405 } });
      expect(stored[1]).toMatchObject({
        type: 'location',
        content: {
          latitude: 48.8584,
          longitude: 2.2945,
          name: 'Eiffel Tower',
          address: 'Champ de Mars, Paris',
        },
      });
      expect(stored[2]).toMatchObject({
        type: 'contacts',
        content: {
          contacts: [
            {
              name: { formatted_name: 'Grace Hopper', first_name: 'Grace', last_name: 'Hopper' },
              phones: [{ phone: '+4915112345678' }],
              telegramUserId: '4242',
            },
          ],
        },
      });
    });

    it('a file Telegram will not hand out becomes a text saying so, with the caption', async () => {
      const chatId = newChatId();
      const big = telegram.addFile(bot, Buffer.from('huge'), 'videos/file_9.mp4', { tooBig: true });
      const u = update(chatId, {
        video: { ...big, width: 1920, height: 1080, duration: 600, mime_type: 'video/mp4' },
        caption: 'the whole meeting',
      });
      expect((await deliver(bot, u)).status).toBe(200);
      const [stored] = await eventually(async () => {
        const found = (await messagesOf(inbox.id)).filter(
          (m) => m.provider_message_id === `${chatId}:${u.message.message_id}`,
        );
        expect(found).toHaveLength(1);
        return found;
      });
      expect(stored).toMatchObject({
        type: 'text',
        content: { text: '[video not stored: Bad Request: file is too big]\nthe whole meeting' },
      });
    });

    it('an edited text is stored as a new message; groups and unknown payloads are acknowledged and skipped', async () => {
      const chatId = newChatId();
      const original = update(chatId, { text: 'hte order' });
      expect((await deliver(bot, original)).status).toBe(200);
      const edit = {
        update_id: updateId++,
        edited_message: { ...original.message, text: 'the order', edit_date: 1_760_000_100 },
      };
      expect((await deliver(bot, edit)).status).toBe(200);
      const group = update(-1001234567890, { text: 'hello group' });
      group.message.chat = { ...group.message.chat, type: 'supergroup' };
      for (const payload of [
        group,
        { update_id: updateId++, poll: { id: '1' } },
        { nonsense: true },
        [1, 2],
      ]) {
        expect((await deliver(bot, payload)).status).toBe(200);
      }

      const mine = async () =>
        (await messagesOf(inbox.id)).filter((m) => String(m.provider_message_id).startsWith(`${chatId}:`));
      await eventually(async () => expect(await mine()).toHaveLength(2));
      expect((await mine()).map((m) => [m.provider_message_id, String(m.content.text)])).toEqual([
        [`${chatId}:${original.message.message_id}`, 'hte order'],
        [`${chatId}:${original.message.message_id}:edited:1760000100`, '[edited] the order'],
      ]);
      await new Promise((r) => setTimeout(r, 200));
      expect(
        await messagesOf(inbox.id).then((m) => m.filter((x) => x.content.text === 'hello group')),
      ).toEqual([]);
    });

    it('a disabled inbox answers 403 and stores nothing', async () => {
      const { bot: other, inbox: disabled } = await connectedBot();
      const hook = { ...other.webhook! };
      const res = await http(ctx.app, 'PATCH', `/api/v1/channels/${disabled.id}`, {
        token: A.token,
        body: { isActive: false },
      });
      expect(res.status).toBe(200);
      expect(other.webhook).toBeNull();
      other.webhook = hook;
      expect((await deliver(other, update(newChatId(), { text: 'anyone?' }))).status).toBe(403);
      await new Promise((r) => setTimeout(r, 200));
      expect(await messagesOf(disabled.id)).toHaveLength(0);
    });
  });

  describe('outbound', () => {
    let worker: RunningWorker;
    let bot: FakeBot;
    let inbox: { id: string };

    beforeAll(async () => {
      worker = await startWorker(ctx.config);
      ({ bot, inbox } = await connectedBot('outbound_bot'));
    });
    afterAll(() => worker?.close());

    /** A conversation started by a new customer who wrote to the bot. */
    async function conversationWith(chatId: number) {
      bot.chats.add(String(chatId));
      const u = update(chatId, { text: 'hi' });
      expect((await deliver(bot, u)).status).toBe(200);
      const [row] = await eventually(async () => {
        const found = (await messagesOf(inbox.id)).filter(
          (m) => m.provider_message_id === `${chatId}:${u.message.message_id}`,
        );
        expect(found).toHaveLength(1);
        return found;
      });
      return row!.conversation_id;
    }
    const send = (conversationId: string, type: string, content: Record<string, unknown>) =>
      http(ctx.app, 'POST', '/api/v1/messages', { token: A.token, body: { conversationId, type, content } });
    const messageRow = async (id: string) =>
      (await rows<MessageRow>(sql`select * from messages where id = ${id}`))[0]!;
    const settled = (id: string, status: string) =>
      expect.poll(async () => (await messageRow(id)).status, { timeout: 15_000, interval: 50 }).toBe(status);

    it('sends a text with sendMessage and stores <chat id>:<message id>', async () => {
      const chatId = newChatId();
      const conversationId = await conversationWith(chatId);
      const statuses = listen(worker.app.get(DomainEvents), 'message.status');
      const res = await send(conversationId, 'text', { text: 'Yes, it left *today* <3' });
      expect(res.status).toBe(201);
      await settled(res.body.id, 'sent');

      const calls = telegram.callsTo(bot, 'sendMessage').filter((c) => c.params.chat_id === String(chatId));
      expect(calls).toHaveLength(1);
      expect(calls[0]!.contentType).toBe('application/json');
      expect(calls[0]!.params).toEqual({ chat_id: String(chatId), text: 'Yes, it left *today* <3' });
      expect((await messageRow(res.body.id)).provider_message_id).toMatch(new RegExp(`^${chatId}:\\d+$`));
      await expect.poll(() => statuses.seen.some((e) => e.message.id === res.body.id)).toBe(true);
      statuses.off();
    });

    it('uploads a stored file as multipart/form-data (sendPhoto, sendVoice) and passes a URL as it is', async () => {
      const chatId = newChatId();
      const conversationId = await conversationWith(chatId);
      const upload = await postMultipart(
        ctx.app,
        '/api/v1/attachments',
        [{ kind: 'file', name: 'file', fileName: 'receipt.png', contentType: 'image/png', data: PNG }],
        { token: A.token },
      );
      expect(upload.status).toBe(201);
      const voiceBytes = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 1)]);
      const voice = await postMultipart(
        ctx.app,
        '/api/v1/attachments',
        [{ kind: 'file', name: 'file', fileName: 'note.ogg', contentType: 'audio/ogg', data: voiceBytes }],
        { token: A.token },
      );
      expect(voice.status).toBe(201);

      const photo = await send(conversationId, 'image', {
        attachmentId: upload.body.id,
        caption: 'Your receipt',
      });
      const audio = await send(conversationId, 'audio', { attachmentId: voice.body.id });
      const doc = await send(conversationId, 'document', {
        url: 'https://files.example.test/manual.pdf',
        caption: 'The manual',
      });
      const place = await send(conversationId, 'location', { latitude: 52.52, longitude: 13.405 });
      for (const m of [photo, audio, doc, place]) {
        expect(m.status).toBe(201);
        await settled(m.body.id, 'sent');
      }

      const mine = (method: string) =>
        telegram.callsTo(bot, method).filter((c) => c.params.chat_id === String(chatId));
      const [sentPhoto] = mine('sendPhoto');
      expect(sentPhoto!.contentType).toBe('multipart/form-data');
      expect(sentPhoto!.params).toEqual({ chat_id: String(chatId), caption: 'Your receipt' });
      expect(sentPhoto!.files.photo).toMatchObject({ fileName: 'receipt.png', contentType: 'image/png' });
      expect(Buffer.compare(sentPhoto!.files.photo!.data, PNG)).toBe(0);

      const [sentVoice] = mine('sendVoice');
      expect(sentVoice!.files.voice).toMatchObject({ fileName: 'note.ogg', contentType: 'audio/ogg' });
      expect(Buffer.compare(sentVoice!.files.voice!.data, voiceBytes)).toBe(0);
      expect(mine('sendAudio')).toHaveLength(0);

      expect(mine('sendDocument').map((c) => [c.contentType, c.params])).toEqual([
        [
          'application/json',
          {
            chat_id: String(chatId),
            caption: 'The manual',
            document: 'https://files.example.test/manual.pdf',
          },
        ],
      ]);
      expect(mine('sendLocation').map((c) => c.params)).toEqual([
        { chat_id: String(chatId), latitude: 52.52, longitude: 13.405 },
      ]);
    });

    it("fails the message with Telegram's description when the user blocked the bot, without retrying", async () => {
      const chatId = newChatId();
      const conversationId = await conversationWith(chatId);
      bot.blocked.add(String(chatId));
      const res = await send(conversationId, 'text', { text: 'are you there?' });
      await settled(res.body.id, 'failed');
      expect((await messageRow(res.body.id)).failure_reason).toBe('Forbidden: bot was blocked by the user');
      await new Promise((r) => setTimeout(r, 1_500));
      expect(
        telegram.callsTo(bot, 'sendMessage').filter((c) => c.params.chat_id === String(chatId)),
      ).toHaveLength(1);
    });

    it('retries after flood control (429) and then sends', async () => {
      const chatId = newChatId();
      const conversationId = await conversationWith(chatId);
      telegram.failNext('sendMessage', 429, 'Too Many Requests: retry after 1', 1);
      const res = await send(conversationId, 'text', { text: 'second try' });
      await settled(res.body.id, 'sent');
      expect(
        telegram.callsTo(bot, 'sendMessage').filter((c) => c.params.chat_id === String(chatId)),
      ).toHaveLength(2);
    });

    it('sends a text over 4,096 characters as several messages; a part that fails is retried without resending the ones delivered', async () => {
      const chatId = newChatId();
      const conversationId = await conversationWith(chatId);
      const paragraph = (c: string) => `${c.repeat(3000)}\n\n`;
      const text = `${paragraph('a')}${paragraph('b')}${'c'.repeat(2500)}`;
      // Telegram refuses the second part once (a transient error): the job is tried again.
      telegram.failNext('sendMessage', 500, 'Internal Server Error', undefined, 1);
      const res = await send(conversationId, 'text', { text });
      expect(res.status).toBe(201);
      await settled(res.body.id, 'sent');

      const calls = telegram.callsTo(bot, 'sendMessage').filter((c) => c.params.chat_id === String(chatId));
      // Part 1 once, part 2 twice (refused, then delivered), part 3 once.
      expect(calls.map((c) => String(c.params.text).slice(0, 1))).toEqual(['a', 'b', 'b', 'c']);
      const delivered = [calls[0], calls[2], calls[3]].map((c) => String(c!.params.text));
      expect(delivered.join('')).toBe(text);
      for (const part of delivered) expect(part.length).toBeLessThanOrEqual(4096);
      // The message's provider id is the last part's.
      const row = await messageRow(res.body.id);
      expect(row.provider_message_id).toMatch(new RegExp(`^${chatId}:\\d+$`));
      expect(row.provider_message_id).toBe(
        `${chatId}:${(calls[3]!.result as { message_id: number }).message_id}`,
      );
    });

    it('a long text whose job Redis lost after a part was delivered is sent on from the next part when the recovery sweep re-adds it', async () => {
      const chatId = newChatId();
      const conversationId = await conversationWith(chatId);
      const text = `${'d'.repeat(3000)}\n\n${'e'.repeat(3000)}`;
      // The second part is refused once: the job waits for its retry, with the first part delivered.
      telegram.failNext('sendMessage', 500, 'Internal Server Error', undefined, 1);
      const res = await send(conversationId, 'text', { text });
      expect(res.status).toBe(201);
      const messageId = res.body.id as string;
      const queue = new Queue(OUTBOUND_QUEUE, {
        connection: createBullConnection(ctx.config, 'producer'),
        prefix: bullPrefix(ctx.config),
      });
      try {
        const job = await eventually(
          async () => {
            const found = await queue.getJob(messageId);
            expect(await found?.getState()).toBe('delayed');
            return found!;
          },
          15_000,
          20,
        );
        // Redis loses the job; the message stays queued and, a minute on, the sweep finds it.
        await job.remove();
      } finally {
        await queue.close();
      }
      expect((await messageRow(messageId)).parts_sent).toBe(1);
      await ctx.database.unsafe.execute(
        sql`update messages set created_at = now() - interval '2 minutes' where id = ${messageId}`,
      );
      expect(await worker.app.get(OutboundRecoveryWorker).sweep()).toBeGreaterThanOrEqual(1);
      await settled(messageId, 'sent');

      const calls = telegram.callsTo(bot, 'sendMessage').filter((c) => c.params.chat_id === String(chatId));
      // Part 1 once; part 2 refused, then delivered by the re-added job, which skipped part 1.
      expect(calls.map((c) => String(c.params.text).slice(0, 1))).toEqual(['d', 'e', 'e']);
    });

    it('refuses what a bot cannot send, without calling Telegram', async () => {
      const chatId = newChatId();
      const conversationId = await conversationWith(chatId);
      const before = telegram.calls.length;
      const res = await send(conversationId, 'template', { name: 'order_update', language: 'en' });
      expect(res.status).toBe(201);
      await settled(res.body.id, 'failed');
      expect((await messageRow(res.body.id)).failure_reason).toBe(
        'Telegram bots cannot send template messages',
      );
      expect(
        telegram.calls.slice(before).filter((c) => c.botId === bot.id && c.method !== 'getFile'),
      ).toEqual([]);
    });
  });
});
