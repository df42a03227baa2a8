import { createHash } from 'node:crypto';
import { MAX_ACTIVE_API_KEYS } from '@orbitdesk/shared';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { login, makeApiKey, makeTenantWithUser, makeUser } from '../support/factories.js';

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');
const KEY_FORMAT = /^wcrm_[A-Za-z0-9_-]{43,}$/;

describe('API keys', () => {
  let ctx: TestContext;
  let admin: Awaited<ReturnType<typeof makeTenantWithUser>>;

  beforeAll(async () => {
    ctx = await startTestApp({
      env: { SUPERADMIN_EMAIL: 'super@orbitdesk.test', SUPERADMIN_PASSWORD: 'Super-secret-pass-1' },
    });
    admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  });
  afterAll(() => ctx.close());

  const rowsOf = (tenantId: string) =>
    ctx.database.unsafe
      .execute<Record<string, unknown>>(sql`select * from api_keys where tenant_id = ${tenantId}`)
      .then((r) => r.rows);
  const activeCount = (tenantId: string) =>
    ctx.database.unsafe
      .execute<{ n: number }>(
        sql`select count(*)::int as n from api_keys where tenant_id = ${tenantId} and revoked_at is null and (expires_at is null or expires_at > now())`,
      )
      .then((r) => r.rows[0]!.n);
  const self = (apiKey: string) => http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey });

  describe('creation', () => {
    it('returns the raw key once and stores only its sha256', async () => {
      const res = await http(ctx.app, 'POST', '/api/v1/api-keys', {
        token: admin.token,
        body: { name: 'CRM sync', scopes: ['contacts:read', 'messages:send'] },
      });
      expect(res.status).toBe(201);
      const raw: string = res.body.key;
      expect(raw).toMatch(KEY_FORMAT);
      expect(res.body).toMatchObject({
        name: 'CRM sync',
        scopes: ['contacts:read', 'messages:send'],
        expiresAt: null,
        revokedAt: null,
        lastUsedAt: null,
      });
      expect(raw.startsWith(res.body.prefix)).toBe(true);
      expect(res.body.prefix.length).toBeLessThan(raw.length);

      const rows = await rowsOf(admin.tenant.id);
      const row = rows.find((r) => r.id === res.body.id);
      expect(row).toBeDefined();
      expect(row!.key_hash).toBe(sha256(raw));
      expect(row!.key_hash).toMatch(/^[0-9a-f]{64}$/);
      // No column of any key row holds the raw key, or the part of it after the prefix.
      const secretPart = raw.slice('wcrm_'.length);
      for (const r of rows) {
        for (const [column, value] of Object.entries(r)) {
          const text = value instanceof Date ? value.toISOString() : JSON.stringify(value ?? null);
          expect(text, `api_keys.${column} leaks the key`).not.toContain(secretPart);
        }
      }
    });

    it('gives every key a distinct value', async () => {
      const a = await makeApiKey(ctx.app, admin.token, ['contacts:read']);
      const b = await makeApiKey(ctx.app, admin.token, ['contacts:read']);
      expect(a.key).not.toBe(b.key);
      expect(a.key).toMatch(KEY_FORMAT);
      expect(b.key).toMatch(KEY_FORMAT);
    });

    it('the list never shows a key', async () => {
      const { key } = await makeApiKey(ctx.app, admin.token, ['flows:read'], { name: 'listed' });
      const res = await http(ctx.app, 'GET', '/api/v1/api-keys', { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      const listed = res.body.items.find((k: { name: string }) => k.name === 'listed');
      expect(listed).toBeDefined();
      expect(listed).not.toHaveProperty('key');
      expect(listed).not.toHaveProperty('keyHash');
      for (const item of res.body.items)
        expect(Object.keys(item).sort()).toEqual([
          'createdAt',
          'expiresAt',
          'id',
          'lastUsedAt',
          'name',
          'prefix',
          'revokedAt',
          'scopes',
        ]);
      expect(JSON.stringify(res.body)).not.toContain(key.slice('wcrm_'.length));
    });
  });

  describe('using a key', () => {
    it('reaches /api-keys/self, which shows the key itself, and records lastUsedAt', async () => {
      const created = await makeApiKey(ctx.app, admin.token, ['contacts:read', 'templates:read'], {
        name: 'whoami',
      });
      const res = await self(created.key);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: created.id,
        name: 'whoami',
        prefix: created.key.slice(0, 11),
        scopes: ['contacts:read', 'templates:read'],
        expiresAt: null,
        lastUsedAt: expect.toBeOneOf([null, expect.any(String)]),
      });
      // lastUsedAt is written after the response (bookkeeping off the request path).
      await expect
        .poll(async () => {
          const list = await http<{ items: { id: string; lastUsedAt: string | null }[] }>(
            ctx.app,
            'GET',
            '/api/v1/api-keys',
            { token: admin.token },
          );
          return list.body.items.find((k) => k.id === created.id)?.lastUsedAt;
        })
        .toEqual(expect.any(String));
      const after = await self(created.key);
      expect(Date.parse(after.body.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('an access token cannot use /api-keys/self', async () => {
      const res = await http(ctx.app, 'GET', '/api/v1/api-keys/self', { token: admin.token });
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/only available to API keys/);
    });

    it('an unknown or malformed key gets 401', async () => {
      const { key } = await makeApiKey(ctx.app, admin.token, ['contacts:read']);
      const tweaked = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      for (const bad of [
        tweaked,
        'wcrm_short',
        `wcrm_${'x'.repeat(43)}`,
        'not-a-key',
        key.toUpperCase(),
        `${key}x`,
      ]) {
        const res = await self(bad);
        expect(res.status, bad).toBe(401);
        expect(res.body).toMatchObject({
          statusCode: 401,
          error: 'Unauthorized',
          message: 'API key is invalid',
        });
      }
    });

    it('an expired key gets 401', async () => {
      const { id, key } = await makeApiKey(ctx.app, admin.token, ['contacts:read'], {
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
      const before = await self(key);
      expect(before.status).toBe(200);
      expect(before.body.expiresAt).not.toBeNull();
      await ctx.database.unsafe.execute(
        sql`update api_keys set expires_at = now() - interval '1 second' where id = ${id}`,
      );
      const res = await self(key);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('API key has expired');
    });

    it('a revoked key gets 401 on its next request, and revoking is idempotent', async () => {
      const { id, key } = await makeApiKey(ctx.app, admin.token, ['contacts:read']);
      expect((await self(key)).status).toBe(200);
      const revoked = await http(ctx.app, 'DELETE', `/api/v1/api-keys/${id}`, { token: admin.token });
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).toEqual(expect.any(String));
      const res = await self(key);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('API key has been revoked');
      const again = await http(ctx.app, 'DELETE', `/api/v1/api-keys/${id}`, { token: admin.token });
      expect(again.status).toBe(200);
      expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
    });

    it('a key of a suspended workspace gets 401, and works again after reactivation', async () => {
      const other = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const { key } = await makeApiKey(ctx.app, other.token, ['contacts:read']);
      expect((await self(key)).status).toBe(200);

      const superadmin = await login(ctx.app, 'super@orbitdesk.test', 'Super-secret-pass-1');
      const suspended = await http(ctx.app, 'POST', `/api/v1/platform/tenants/${other.tenant.id}/suspend`, {
        token: superadmin.token,
        body: { reason: 'unpaid' },
      });
      expect(suspended.status).toBe(200);
      const res = await self(key);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('The workspace of this API key is not active');

      const reactivated = await http(
        ctx.app,
        'POST',
        `/api/v1/platform/tenants/${other.tenant.id}/reactivate`,
        { token: superadmin.token, body: {} },
      );
      expect(reactivated.status).toBe(200);
      expect((await self(key)).status).toBe(200);
    });

    it('a key is refused on ADMIN-only routes meant for people (403), whatever its scopes', async () => {
      const { id, key } = await makeApiKey(ctx.app, admin.token, [
        'contacts:read',
        'contacts:write',
        'messages:send',
      ]);
      const list = await http(ctx.app, 'GET', '/api/v1/api-keys', { apiKey: key });
      expect(list.status).toBe(403);
      expect(list.body.message).toBe('This endpoint is not available to API keys');
      const create = await http(ctx.app, 'POST', '/api/v1/api-keys', {
        apiKey: key,
        body: { name: 'escalate', scopes: ['contacts:read'] },
      });
      expect(create.status).toBe(403);
      const revokeSelf = await http(ctx.app, 'DELETE', `/api/v1/api-keys/${id}`, { apiKey: key });
      expect(revokeSelf.status).toBe(403);
      expect((await http(ctx.app, 'GET', '/api/v1/auth/me', { apiKey: key })).status).toBe(403);
      expect((await self(key)).status).toBe(200);
    });
  });

  describe('the active-key limit', () => {
    it(`allows ${MAX_ACTIVE_API_KEYS} active keys, refuses the next with 409, and counts only active ones`, async () => {
      const t = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      // Revoked and expired keys do not count.
      const gone = await makeApiKey(ctx.app, t.token, ['contacts:read']);
      await http(ctx.app, 'DELETE', `/api/v1/api-keys/${gone.id}`, { token: t.token });
      const old = await makeApiKey(ctx.app, t.token, ['contacts:read']);
      await ctx.database.unsafe.execute(
        sql`update api_keys set expires_at = now() - interval '1 minute' where id = ${old.id}`,
      );

      const keys: { id: string; key: string }[] = [];
      for (let i = 0; i < MAX_ACTIVE_API_KEYS; i++)
        keys.push(await makeApiKey(ctx.app, t.token, ['contacts:read'], { name: `k${i}` }));
      expect(await activeCount(t.tenant.id)).toBe(MAX_ACTIVE_API_KEYS);

      const over = await http(ctx.app, 'POST', '/api/v1/api-keys', {
        token: t.token,
        body: { name: 'one too many', scopes: ['contacts:read'] },
      });
      expect(over.status).toBe(409);
      expect(over.body.message).toBe(
        `A workspace can have at most ${MAX_ACTIVE_API_KEYS} active API keys; revoke one first`,
      );
      expect(await activeCount(t.tenant.id)).toBe(MAX_ACTIVE_API_KEYS);

      // Another tenant's budget is its own.
      expect((await makeApiKey(ctx.app, admin.token, ['contacts:read'])).key).toMatch(KEY_FORMAT);

      const revoked = await http(ctx.app, 'DELETE', `/api/v1/api-keys/${keys[0]!.id}`, { token: t.token });
      expect(revoked.status).toBe(200);
      const again = await http(ctx.app, 'POST', '/api/v1/api-keys', {
        token: t.token,
        body: { name: 'replacement', scopes: ['contacts:read'] },
      });
      expect(again.status).toBe(201);
      expect((await self(again.body.key)).status).toBe(200);
      expect(await activeCount(t.tenant.id)).toBe(MAX_ACTIVE_API_KEYS);
    });

    it('holds under 25 parallel creates: exactly 20 succeed, the rest get 409', async () => {
      const t = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          http(ctx.app, 'POST', '/api/v1/api-keys', {
            token: t.token,
            body: { name: `parallel ${i}`, scopes: ['contacts:read'] },
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_ACTIVE_API_KEYS);
      expect(statuses.filter((s) => s === 409)).toHaveLength(25 - MAX_ACTIVE_API_KEYS);
      expect(await activeCount(t.tenant.id)).toBe(MAX_ACTIVE_API_KEYS);
      expect(await rowsOf(t.tenant.id)).toHaveLength(MAX_ACTIVE_API_KEYS);
    });
  });

  describe('who may manage keys', () => {
    it.each(['AGENT', 'MANAGER'] as const)('a %s gets 403 on every management route', async (role) => {
      const user = await makeUser(ctx.database, admin.tenant.id, { role });
      const { token } = await login(ctx.app, user.email);
      const { id } = await makeApiKey(ctx.app, admin.token, ['contacts:read']);
      const attempts = [
        await http(ctx.app, 'GET', '/api/v1/api-keys', { token }),
        await http(ctx.app, 'POST', '/api/v1/api-keys', {
          token,
          body: { name: 'mine', scopes: ['contacts:read'] },
        }),
        await http(ctx.app, 'PATCH', `/api/v1/api-keys/${id}`, { token, body: { name: 'renamed' } }),
        await http(ctx.app, 'DELETE', `/api/v1/api-keys/${id}`, { token }),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect(res.body.message).toBe('Requires role ADMIN');
      }
      const [row] = (await rowsOf(admin.tenant.id)).filter((r) => r.id === id);
      expect(row).toMatchObject({ revoked_at: null });
      expect(row!.name).not.toBe('renamed');
    });

    it('without credentials every management route answers 401', async () => {
      expect((await http(ctx.app, 'GET', '/api/v1/api-keys')).status).toBe(401);
      expect(
        (await http(ctx.app, 'POST', '/api/v1/api-keys', { body: { name: 'x', scopes: ['contacts:read'] } }))
          .status,
      ).toBe(401);
      expect((await http(ctx.app, 'GET', '/api/v1/api-keys/self')).status).toBe(401);
    });
  });

  describe('updating', () => {
    it('renames a key and changes its scopes, which apply on the next request', async () => {
      const { id, key } = await makeApiKey(ctx.app, admin.token, ['contacts:read']);
      const res = await http(ctx.app, 'PATCH', `/api/v1/api-keys/${id}`, {
        token: admin.token,
        body: { name: 'renamed', scopes: ['messages:read', 'messages:send'] },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name: 'renamed', scopes: ['messages:read', 'messages:send'] });
      expect((await self(key)).body).toMatchObject({
        name: 'renamed',
        scopes: ['messages:read', 'messages:send'],
      });
    });

    it('an unknown id answers 404', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      expect(
        (
          await http(ctx.app, 'PATCH', `/api/v1/api-keys/${missing}`, {
            token: admin.token,
            body: { name: 'x' },
          })
        ).status,
      ).toBe(404);
      expect(
        (await http(ctx.app, 'DELETE', `/api/v1/api-keys/${missing}`, { token: admin.token })).status,
      ).toBe(404);
    });
  });

  describe('across tenants', () => {
    it("tenant B cannot see, rename, rescope or revoke tenant A's key (404), and A's key keeps working", async () => {
      const a = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const b = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const aKey = await makeApiKey(ctx.app, a.token, ['contacts:read'], { name: 'A key' });
      await makeApiKey(ctx.app, b.token, ['contacts:read'], { name: 'B key' });

      const patch = await http(ctx.app, 'PATCH', `/api/v1/api-keys/${aKey.id}`, {
        token: b.token,
        body: { name: 'hijacked', scopes: ['contacts:write'] },
      });
      expect(patch.status).toBe(404);
      expect(patch.body.message).toBe('API key not found');
      const del = await http(ctx.app, 'DELETE', `/api/v1/api-keys/${aKey.id}`, { token: b.token });
      expect(del.status).toBe(404);
      expect(del.body.message).toBe('API key not found');

      const bList = await http(ctx.app, 'GET', '/api/v1/api-keys', { token: b.token });
      expect(bList.body.items.map((k: { name: string }) => k.name)).toEqual(['B key']);

      const [row] = (await rowsOf(a.tenant.id)).filter((r) => r.id === aKey.id);
      expect(row).toMatchObject({ name: 'A key', scopes: ['contacts:read'], revoked_at: null });
      const still = await self(aKey.key);
      expect(still.status).toBe(200);
      expect(still.body).toMatchObject({ id: aKey.id, name: 'A key', scopes: ['contacts:read'] });
    });

    it("a key only ever sees its own tenant's data", async () => {
      const b = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const bKey = await makeApiKey(ctx.app, b.token, ['contacts:read']);
      const res = await self(bKey.key);
      expect(res.body.id).toBe(bKey.id);
      const [row] = (await rowsOf(b.tenant.id)).filter((r) => r.id === bKey.id);
      expect(row!.tenant_id).toBe(b.tenant.id);
    });
  });

  describe('validation', () => {
    const create = (body: unknown) => http(ctx.app, 'POST', '/api/v1/api-keys', { token: admin.token, body });

    it('an unknown scope answers 400 naming the field', async () => {
      const res = await create({ name: 'x', scopes: ['contacts:read', 'contacts:delete'] });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/^Validation failed: .*body\.scopes\.1: /);
      expect(res.body.details.issues).toEqual([expect.objectContaining({ path: 'body.scopes.1' })]);
    });

    it('empty scopes answer 400 naming the field', async () => {
      const res = await create({ name: 'x', scopes: [] });
      expect(res.status).toBe(400);
      expect(res.body.details.issues).toEqual([expect.objectContaining({ path: 'body.scopes' })]);
      expect(res.body.message).toContain('body.scopes:');
    });

    it('repeated scopes answer 400', async () => {
      const res = await create({ name: 'x', scopes: ['contacts:read', 'contacts:read'] });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('body.scopes: scopes must not repeat');
    });

    it('an expiry in the past answers 400 naming the field', async () => {
      const res = await create({
        name: 'x',
        scopes: ['contacts:read'],
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('body.expiresAt: must be in the future');
    });

    it('a malformed expiry, a missing name and unknown fields answer 400 naming each', async () => {
      const res = await create({
        scopes: ['contacts:read'],
        expiresAt: 'tomorrow',
        tenantId: admin.tenant.id,
      });
      expect(res.status).toBe(400);
      const paths = res.body.details.issues.map((i: { path: string }) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.expiresAt', 'body']));
      expect(res.body.message).toContain('unknown property: tenantId');
    });

    it('nothing is created by a rejected request', async () => {
      const before = (await rowsOf(admin.tenant.id)).length;
      await create({ name: 'x', scopes: [] });
      await create({ name: 'x', scopes: ['nope'] });
      expect((await rowsOf(admin.tenant.id)).length).toBe(before);
    });

    it('an update with no fields, or with empty scopes, answers 400', async () => {
      const { id } = await makeApiKey(ctx.app, admin.token, ['contacts:read']);
      const empty = await http(ctx.app, 'PATCH', `/api/v1/api-keys/${id}`, { token: admin.token, body: {} });
      expect(empty.status).toBe(400);
      expect(empty.body.message).toContain('at least one field is required');
      const noScopes = await http(ctx.app, 'PATCH', `/api/v1/api-keys/${id}`, {
        token: admin.token,
        body: { scopes: [] },
      });
      expect(noScopes.status).toBe(400);
      expect(noScopes.body.message).toContain('body.scopes');
      const badId = await http(ctx.app, 'PATCH', '/api/v1/api-keys/not-a-uuid', {
        token: admin.token,
        body: { name: 'x' },
      });
      expect(badId.status).toBe(400);
      expect(badId.body.message).toContain('params.id');
    });
  });
});
