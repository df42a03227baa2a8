import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { identifierHash } from '../../src/modules/channels/live-chat/live-chat.config.js';
import { VisitorTokenService } from '../../src/modules/channels/live-chat/visitor-token.service.js';
import { makeTenantWithUser } from '../support/factories.js';
import { countTenantRows } from '../support/inbox.js';
import { getRaw, postMultipart } from '../support/multipart.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import {
  makeLiveChatInbox,
  newVisitor,
  textsOf,
  visitorSend,
  widgetSession,
} from '../support/widget-client.js';

const PUBLIC_URL = 'https://desk.example.test';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(2000)]);
const BUNDLE = '(()=>{window.fakeWidget=1})();\n';

describe('live chat channel', () => {
  let ctx: TestContext;
  let distDir: string;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let inbox: Awaited<ReturnType<typeof makeLiveChatInbox>>;

  beforeAll(async () => {
    distDir = await mkdtemp(join(tmpdir(), 'orbitdesk-widget-dist-'));
    await writeFile(join(distDir, 'widget.js'), BUNDLE);
    ctx = await startTestApp({ env: { PUBLIC_URL, WIDGET_DIST_DIR: distDir } });
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    inbox = await makeLiveChatInbox(ctx.app, A.token);
  });
  afterAll(async () => {
    await ctx?.close();
    await rm(distDir, { recursive: true, force: true });
  });

  const count = (table: Parameters<typeof countTenantRows>[1], tenantId: string) =>
    countTenantRows(ctx.database, table, tenantId);
  const messagesOf = async (channelId: string) =>
    (
      await ctx.database.unsafe.execute<Record<string, any>>(
        sql`select * from messages where channel_id = ${channelId} order by created_at, id`,
      )
    ).rows;
  const contactOf = async (visitorId: string) =>
    (
      await ctx.database.unsafe.execute<Record<string, any>>(
        sql`select c.* from contacts c join contact_identities i on i.contact_id = c.id
            where i.channel_type = 'live_chat' and i.identifier = ${visitorId}`,
      )
    ).rows[0]!;
  function listen<K extends keyof DomainEventMap>(name: K) {
    const seen: DomainEventMap[K][] = [];
    const off = ctx.app.get(DomainEvents).on(name, (p) => void seen.push(p));
    return { seen, off };
  }

  describe('inbox administration', () => {
    it('creates an inbox with its website token, the exact embed snippet, and the message URL', async () => {
      const { body } = inbox;
      expect(inbox.websiteToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(inbox.identitySecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(body).toMatchObject({
        type: 'live_chat',
        webhookUrl: `${PUBLIC_URL}/api/v1/channels/live-chat/message`,
        config: { websiteUrl: 'https://shop.example', title: 'Chat with us', color: '#2563eb' },
        credentials: {
          websiteToken: `********${inbox.websiteToken.slice(-4)}`,
          identitySecret: `********${inbox.identitySecret.slice(-4)}`,
        },
        details: {
          websiteToken: inbox.websiteToken,
          scriptUrl: `${PUBLIC_URL}/widget.js`,
          snippet: `<script src="${PUBLIC_URL}/widget.js" data-website-token="${inbox.websiteToken}" async></script>`,
        },
      });
      const row = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select * from channels where id = ${inbox.id}`,
        )
      ).rows[0]!;
      expect(row.external_id).toBe(inbox.websiteToken);
      expect(row.credentials).toMatch(/^v1:/);
      expect(row.credentials).not.toContain(inbox.identitySecret);
    });

    it('lets an admin replace the identity secret, and keeps the website token', async () => {
      const own = await makeLiveChatInbox(ctx.app, A.token, { identityVerification: true });
      const secret = 'a-new-identity-secret-of-32-chars-or-more';
      const res = await http(ctx.app, 'PATCH', `/api/v1/channels/${own.id}`, {
        token: A.token,
        body: { credentials: { identitySecret: secret } },
      });
      expect(res.status).toBe(200);
      expect(res.body.details.identitySecret).toBe(secret);
      expect(res.body.details.websiteToken).toBe(own.websiteToken);
      const identifier = 'rotated-user';
      const ok = await widgetSession(ctx.app, {
        websiteToken: own.websiteToken,
        identifier,
        identifierHash: identifierHash(secret, identifier),
      });
      expect(ok.status).toBe(200);
      const old = await widgetSession(ctx.app, {
        websiteToken: own.websiteToken,
        identifier,
        identifierHash: identifierHash(own.identitySecret, identifier),
      });
      expect(old.status).toBe(401);
    });

    it('tests the inbox: ready while the bundle is there, says what is missing when it is not', async () => {
      const good = await http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: A.token });
      expect(good.status).toBe(200);
      expect(good.body.ok).toBe(true);
      expect(good.body.message).toContain('https://shop.example');
      await rm(join(distDir, 'widget.js'));
      try {
        const bad = await http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: A.token });
        expect(bad.body.ok).toBe(false);
        expect(bad.body.message).toContain(join(distDir, 'widget.js'));
      } finally {
        await writeFile(join(distDir, 'widget.js'), BUNDLE);
      }
    });
  });

  describe('the bundle and CORS', () => {
    it('serves /widget.js to any site, cacheable, revalidated with its ETag', async () => {
      const res = await getRaw(ctx.app, '/widget.js');
      expect(res.status).toBe(200);
      expect(res.text).toBe(BUNDLE);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+/);
      const etag = String(res.headers.etag);
      const again = await ctx.app
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'GET', url: '/widget.js', headers: { 'if-none-match': etag } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
    });

    it("answers the widget's preflight from any site, and its requests with CORS headers", async () => {
      const preflight = await ctx.app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method: 'OPTIONS',
          url: '/api/v1/channels/live-chat/message',
          headers: {
            origin: 'https://any-site.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type,x-widget-token',
          },
        });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('*');
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('x-widget-token');
      expect(String(preflight.headers['access-control-allow-methods'])).toContain('POST');
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();

      const res = await widgetSession(
        ctx.app,
        { websiteToken: inbox.websiteToken },
        'https://any-site.example',
      );
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });
  });

  describe('sessions', () => {
    it('starts a session: a signed visitor token, the inbox look, no conversation yet', async () => {
      const res = await widgetSession(ctx.app, { websiteToken: inbox.websiteToken });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        visitor: { name: null, email: null, verified: false },
        config: { title: 'Chat with us', color: '#2563eb', welcomeMessage: null, preChatForm: false },
        conversation: null,
        messages: [],
        hasMore: false,
      });
      expect(res.body.visitor.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.visitorToken.split('.')).toHaveLength(3);
      const ttl = (Date.parse(res.body.expiresAt) - Date.now()) / 1000;
      expect(ttl).toBeGreaterThan(ctx.config.WIDGET_SESSION_TTL_SECONDS - 60);
    });

    it('resumes with the visitor token: the same visitor, the same conversation and its messages', async () => {
      const first = await newVisitor(ctx.app, inbox.websiteToken, {
        name: 'Ada',
        email: 'ada@visitor.example',
      });
      const sent = await visitorSend(ctx.app, first.visitorToken, { content: { text: 'hello there' } });
      expect(sent.status).toBe(200);
      const again = await widgetSession(ctx.app, {
        websiteToken: inbox.websiteToken,
        visitorToken: first.visitorToken,
      });
      expect(again.status).toBe(200);
      expect(again.body.visitor).toEqual({
        id: first.visitor.id,
        name: 'Ada',
        email: 'ada@visitor.example',
        verified: false,
      });
      const stored = (await messagesOf(inbox.id)).find((r) => r.id === sent.body.message.id)!;
      expect(again.body.conversation).toEqual({ id: stored.conversation_id, status: 'open' });
      expect(textsOf(again.body.messages)).toEqual(['hello there']);
    });

    it('refuses an unknown website token, and forged, expired or other-inbox visitor tokens (401)', async () => {
      expect((await widgetSession(ctx.app, { websiteToken: 'no-such-token' })).status).toBe(401);
      const other = await makeLiveChatInbox(ctx.app, A.token);
      const visitor = await newVisitor(ctx.app, other.websiteToken);
      const tokens = ctx.app.get(VisitorTokenService);
      const expired = await tokens.sign(
        { tenantId: A.tenant.id, inboxId: inbox.id, visitorId: randomUUID(), verified: false },
        Date.now() - (ctx.config.WIDGET_SESSION_TTL_SECONDS + 60) * 1000,
      );
      const [header, payload, signature] = visitor.visitorToken.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
      const forged = [
        header,
        Buffer.from(JSON.stringify({ ...claims, iid: inbox.id })).toString('base64url'),
        signature,
      ].join('.');
      for (const visitorToken of [visitor.visitorToken, expired.token, forged, 'garbage']) {
        const res = await widgetSession(ctx.app, { websiteToken: inbox.websiteToken, visitorToken });
        expect(res.status, visitorToken.slice(0, 20)).toBe(401);
      }
    });

    it('validates the request (400), naming the field', async () => {
      const res = await widgetSession(ctx.app, {
        websiteToken: inbox.websiteToken,
        email: 'not-an-email',
        x: 1,
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('email');
      const hashOnly = await widgetSession(ctx.app, {
        websiteToken: inbox.websiteToken,
        identifierHash: 'a'.repeat(64),
      });
      expect(hashOnly.status).toBe(400);
    });
  });

  describe('origin check', () => {
    it('answers only pages of allowedOrigins (403 otherwise), for sessions and messages', async () => {
      const shop = await makeLiveChatInbox(ctx.app, A.token, { allowedOrigins: ['https://shop.example'] });
      const ok = await widgetSession(ctx.app, { websiteToken: shop.websiteToken }, 'https://shop.example');
      expect(ok.status).toBe(200);
      for (const origin of ['https://evil.example', 'http://shop.example', 'null']) {
        const res = await widgetSession(ctx.app, { websiteToken: shop.websiteToken }, origin);
        expect(res.status, origin).toBe(403);
      }
      const noOrigin = await http(ctx.app, 'POST', '/api/v1/channels/live-chat/sessions', {
        body: { websiteToken: shop.websiteToken },
      });
      expect(noOrigin.status).toBe(403);

      const before = await messagesOf(shop.id);
      const refused = await visitorSend(
        ctx.app,
        ok.body.visitorToken,
        { content: { text: 'x' } },
        'https://evil.example',
      );
      expect(refused.status).toBe(403);
      expect(await messagesOf(shop.id)).toEqual(before);
      const accepted = await visitorSend(
        ctx.app,
        ok.body.visitorToken,
        { content: { text: 'x' } },
        'https://shop.example',
      );
      expect(accepted.status).toBe(200);
    });
  });

  describe('identity verification', () => {
    let verified: Awaited<ReturnType<typeof makeLiveChatInbox>>;
    beforeAll(async () => {
      verified = await makeLiveChatInbox(ctx.app, A.token, { identityVerification: true });
    });

    it('a valid identifierHash makes a verified visitor, the same contact and conversation on every device', async () => {
      const identifier = 'customer-42';
      const hash = identifierHash(verified.identitySecret, identifier);
      const laptop = await widgetSession(ctx.app, {
        websiteToken: verified.websiteToken,
        identifier,
        identifierHash: hash,
      });
      expect(laptop.status).toBe(200);
      expect(laptop.body.visitor).toMatchObject({ id: `user:${identifier}`, verified: true });
      expect(
        (await visitorSend(ctx.app, laptop.body.visitorToken, { content: { text: 'from my laptop' } }))
          .status,
      ).toBe(200);

      const phone = await widgetSession(ctx.app, {
        websiteToken: verified.websiteToken,
        identifier,
        identifierHash: hash.toUpperCase(),
      });
      expect(phone.status).toBe(200);
      expect(phone.body.visitor.id).toBe(`user:${identifier}`);
      expect(textsOf(phone.body.messages)).toEqual(['from my laptop']);
      expect(
        (await visitorSend(ctx.app, phone.body.visitorToken, { content: { text: 'and my phone' } })).status,
      ).toBe(200);
      const rows = await messagesOf(verified.id);
      expect(new Set(rows.map((r) => String(r.conversation_id))).size).toBe(1);
      expect(rows).toHaveLength(2);

      // The page stopped vouching (signed out): the stored token no longer opens that user's conversation.
      const signedOut = await widgetSession(ctx.app, {
        websiteToken: verified.websiteToken,
        visitorToken: phone.body.visitorToken,
      });
      expect(signedOut.status).toBe(200);
      expect(signedOut.body.visitor).toMatchObject({ verified: false });
      expect(signedOut.body.visitor.id).not.toBe(`user:${identifier}`);
      expect(signedOut.body.messages).toEqual([]);
    });

    it('refuses a wrong hash and a missing one (401) when verification is required', async () => {
      const identifier = 'customer-43';
      const wrong = await widgetSession(ctx.app, {
        websiteToken: verified.websiteToken,
        identifier,
        identifierHash: identifierHash('not-the-secret', identifier),
      });
      expect(wrong.status).toBe(401);
      const otherUser = await widgetSession(ctx.app, {
        websiteToken: verified.websiteToken,
        identifier,
        identifierHash: identifierHash(verified.identitySecret, 'customer-44'),
      });
      expect(otherUser.status).toBe(401);
      const missing = await widgetSession(ctx.app, { websiteToken: verified.websiteToken, identifier });
      expect(missing.status).toBe(401);
      // Anonymous visitors are still welcome.
      expect((await widgetSession(ctx.app, { websiteToken: verified.websiteToken })).status).toBe(200);
    });

    it('without verification required, a bare identifier leads to nobody (anonymous); a wrong hash is still refused', async () => {
      const identifier = 'customer-42';
      const bare = await widgetSession(ctx.app, { websiteToken: inbox.websiteToken, identifier });
      expect(bare.status).toBe(200);
      expect(bare.body.visitor).toMatchObject({ verified: false });
      expect(bare.body.visitor.id).not.toContain(identifier);
      const wrong = await widgetSession(ctx.app, {
        websiteToken: inbox.websiteToken,
        identifier,
        identifierHash: 'f'.repeat(64),
      });
      expect(wrong.status).toBe(401);
    });
  });

  describe('messages in', () => {
    it('stores a visitor message and publishes it (contact = visitor id, with the pre-chat name and email)', async () => {
      const visitor = await newVisitor(ctx.app, inbox.websiteToken, {
        name: 'Grace',
        email: 'Grace@Visitor.example',
      });
      const created = listen('message.created');
      const res = await visitorSend(ctx.app, visitor.visitorToken, {
        clientMessageId: 'client-msg-0001',
        content: { text: 'Do you ship to Norway?' },
      });
      created.off();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        duplicate: false,
        message: { clientMessageId: 'client-msg-0001', from: 'visitor', type: 'text', status: 'received' },
      });
      const rows = await messagesOf(inbox.id);
      const row = rows.find((r) => r.id === res.body.message.id)!;
      expect(row).toMatchObject({
        direction: 'in',
        type: 'text',
        content: { text: 'Do you ship to Norway?' },
      });
      expect(created.seen.map((e) => e.message.id)).toContain(row.id);
      expect(await contactOf(visitor.visitor.id)).toMatchObject({
        name: 'Grace',
        email: 'grace@visitor.example',
      });
    });

    it('refuses a missing, forged or expired visitor token (401) and stores nothing', async () => {
      const before = await count('messages', A.tenant.id);
      const visitor = await newVisitor(ctx.app, inbox.websiteToken);
      const [h, p] = visitor.visitorToken.split('.');
      const expired = await ctx.app
        .get(VisitorTokenService)
        .sign(
          { tenantId: A.tenant.id, inboxId: inbox.id, visitorId: visitor.visitor.id, verified: false },
          Date.now() - (ctx.config.WIDGET_SESSION_TTL_SECONDS + 1) * 1000,
        );
      for (const token of [undefined, `${h}.${p}.${'A'.repeat(43)}`, expired.token]) {
        const res = await visitorSend(ctx.app, token, { content: { text: 'sneaky' } });
        expect(res.status).toBe(401);
      }
      const bearer = await http(ctx.app, 'POST', '/api/v1/channels/live-chat/message', {
        token: 'not-a-visitor-token',
        body: { content: { text: 'sneaky' } },
      });
      expect(bearer.status).toBe(401);
      expect(await count('messages', A.tenant.id)).toBe(before);
    });

    it('stores a repeated clientMessageId once', async () => {
      const visitor = await newVisitor(ctx.app, inbox.websiteToken);
      const body = { clientMessageId: 'retry-me-12345', content: { text: 'only once' } };
      const first = await visitorSend(ctx.app, visitor.visitorToken, body);
      const second = await visitorSend(ctx.app, visitor.visitorToken, body);
      expect(first.body.duplicate).toBe(false);
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ duplicate: true, message: { id: first.body.message.id } });
      expect((await messagesOf(inbox.id)).filter((r) => r.content.text === 'only once')).toHaveLength(1);
    });

    it("keeps two visitors' equal client ids apart", async () => {
      const one = await newVisitor(ctx.app, inbox.websiteToken);
      const two = await newVisitor(ctx.app, inbox.websiteToken);
      const a = await visitorSend(ctx.app, one.visitorToken, {
        clientMessageId: 'same-id-0001',
        content: { text: 'one' },
      });
      const b = await visitorSend(ctx.app, two.visitorToken, {
        clientMessageId: 'same-id-0001',
        content: { text: 'two' },
      });
      expect(b.body.duplicate).toBe(false);
      expect(b.body.message.id).not.toBe(a.body.message.id);
      expect(b.body.message.content).toEqual({ text: 'two' });
    });

    it('stores every message of a burst, in one conversation', async () => {
      const visitor = await newVisitor(ctx.app, inbox.websiteToken);
      const texts = Array.from({ length: 6 }, (_, i) => `burst ${i}`);
      const results = await Promise.all(
        texts.map((text, i) =>
          visitorSend(ctx.app, visitor.visitorToken, {
            clientMessageId: `burst-${i}-abcdef`,
            content: { text },
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(texts.map(() => 200));
      const rows = (await messagesOf(inbox.id)).filter((r) => String(r.content.text).startsWith('burst '));
      expect(rows.map((r) => String(r.content.text)).sort()).toEqual(texts);
      expect(new Set(rows.map((r) => String(r.conversation_id))).size).toBe(1);
    });

    it('asks for the pre-chat form first when the inbox wants it (422), and stores nothing', async () => {
      const formed = await makeLiveChatInbox(ctx.app, A.token, { preChatForm: true });
      const anonymous = await newVisitor(ctx.app, formed.websiteToken);
      const res = await visitorSend(ctx.app, anonymous.visitorToken, { content: { text: 'hi' } });
      expect(res.status).toBe(422);
      expect(await messagesOf(formed.id)).toEqual([]);
      const filled = await newVisitor(ctx.app, formed.websiteToken, {
        visitorToken: anonymous.visitorToken,
        name: 'Lin',
        email: 'lin@visitor.example',
      });
      expect(filled.visitor.id).toBe(anonymous.visitor.id);
      expect((await visitorSend(ctx.app, filled.visitorToken, { content: { text: 'hi' } })).status).toBe(200);
    });

    it('never attaches a visitor to the contact that owns the email they typed', async () => {
      const owner = await newVisitor(ctx.app, inbox.websiteToken, { email: 'owner@visitor.example' });
      await visitorSend(ctx.app, owner.visitorToken, { content: { text: 'I am the owner' } });
      const impostor = await newVisitor(ctx.app, inbox.websiteToken, { email: 'owner@visitor.example' });
      const res = await visitorSend(ctx.app, impostor.visitorToken, { content: { text: 'let me see' } });
      expect(res.status).toBe(200);
      const ownerContact = await contactOf(owner.visitor.id);
      const impostorContact = await contactOf(impostor.visitor.id);
      expect(impostorContact.id).not.toBe(ownerContact.id);
      expect(impostorContact.email).toBeNull();
      const resumed = await newVisitor(ctx.app, inbox.websiteToken, { visitorToken: impostor.visitorToken });
      expect(textsOf(resumed.messages)).toEqual(['let me see']);
    });

    it('refuses malformed messages with 400 and unsupported content', async () => {
      const visitor = await newVisitor(ctx.app, inbox.websiteToken);
      for (const body of [
        {},
        { content: { text: '   ' } },
        { content: { text: 'x', html: '<b>x</b>' } },
        { type: 'location', content: { latitude: 1, longitude: 2 } },
        { type: 'image', content: { url: 'https://evil.example/x.png' } },
        { clientMessageId: 'bad id!', content: { text: 'x' } },
      ]) {
        const res = await visitorSend(ctx.app, visitor.visitorToken, body);
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
    });
  });

  describe('history and files', () => {
    it("shows only the visitor's own messages, without private notes, in pages", async () => {
      const visitor = await newVisitor(ctx.app, inbox.websiteToken);
      const other = await newVisitor(ctx.app, inbox.websiteToken);
      await visitorSend(ctx.app, other.visitorToken, { content: { text: 'not yours' } });
      for (let i = 0; i < 5; i++) {
        await visitorSend(ctx.app, visitor.visitorToken, { content: { text: `mine ${i}` } });
      }
      const conversation = (
        await ctx.database.unsafe.execute<{ id: string }>(
          sql`select c.id from conversations c join contact_identities i on i.contact_id = c.contact_id
              where i.identifier = ${visitor.visitor.id}`,
        )
      ).rows[0]!;
      const note = await http(ctx.app, 'POST', '/api/v1/messages', {
        token: A.token,
        body: {
          conversationId: conversation.id,
          type: 'text',
          content: { text: 'internal note' },
          isPrivate: true,
        },
      });
      expect(note.status).toBe(201);

      const headers = { 'x-widget-token': visitor.visitorToken, origin: 'https://shop.example' };
      const latest = await http(ctx.app, 'GET', '/api/v1/channels/live-chat/messages?limit=3', { headers });
      expect(latest.status).toBe(200);
      expect(textsOf(latest.body.items)).toEqual(['mine 2', 'mine 3', 'mine 4']);
      expect(latest.body.hasMore).toBe(true);
      const older = await http(
        ctx.app,
        'GET',
        `/api/v1/channels/live-chat/messages?limit=3&before=${latest.body.items[0].id}`,
        { headers },
      );
      expect(textsOf(older.body.items)).toEqual(['mine 0', 'mine 1']);
      expect(older.body.hasMore).toBe(false);
      expect(JSON.stringify([latest.body, older.body])).not.toContain('internal note');
      expect(JSON.stringify([latest.body, older.body])).not.toContain('not yours');
    });

    it('uploads a file, sends it as an image, and serves it to any site through a signed link', async () => {
      const visitor = await newVisitor(ctx.app, inbox.websiteToken);
      const upload = await postMultipart(
        ctx.app,
        '/api/v1/channels/live-chat/attachments',
        [{ kind: 'file', name: 'file', fileName: 'screenshot.png', contentType: 'image/png', data: PNG }],
        { token: visitor.visitorToken },
      );
      expect(upload.status).toBe(201);
      expect(upload.body).toMatchObject({ contentType: 'image/png', messageType: 'image', size: PNG.length });

      const wrongType = await visitorSend(ctx.app, visitor.visitorToken, {
        type: 'document',
        content: { attachmentId: upload.body.attachmentId },
      });
      expect(wrongType.status).toBe(422);
      const stranger = await newVisitor(ctx.app, inbox.websiteToken);
      const stolen = await visitorSend(ctx.app, stranger.visitorToken, {
        type: 'image',
        content: { attachmentId: upload.body.attachmentId },
      });
      expect(stolen.status).toBe(422);

      const sent = await visitorSend(ctx.app, visitor.visitorToken, {
        type: 'image',
        content: { attachmentId: upload.body.attachmentId, caption: 'the error' },
      });
      expect(sent.status).toBe(200);
      const row = (await messagesOf(inbox.id)).find((r) => r.id === sent.body.message.id)!;
      expect(row.content).toEqual({
        attachmentId: upload.body.attachmentId,
        filename: 'screenshot.png',
        mimeType: 'image/png',
        caption: 'the error',
      });
      const url = new URL(sent.body.message.content.url);
      expect(url.origin + url.pathname).toBe(
        `${PUBLIC_URL}/api/v1/channels/live-chat/files/${upload.body.attachmentId}`,
      );
      const file = await getRaw(ctx.app, url.pathname + url.search);
      expect(file.status).toBe(200);
      expect(Buffer.compare(file.bytes, PNG)).toBe(0);
      expect(file.headers['cross-origin-resource-policy']).toBe('cross-origin');
      url.searchParams.set('sig', 'A'.repeat(43));
      expect((await getRaw(ctx.app, url.pathname + url.search)).status).toBe(403);
    });

    it('refuses uploads without a valid visitor token', async () => {
      const res = await postMultipart(
        ctx.app,
        '/api/v1/channels/live-chat/attachments',
        [{ kind: 'file', name: 'file', fileName: 'x.png', data: PNG }],
        { token: 'forged' },
      );
      expect(res.status).toBe(401);
    });
  });

  describe('tenancy', () => {
    it("a visitor token of tenant A's inbox never reaches tenant B", async () => {
      const bInbox = await makeLiveChatInbox(ctx.app, B.token);
      const aVisitor = await newVisitor(ctx.app, inbox.websiteToken);
      const res = await widgetSession(ctx.app, {
        websiteToken: bInbox.websiteToken,
        visitorToken: aVisitor.visitorToken,
      });
      expect(res.status).toBe(401);
      expect(await count('messages', B.tenant.id)).toBe(0);
      const other = await http(ctx.app, 'GET', `/api/v1/channels/${inbox.id}`, { token: B.token });
      expect(other.status).toBe(404);
    });
  });
});
