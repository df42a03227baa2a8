import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TContact } from '@orbitdesk/shared';
import { DomainEvents } from '../../src/common/events/domain-events.js';
import { auditLogs, contactIdentities, contacts, conversations } from '../../src/db/schema/index.js';
import { login, makeApiKey, makeTenantWithUser, makeUser } from '../support/factories.js';
import { allPages as pagesOf, http, startTestApp, type TestContext } from '../support/test-app.js';

const uniq = () => randomBytes(4).toString('hex');
type Page = { items: TContact[]; nextCursor: string | null };

describe('contacts', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agentToken: string;

  const create = (body: Record<string, unknown>, token = agentToken) =>
    http<TContact & { message: string }>(ctx.app, 'POST', '/api/v1/contacts', { token, body });
  const contactRow = async (id: string) =>
    (await ctx.database.unsafe.select().from(contacts).where(eq(contacts.id, id)))[0];

  const allPages = (token: string, query: string) =>
    pagesOf(ctx.app, '/api/v1/contacts', token, query, 50) as Promise<Page[]>;

  beforeAll(async () => {
    ctx = await startTestApp();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    agentToken = (await login(ctx.app, agent.email)).token;
  });
  afterAll(() => ctx?.close());

  describe('create and validate', () => {
    it('an AGENT creates a contact; phone is normalised to E.164, email lower-cased, tags trimmed and deduped', async () => {
      const events: unknown[] = [];
      const off = ctx.app.get(DomainEvents).on('contact.created', (e) => void events.push(e));
      const res = await create({
        phone: '+1 (415) 555-2671',
        name: 'Ada Lovelace',
        email: 'Ada@Example.COM',
        tags: [' vip', 'lead ', 'vip'],
        customFields: { plan: 'gold', seats: 3 },
        optedIn: true,
        avatarUrl: 'https://img.example.test/ada.png',
        identities: [{ channelType: 'whatsapp', identifier: '14155552671' }],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({
        phone: '+14155552671',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        tags: ['vip', 'lead'],
        customFields: { plan: 'gold', seats: 3 },
        optedIn: true,
        isOnDncList: false,
        identities: [{ channelType: 'whatsapp', identifier: '14155552671' }],
      });
      expect((await contactRow(res.body.id))!.tenantId).toBe(A.tenant.id);
      await new Promise((r) => setImmediate(r));
      off();
      expect(events).toEqual([{ tenantId: A.tenant.id, contact: res.body }]);
      const audit = await ctx.database.unsafe
        .select()
        .from(auditLogs)
        .where(eq(auditLogs.entityId, res.body.id));
      expect(audit.map((a) => a.action)).toEqual(['contact.created']);
    });

    it('reads a national number in defaultCountry', async () => {
      const res = await create({ phone: '030 12345678', defaultCountry: 'de', name: 'Berlin' });
      expect(res.status).toBe(201);
      expect(res.body.phone).toBe('+493012345678');
    });

    it('400s name the offending field', async () => {
      const bad = async (body: Record<string, unknown>, field: string) => {
        const res = await create(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.message).toContain(field);
      };
      await bad({ phone: '555-2671' }, 'body.phone');
      await bad({ phone: '+1 415' }, 'body.phone');
      await bad({ email: 'nope' }, 'body.email');
      await bad({ name: 'x', avatarUrl: 'javascript:alert(1)' }, 'body.avatarUrl');
      await bad({ name: 'x', avatarUrl: 'ftp://example.test/a.png' }, 'body.avatarUrl');
      await bad({ name: 'x', customFields: { big: 'x'.repeat(20_000) } }, 'body.customFields');
      await bad({ name: 'x', identities: [{ channelType: 'pigeon', identifier: '1' }] }, 'body.identities');
      await bad({ name: 'x', color: 'red' }, 'color');
      await bad({ name: 'x', phone: '4155552671', defaultCountry: 'QQ' }, 'body.defaultCountry');
      await bad({}, 'at least one of');
    });

    it('duplicate phone, email or identity in the tenant is 409 naming it; another tenant may have the same', async () => {
      const phone = '+14155550101';
      const email = `dup-${uniq()}@example.test`;
      expect(
        (await create({ phone, email, identities: [{ channelType: 'telegram', identifier: 'tg-1' }] }))
          .status,
      ).toBe(201);
      const byPhone = await create({ phone: '+1 415 555 0101' });
      expect(byPhone.status).toBe(409);
      expect(byPhone.body.message).toContain(phone);
      const byEmail = await create({ email: email.toUpperCase() });
      expect(byEmail.status).toBe(409);
      expect(byEmail.body.message).toContain(email);
      const byIdentity = await create({
        name: 'x',
        identities: [{ channelType: 'telegram', identifier: 'tg-1' }],
      });
      expect(byIdentity.status).toBe(409);
      expect(byIdentity.body.message).toContain('telegram:tg-1');
      expect((await create({ phone, email }, B.token)).status).toBe(201);
    });
  });

  describe('read, update, delete', () => {
    it('GET, PATCH (null clears, identities replace) and DELETE', async () => {
      const c = (await create({ name: 'Pat', phone: '+14155550102', tags: ['a'] })).body;
      expect((await http(ctx.app, 'GET', `/api/v1/contacts/${c.id}`, { token: agentToken })).body).toEqual(c);
      const patched = await http<TContact>(ctx.app, 'PATCH', `/api/v1/contacts/${c.id}`, {
        token: agentToken,
        body: {
          phone: null,
          email: 'PAT@example.test',
          tags: ['b', ' b '],
          isOnDncList: true,
          identities: [{ channelType: 'email', identifier: 'pat@example.test' }],
        },
      });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body).toMatchObject({
        name: 'Pat',
        phone: null,
        email: 'pat@example.test',
        tags: ['b'],
        isOnDncList: true,
        identities: [{ channelType: 'email', identifier: 'pat@example.test' }],
      });
      const badPatch = await http(ctx.app, 'PATCH', `/api/v1/contacts/${c.id}`, {
        token: agentToken,
        body: { phone: 'abc' },
      });
      expect(badPatch.status).toBe(400);
      expect(badPatch.body.message).toContain('body.phone');
      expect((await http(ctx.app, 'DELETE', `/api/v1/contacts/${c.id}`, { token: agentToken })).status).toBe(
        200,
      );
      expect((await http(ctx.app, 'GET', `/api/v1/contacts/${c.id}`, { token: agentToken })).status).toBe(
        404,
      );
      expect((await http(ctx.app, 'DELETE', `/api/v1/contacts/${c.id}`, { token: agentToken })).status).toBe(
        404,
      );
    });

    it('PATCH to a phone another contact has is 409', async () => {
      await create({ phone: '+14155550103' });
      const other = (await create({ phone: '+14155550104' })).body;
      const res = await http(ctx.app, 'PATCH', `/api/v1/contacts/${other.id}`, {
        token: agentToken,
        body: { phone: '+14155550103' },
      });
      expect(res.status).toBe(409);
      expect(res.body.message).toContain('+14155550103');
    });
  });

  describe('list', () => {
    let T: Awaited<ReturnType<typeof makeTenantWithUser>>;
    const names = [
      'Zoe Zed',
      'alice anders',
      'Bob Baker',
      'Carla Cruz',
      'Dan Dorsey',
      'Eve Evans',
      'Finn Fox',
    ];
    beforeAll(async () => {
      T = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
      for (const [i, name] of names.entries()) {
        const res = await create(
          {
            name,
            email: `${name.split(' ')[0]!.toLowerCase()}@corp${i}.example.test`,
            phone: `+1415555${String(2000 + i)}`,
            tags: i % 2 === 0 ? ['even', 'all'] : ['odd', 'all'],
          },
          T.token,
        );
        expect(res.status).toBe(201);
      }
      // Contacts without a name sort last by name.
      expect((await create({ phone: '+14155553001' }, T.token)).status).toBe(201);
      expect((await create({ phone: '+14155553002' }, T.token)).status).toBe(201);
    });

    it('searches name, email and phone by a part of them, case-insensitively', async () => {
      const q = async (term: string) =>
        (await allPages(T.token, `q=${encodeURIComponent(term)}`)).flatMap((p) => p.items.map((c) => c.name));
      expect(await q('BAKER')).toEqual(['Bob Baker']);
      expect(await q('corp3.example')).toEqual(['Carla Cruz']);
      expect(await q('5552005')).toEqual(['Eve Evans']);
      expect(await q('%')).toEqual([]);
    });

    it('filters by tags: contacts having all of them', async () => {
      const even = (await allPages(T.token, 'tags=even,all')).flatMap((p) => p.items);
      expect(even.map((c) => c.name).sort()).toEqual(
        ['Bob Baker', 'Dan Dorsey', 'Finn Fox', 'Zoe Zed'].sort(),
      );
      const both = (await allPages(T.token, 'tags=even&tags=odd')).flatMap((p) => p.items);
      expect(both).toEqual([]);
    });

    it('pages newest first without duplicates or gaps', async () => {
      const pages = await allPages(T.token, 'limit=2');
      const items = pages.flatMap((p) => p.items);
      expect(pages.length).toBe(5);
      expect(items).toHaveLength(9);
      expect(new Set(items.map((c) => c.id)).size).toBe(9);
      const times = items.map((c) => c.createdAt);
      expect([...times].sort().reverse()).toEqual(times);
    });

    it('pages by name (nulls last) without duplicates or gaps', async () => {
      const pages = await allPages(T.token, 'sort=name&limit=2');
      const items = pages.flatMap((p) => p.items);
      expect(items).toHaveLength(9);
      expect(new Set(items.map((c) => c.id)).size).toBe(9);
      const named = items.slice(0, 7).map((c) => c.name!);
      expect(items.slice(7).map((c) => c.name)).toEqual([null, null]);
      const { rows } = await ctx.database.pool.query<{ name: string }>(
        'select name from contacts where tenant_id = $1 and name is not null order by name, id',
        [T.tenant.id],
      );
      expect(named).toEqual(rows.map((r) => r.name));
    });

    it('refuses a cursor it did not issue', async () => {
      const res = await http(ctx.app, 'GET', '/api/v1/contacts?sort=name&cursor=abc', { token: T.token });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('query.cursor');
    });
  });

  describe('API keys', () => {
    it('contacts:read lists but cannot create (403 naming contacts:write)', async () => {
      const key = await makeApiKey(ctx.app, A.token, ['contacts:read']);
      expect((await http(ctx.app, 'GET', '/api/v1/contacts', { apiKey: key.key })).status).toBe(200);
      const res = await http(ctx.app, 'POST', '/api/v1/contacts', { apiKey: key.key, body: { name: 'x' } });
      expect(res.status).toBe(403);
      expect(res.body.message).toContain('contacts:write');
      const writer = await makeApiKey(ctx.app, A.token, ['contacts:write']);
      expect(
        (await http(ctx.app, 'POST', '/api/v1/contacts', { apiKey: writer.key, body: { name: 'by key' } }))
          .status,
      ).toBe(201);
    });
  });

  describe('merge', () => {
    it('moves identities, tags, fields and conversations to the survivor, then deletes the source', async () => {
      const survivor = (
        await create({
          name: 'Survivor',
          email: `surv-${uniq()}@example.test`,
          tags: ['a', 'b'],
          customFields: { plan: 'gold', tier: 1 },
          identities: [{ channelType: 'whatsapp', identifier: `w-${uniq()}` }],
        })
      ).body;
      const source = (
        await create({
          name: 'Source',
          phone: '+14155550150',
          email: `src-${uniq()}@example.test`,
          tags: ['b', 'c'],
          customFields: { plan: 'silver', city: 'Oslo' },
          isOnDncList: true,
          identities: [{ channelType: 'telegram', identifier: `t-${uniq()}` }],
        })
      ).body;
      const channelId = randomUUID();
      const conversationId = randomUUID();
      await ctx.database.unsafe.execute(
        sql`insert into channels (id, tenant_id, type, name) values (${channelId}, ${A.tenant.id}, 'api', 'API')`,
      );
      await ctx.database.unsafe.execute(
        sql`insert into conversations (id, tenant_id, number, channel_id, contact_id) values (${conversationId}, ${A.tenant.id}, 1, ${channelId}, ${source.id})`,
      );

      const res = await http<TContact>(ctx.app, 'POST', `/api/v1/contacts/${survivor.id}/merge`, {
        token: agentToken,
        body: { sourceId: source.id },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({
        id: survivor.id,
        name: 'Survivor',
        email: survivor.email,
        phone: '+14155550150',
        tags: ['a', 'b', 'c'],
        customFields: { plan: 'gold', tier: 1, city: 'Oslo' },
        isOnDncList: true,
      });
      expect(res.body.identities.map((i) => i.identifier).sort()).toEqual(
        [...survivor.identities, ...source.identities].map((i) => i.identifier).sort(),
      );
      expect(await contactRow(source.id)).toBeUndefined();
      const [conv] = await ctx.database.unsafe
        .select()
        .from(conversations)
        .where(eq(conversations.id, conversationId));
      expect(conv!.contactId).toBe(survivor.id);
      const audit = await ctx.database.unsafe
        .select()
        .from(auditLogs)
        .where(eq(auditLogs.entityId, survivor.id));
      expect(audit.map((a) => a.action)).toContain('contact.merged');
    });

    it('merging a contact with itself is 400; an unknown source is 404', async () => {
      const c = (await create({ name: 'Solo' })).body;
      const self = await http(ctx.app, 'POST', `/api/v1/contacts/${c.id}/merge`, {
        token: agentToken,
        body: { sourceId: c.id },
      });
      expect(self.status).toBe(400);
      expect(self.body.message).toContain('sourceId');
      const missing = await http(ctx.app, 'POST', `/api/v1/contacts/${c.id}/merge`, {
        token: agentToken,
        body: { sourceId: randomUUID() },
      });
      expect(missing.status).toBe(404);
    });
  });

  describe('cross-tenant', () => {
    it("B gets 404 for A's contact on GET, PATCH, DELETE and merge, and nothing changes", async () => {
      const a = (
        await create({
          name: 'Private',
          phone: '+14155550160',
          identities: [{ channelType: 'api', identifier: `x-${uniq()}` }],
        })
      ).body;
      const b = (await create({ name: 'Mine' }, B.token)).body;
      const before = await contactRow(a.id);
      const identitiesBefore = await ctx.database.unsafe
        .select()
        .from(contactIdentities)
        .where(eq(contactIdentities.contactId, a.id));
      const missing = await http(ctx.app, 'GET', `/api/v1/contacts/${randomUUID()}`, { token: B.token });
      const get = await http(ctx.app, 'GET', `/api/v1/contacts/${a.id}`, { token: B.token });
      expect(get.status).toBe(404);
      expect(get.body).toEqual(missing.body);
      expect(
        (
          await http(ctx.app, 'PATCH', `/api/v1/contacts/${a.id}`, {
            token: B.token,
            body: { name: 'pwned' },
          })
        ).status,
      ).toBe(404);
      expect((await http(ctx.app, 'DELETE', `/api/v1/contacts/${a.id}`, { token: B.token })).status).toBe(
        404,
      );
      // Either direction of a merge: A's contact as survivor or as source.
      expect(
        (
          await http(ctx.app, 'POST', `/api/v1/contacts/${b.id}/merge`, {
            token: B.token,
            body: { sourceId: a.id },
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await http(ctx.app, 'POST', `/api/v1/contacts/${a.id}/merge`, {
            token: B.token,
            body: { sourceId: b.id },
          })
        ).status,
      ).toBe(404);
      expect(await contactRow(a.id)).toEqual(before);
      expect(await contactRow(b.id)).toBeDefined();
      expect(
        await ctx.database.unsafe
          .select()
          .from(contactIdentities)
          .where(eq(contactIdentities.contactId, a.id)),
      ).toEqual(identitiesBefore);
      const list = (await allPages(B.token, 'q=Private')).flatMap((p) => p.items);
      expect(list).toEqual([]);
    });
  });
});
