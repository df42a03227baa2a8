import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { makeTenantWithUser, makeUser, login } from '../support/factories.js';
import { countTenantRows, inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

describe('api channel', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;

  beforeAll(async () => {
    ctx = await startTestApp({ env: { PUBLIC_URL: 'https://desk.example.test' } });
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  });
  afterAll(() => ctx?.close());

  const count = (table: Parameters<typeof countTenantRows>[1], tenantId: string) =>
    countTenantRows(ctx.database, table, tenantId);
  const conversationRow = async (id: string) =>
    (
      await ctx.database.unsafe.execute<Record<string, any>>(
        sql`select * from conversations where id = ${id}`,
      )
    ).rows[0]!;

  /** Collects domain events published by the API process. */
  function listen<K extends keyof DomainEventMap>(name: K) {
    const seen: DomainEventMap[K][] = [];
    const off = ctx.app.get(DomainEvents).on(name, (p) => void seen.push(p));
    return { seen, off };
  }

  describe('inbox administration', () => {
    it('creates an api inbox: the secret once, encrypted at rest, masked afterwards, with its webhook URL', async () => {
      const res = await http(ctx.app, 'POST', '/api/v1/channels', {
        token: A.token,
        body: { type: 'api', name: 'Website', config: { callbackUrl: 'https://crm.example.test/hook' } },
      });
      expect(res.status).toBe(201);
      const { id, secret } = res.body;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.body).toMatchObject({
        type: 'api',
        name: 'Website',
        config: { callbackUrl: 'https://crm.example.test/hook' },
        isActive: true,
        autoAssign: false,
        maxOpenPerAgent: 10,
        webhookUrl: `https://desk.example.test/api/v1/channels/api/${id}/messages`,
        inboundSecret: `********${secret.slice(-4)}`,
      });

      const row = (
        await ctx.database.unsafe.execute<Record<string, any>>(sql`select * from channels where id = ${id}`)
      ).rows[0]!;
      expect(row.credentials).toMatch(/^v1:/);
      expect(JSON.stringify(row)).not.toContain(secret);

      for (const [method, url] of [
        ['GET', `/api/v1/channels/${id}`],
        ['GET', '/api/v1/channels'],
        ['PATCH', `/api/v1/channels/${id}`],
      ] as const) {
        const r = await http(ctx.app, method, url, {
          token: A.token,
          ...(method === 'PATCH' ? { body: { name: 'Website chat' } } : {}),
        });
        expect(r.status, `${method} ${url}`).toBe(200);
        expect(JSON.stringify(r.body)).not.toContain(secret);
        expect(JSON.stringify(r.body)).toContain(`********${secret.slice(-4)}`);
      }
    });

    it('validates the request: api type only, an http(s) callback URL, no unknown fields', async () => {
      for (const body of [
        { type: 'whatsapp', name: 'x', config: { callbackUrl: 'https://a.test' } },
        { type: 'api', name: 'x', config: { callbackUrl: 'ftp://a.test' } },
        { type: 'api', name: 'x', config: { callbackUrl: 'not a url' } },
        { type: 'api', name: '', config: { callbackUrl: 'https://a.test' } },
        { type: 'api', name: 'x', config: { callbackUrl: 'https://a.test' }, credentials: 'x' },
      ]) {
        const res = await http(ctx.app, 'POST', '/api/v1/channels', { token: A.token, body });
        expect(res.status, JSON.stringify(body)).toBe(400);
      }
    });

    it('is for admins only', async () => {
      const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
      const { token } = await login(ctx.app, agent.email);
      expect((await http(ctx.app, 'GET', '/api/v1/channels', { token })).status).toBe(403);
    });

    it('rotating the secret returns a new one; only the new one works', async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      const rotated = await http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/rotate-secret`, {
        token: A.token,
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(rotated.body.secret).not.toBe(inbox.secret);
      expect((await inbound(ctx.app, inbox.id, inbox.secret, textFrom('u-rot', 'hi'))).status).toBe(401);
      expect((await inbound(ctx.app, inbox.id, rotated.body.secret, textFrom('u-rot', 'hi'))).status).toBe(
        200,
      );
    });

    it("another tenant's inbox answers 404 to get, update, rotate and delete, and is unchanged", async () => {
      const inbox = await makeApiInbox(ctx.app, A.token, { name: 'A only' });
      for (const [method, url, body] of [
        ['GET', `/api/v1/channels/${inbox.id}`, undefined],
        ['PATCH', `/api/v1/channels/${inbox.id}`, { name: 'taken' }],
        ['POST', `/api/v1/channels/${inbox.id}/rotate-secret`, undefined],
        ['DELETE', `/api/v1/channels/${inbox.id}`, undefined],
      ] as const) {
        const res = await http(ctx.app, method, url, { token: B.token, ...(body ? { body } : {}) });
        expect(res.status, `${method} ${url}`).toBe(404);
      }
      const mine = await http(ctx.app, 'GET', `/api/v1/channels/${inbox.id}`, { token: A.token });
      expect(mine.body.name).toBe('A only');
      expect((await inbound(ctx.app, inbox.id, inbox.secret, textFrom('u-x', 'still works'))).status).toBe(
        200,
      );
    });

    it('deletes an inbox', async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      expect((await http(ctx.app, 'DELETE', `/api/v1/channels/${inbox.id}`, { token: A.token })).status).toBe(
        200,
      );
      expect((await http(ctx.app, 'GET', `/api/v1/channels/${inbox.id}`, { token: A.token })).status).toBe(
        404,
      );
      expect((await inbound(ctx.app, inbox.id, inbox.secret, textFrom('u-del', 'hi'))).status).toBe(401);
    });
  });

  describe('inbound messages', () => {
    it('stores contact, conversation and message, numbering conversations 1, 2, 3 per tenant', async () => {
      const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const inbox = await makeApiInbox(ctx.app, T.token);
      const created = listen('conversation.created');
      const messages = listen('message.created');

      const first = await inbound(ctx.app, inbox.id, inbox.secret, {
        contact: {
          identifier: 'visitor-1',
          name: 'Ada Lovelace',
          phone: '+44 20 7946 0958',
          email: 'Ada@Example.test',
        },
        message: { id: 'p-1', type: 'text', content: { text: 'Hello there' } },
      });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        messageId: expect.any(String),
        conversationId: expect.any(String),
        duplicate: false,
      });
      const numbers: number[] = [];
      for (const who of ['visitor-1', 'visitor-2', 'visitor-3']) {
        const res =
          who === 'visitor-1'
            ? first
            : await inbound(ctx.app, inbox.id, inbox.secret, textFrom(who, `hi from ${who}`));
        const conv = await http(ctx.app, 'GET', `/api/v1/conversations/${res.body.conversationId}`, {
          token: T.token,
        });
        numbers.push(conv.body.number);
      }
      expect(numbers).toEqual([1, 2, 3]);

      const contact = (
        await ctx.database.unsafe.execute<Record<string, any>>(
          sql`select c.* from contacts c join contact_identities i on i.contact_id = c.id
              where i.tenant_id = ${T.tenant.id} and i.channel_type = 'api' and i.identifier = 'visitor-1'`,
        )
      ).rows[0]!;
      expect(contact).toMatchObject({
        name: 'Ada Lovelace',
        phone: '+442079460958',
        email: 'ada@example.test',
      });

      const conv = await conversationRow(first.body.conversationId);
      expect(conv).toMatchObject({
        status: 'open',
        contact_id: contact.id,
        channel_id: inbox.id,
        unread_count: 1,
        last_message_preview: 'Hello there',
      });
      expect(Date.now() - Date.parse(conv.waiting_since)).toBeLessThan(60_000);
      expect(Date.now() - Date.parse(conv.last_inbound_at)).toBeLessThan(60_000);

      const msgs = await http(ctx.app, 'GET', `/api/v1/conversations/${first.body.conversationId}/messages`, {
        token: T.token,
      });
      expect(msgs.body.items).toEqual([
        expect.objectContaining({
          id: first.body.messageId,
          direction: 'in',
          status: 'received',
          senderType: 'contact',
          senderId: contact.id,
          providerMessageId: 'p-1',
          type: 'text',
          content: { text: 'Hello there' },
        }),
      ]);
      // Another tenant's numbering is its own.
      const other = await makeApiInbox(ctx.app, B.token);
      const otherRes = await inbound(ctx.app, other.id, other.secret, textFrom('visitor-1', 'hello B'));
      expect((await conversationRow(otherRes.body.conversationId)).number).toBe(1);

      await expect.poll(() => created.seen.filter((e) => e.tenantId === T.tenant.id).length).toBe(3);
      await expect.poll(() => messages.seen.filter((e) => e.tenantId === T.tenant.id).length).toBe(3);
      const event = messages.seen.find((e) => e.message.id === first.body.messageId)!;
      expect(event.conversation.id).toBe(first.body.conversationId);
      created.off();
      messages.off();
    });

    it('a second message joins the open conversation, updating preview and unread count', async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      const one = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('same-person', 'first'));
      const two = await inbound(ctx.app, inbox.id, inbox.secret, {
        contact: { identifier: 'same-person' },
        message: { type: 'image', content: { url: 'https://cdn.example.test/a.png', caption: 'look' } },
      });
      expect(two.body.conversationId).toBe(one.body.conversationId);
      const conv = await conversationRow(one.body.conversationId);
      expect(conv.unread_count).toBe(2);
      expect(conv.last_message_preview).toBe('[image] look');
    });

    it('publishes contact.created for a new contact, with the address it wrote from, and only once', async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      const created = listen('contact.created');
      await inbound(ctx.app, inbox.id, inbox.secret, textFrom('newcomer-1', 'hello', undefined, 'Nora'));
      await inbound(ctx.app, inbox.id, inbox.secret, textFrom('newcomer-1', 'again'));
      await new Promise((r) => setTimeout(r, 50));
      created.off();
      expect(created.seen).toHaveLength(1);
      expect(created.seen[0]).toMatchObject({
        tenantId: A.tenant.id,
        contact: { name: 'Nora', identities: [{ channelType: 'api', identifier: 'newcomer-1' }] },
      });
    });

    it('a known contact writing from a new address (same phone) gains that address, and is found by it after', async () => {
      const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const inbox = await makeApiInbox(ctx.app, T.token);
      const known = await http(ctx.app, 'POST', '/api/v1/contacts', {
        token: T.token,
        body: {
          name: 'Grace',
          phone: '+14155552671',
          identities: [{ channelType: 'telegram', identifier: 'tg-grace' }],
        },
      });
      expect(known.status).toBe(201);
      const addresses = async () =>
        (
          await ctx.database.unsafe.execute<{ channel_type: string; identifier: string; contact_id: string }>(
            sql`select channel_type, identifier, contact_id from contact_identities
                where tenant_id = ${T.tenant.id} order by channel_type`,
          )
        ).rows;

      const first = await inbound(ctx.app, inbox.id, inbox.secret, {
        contact: { identifier: 'crm-7', phone: '+1 415 555 2671' },
        message: { type: 'text', content: { text: 'hello from the CRM' } },
      });
      expect(first.status).toBe(200);
      expect(await addresses()).toEqual([
        { channel_type: 'api', identifier: 'crm-7', contact_id: known.body.id },
        { channel_type: 'telegram', identifier: 'tg-grace', contact_id: known.body.id },
      ]);

      // Later messages from that address (no phone this time) reach the same contact and conversation.
      const again = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('crm-7', 'me again'));
      expect(again.body.conversationId).toBe(first.body.conversationId);
      expect((await conversationRow(again.body.conversationId)).contact_id).toBe(known.body.id);
      expect(await addresses()).toHaveLength(2);
      expect(await count('contacts', T.tenant.id)).toBe(1);
    });

    it('stores a redelivered provider message once and answers duplicate: true', async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      const body = textFrom('dup-person', 'only once', 'prov-dup-1');
      const first = await inbound(ctx.app, inbox.id, inbox.secret, body);
      const again = await inbound(ctx.app, inbox.id, inbox.secret, body);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({
        messageId: first.body.messageId,
        conversationId: first.body.conversationId,
        duplicate: true,
      });
      const conv = await conversationRow(first.body.conversationId);
      expect(conv.unread_count).toBe(1);
    });

    it('20 concurrent identical deliveries store one message, one contact, one conversation', async () => {
      const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const inbox = await makeApiInbox(ctx.app, T.token);
      const body = textFrom('racer', 'same message', 'prov-race-1', 'Racer');
      const results = await Promise.all(
        Array.from({ length: 20 }, () => inbound(ctx.app, inbox.id, inbox.secret, body)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(results.filter((r) => !r.body.duplicate)).toHaveLength(1);
      expect(new Set(results.map((r) => r.body.messageId as string)).size).toBe(1);
      expect(await count('messages', T.tenant.id)).toBe(1);
      expect(await count('contacts', T.tenant.id)).toBe(1);
      expect(await count('contact_identities', T.tenant.id)).toBe(1);
      expect(await count('conversations', T.tenant.id)).toBe(1);
      expect((await conversationRow(results[0]!.body.conversationId)).unread_count).toBe(1);
    });

    it('concurrent different messages from one new contact make one contact and one conversation', async () => {
      const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const inbox = await makeApiInbox(ctx.app, T.token);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          inbound(ctx.app, inbox.id, inbox.secret, textFrom('burst', `part ${i}`, `burst-${i}`)),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      expect(await count('contacts', T.tenant.id)).toBe(1);
      expect(await count('conversations', T.tenant.id)).toBe(1);
      expect(await count('messages', T.tenant.id)).toBe(10);
      expect((await conversationRow(results[0]!.body.conversationId)).unread_count).toBe(10);
    });

    it('concurrent first messages from different contacts get distinct consecutive numbers', async () => {
      const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const inbox = await makeApiInbox(ctx.app, T.token);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          inbound(ctx.app, inbox.id, inbox.secret, textFrom(`p-${i}`, 'hi')),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
      const numbers = (
        await ctx.database.unsafe.execute<{ number: number }>(
          sql`select number from conversations where tenant_id = ${T.tenant.id} order by number`,
        )
      ).rows.map((r) => r.number);
      expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    });

    it('a wrong, missing or other-inbox secret answers 401 and stores nothing', async () => {
      const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const inbox = await makeApiInbox(ctx.app, T.token);
      const otherInbox = await makeApiInbox(ctx.app, B.token);
      const body = textFrom('intruder', 'let me in', 'prov-401');
      for (const secret of [
        undefined,
        '',
        'wrong',
        inbox.secret.slice(0, -1),
        `${inbox.secret}x`,
        otherInbox.secret,
      ]) {
        const res = await inbound(ctx.app, inbox.id, secret, body);
        expect(res.status, String(secret)).toBe(401);
        expect(res.body.message).toMatch(/X-Inbox-Secret/);
      }
      const unknown = await inbound(ctx.app, '00000000-0000-4000-8000-000000000000', inbox.secret, body);
      expect(unknown.status).toBe(401);
      for (const table of ['contacts', 'contact_identities', 'conversations', 'messages'] as const) {
        expect(await count(table, T.tenant.id), table).toBe(0);
      }
    });

    it('a disabled inbox refuses messages', async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      await http(ctx.app, 'PATCH', `/api/v1/channels/${inbox.id}`, {
        token: A.token,
        body: { isActive: false },
      });
      expect((await inbound(ctx.app, inbox.id, inbox.secret, textFrom('u-off', 'hi'))).status).toBe(403);
    });

    it('validates the message content against its type', async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      for (const message of [
        { type: 'text', content: {} },
        { type: 'text', content: { text: '' } },
        { type: 'text', content: { text: 'x'.repeat(65_537) } },
        { type: 'image', content: { text: 'no url' } },
        { type: 'nonsense', content: { text: 'x' } },
      ]) {
        const res = await inbound(ctx.app, inbox.id, inbox.secret, { contact: { identifier: 'v' }, message });
        expect(res.status, JSON.stringify(message)).toBe(400);
      }
    });

    it('reopens the latest resolved conversation of the contact and publishes conversation.updated', async () => {
      const inbox = await makeApiInbox(ctx.app, A.token);
      const first = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('comes-back', 'problem'));
      const resolved = await http(ctx.app, 'PATCH', `/api/v1/conversations/${first.body.conversationId}`, {
        token: A.token,
        body: { status: 'resolved' },
      });
      expect(resolved.body.status).toBe('resolved');
      const updates = listen('conversation.updated');
      const again = await inbound(ctx.app, inbox.id, inbox.secret, textFrom('comes-back', 'it is back'));
      expect(again.body.conversationId).toBe(first.body.conversationId);
      const conv = await conversationRow(first.body.conversationId);
      expect(conv.status).toBe('open');
      expect(conv.last_message_preview).toBe('it is back');
      await expect
        .poll(() => updates.seen.find((e) => e.conversation.id === first.body.conversationId)?.changes)
        .toEqual(['status']);
      updates.off();
    });
  });
});
