import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, auditLogs, users } from '../../src/db/schema/index.js';
import { ApiKeysService } from '../../src/modules/api-keys/api-keys.service.js';
import { login, makeApiKey, makeTenantWithUser, makeUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/** Tenant B's admin, through the HTTP API, against tenant A's records: always 404, never a change. */
describe('cross-tenant access through the API', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agentOfA: Awaited<ReturnType<typeof makeUser>>;
  let keyOfA: { id: string; key: string };
  let keyOfB: { id: string; key: string };
  let userOfB: { id: string };
  let superToken: string;

  const userRow = async (id: string) =>
    (await ctx.database.unsafe.select().from(users).where(eq(users.id, id)))[0];
  const keyRow = async (id: string) =>
    (await ctx.database.unsafe.select().from(apiKeys).where(eq(apiKeys.id, id)))[0];
  const auditOf = (tenantId: string) =>
    ctx.database.unsafe.select().from(auditLogs).where(eq(auditLogs.tenantId, tenantId));

  beforeAll(async () => {
    ctx = await startTestApp();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    agentOfA = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    keyOfA = await makeApiKey(ctx.app, A.token, ['contacts:read']);
    keyOfB = await makeApiKey(ctx.app, B.token, ['contacts:read', 'conversations:read']);
    const created = await http(ctx.app, 'POST', '/api/v1/users', {
      token: B.token,
      body: { email: `b-agent-${Date.now()}@example.test`, name: 'Agent of B', role: 'AGENT' },
    });
    expect(created.status).toBe(201);
    userOfB = created.body.user;
    superToken = (await login(ctx.app, ctx.config.SUPERADMIN_EMAIL!, ctx.config.SUPERADMIN_PASSWORD)).token;
  });
  afterAll(() => ctx?.close());

  describe("B's admin against A's user", () => {
    it('GET /users/:idOfA → 404, the same answer as a user that does not exist', async () => {
      const res = await http(ctx.app, 'GET', `/api/v1/users/${agentOfA.id}`, { token: B.token });
      const missing = await http(ctx.app, 'GET', `/api/v1/users/00000000-0000-4000-8000-000000000000`, {
        token: B.token,
      });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(missing.body);
      expect(JSON.stringify(res.body)).not.toContain(agentOfA.email);
      // A's own admin does see the user: the 404 is about the tenant, not the id.
      expect((await http(ctx.app, 'GET', `/api/v1/users/${agentOfA.id}`, { token: A.token })).status).toBe(
        200,
      );
    });

    it('PATCH /users/:idOfA → 404 and the row is unchanged', async () => {
      const before = await userRow(agentOfA.id);
      const auditBefore = (await auditOf(A.tenant.id)).length;
      const res = await http(ctx.app, 'PATCH', `/api/v1/users/${agentOfA.id}`, {
        token: B.token,
        body: { name: 'pwned', role: 'ADMIN', isActive: false },
      });
      expect(res.status).toBe(404);
      expect(await userRow(agentOfA.id)).toEqual(before);
      expect(await auditOf(A.tenant.id)).toHaveLength(auditBefore);
    });

    it('DELETE /users/:idOfA → 404, the user stays active and can still sign in and work', async () => {
      const before = await userRow(agentOfA.id);
      const res = await http(ctx.app, 'DELETE', `/api/v1/users/${agentOfA.id}`, { token: B.token });
      expect(res.status).toBe(404);
      expect(await userRow(agentOfA.id)).toEqual(before);
      expect(before!.isActive).toBe(true);
      // No revocation leaked into Redis either: A's agent still gets through the guard.
      const { token } = await login(ctx.app, agentOfA.email);
      expect((await http(ctx.app, 'GET', '/api/v1/users', { token })).status).toBe(200);
    });

    it("GET /users lists only B's users, and a search for A's email finds nothing", async () => {
      const res = await http(ctx.app, 'GET', '/api/v1/users?limit=100', { token: B.token });
      expect(res.status).toBe(200);
      const ids = res.body.items.map((u: { id: string }) => u.id).sort();
      expect(ids).toEqual([B.user.id, userOfB.id].sort());
      expect(res.body.items.every((u: { tenantId: string }) => u.tenantId === B.tenant.id)).toBe(true);
      const search = await http(
        ctx.app,
        'GET',
        `/api/v1/users?search=${encodeURIComponent(agentOfA.email)}`,
        { token: B.token },
      );
      expect(search.status).toBe(200);
      expect(search.body.items).toEqual([]);
    });
  });

  describe("B's admin against A's API key", () => {
    it('PATCH /api-keys/:idOfA → 404 and the key is unchanged', async () => {
      const before = await keyRow(keyOfA.id);
      const res = await http(ctx.app, 'PATCH', `/api/v1/api-keys/${keyOfA.id}`, {
        token: B.token,
        body: { name: 'pwned', scopes: ['messages:send'] },
      });
      expect(res.status).toBe(404);
      expect(await keyRow(keyOfA.id)).toEqual(before);
    });

    it('DELETE /api-keys/:idOfA → 404 and the key still authenticates as tenant A', async () => {
      const res = await http(ctx.app, 'DELETE', `/api/v1/api-keys/${keyOfA.id}`, { token: B.token });
      expect(res.status).toBe(404);
      expect((await keyRow(keyOfA.id))!.revokedAt).toBeNull();
      const principal = await ctx.app.get(ApiKeysService).authenticate(keyOfA.key);
      expect(principal).toMatchObject({ kind: 'api_key', keyId: keyOfA.id, tenantId: A.tenant.id });
      const viaHttp = await http(ctx.app, 'GET', '/api/v1/api-keys/self', { apiKey: keyOfA.key });
      expect(viaHttp.status).toBe(200);
      expect(viaHttp.body).toMatchObject({ id: keyOfA.id, scopes: ['contacts:read'] });
      const list = await http(ctx.app, 'GET', '/api/v1/api-keys', { token: A.token });
      expect(list.body.items.find((k: { id: string }) => k.id === keyOfA.id)).toMatchObject({
        revokedAt: null,
        scopes: ['contacts:read'],
      });
    });

    it("GET /api-keys lists only B's keys", async () => {
      const res = await http(ctx.app, 'GET', '/api/v1/api-keys', { token: B.token });
      expect(res.status).toBe(200);
      expect(res.body.items.map((k: { id: string }) => k.id)).toEqual([keyOfB.id]);
    });
  });

  it("GET /audit-logs shows B's entries and nothing of A's", async () => {
    const res = await http(ctx.app, 'GET', '/api/v1/audit-logs?limit=100', { token: B.token });
    expect(res.status).toBe(200);
    const expected = (await auditOf(B.tenant.id)).map((r) => r.id).sort();
    expect(expected.length).toBeGreaterThanOrEqual(2); // api_key.created + user.created
    expect(res.body.items.map((e: { id: string }) => e.id).sort()).toEqual(expected);
    const idsOfA = new Set((await auditOf(A.tenant.id)).map((r) => r.id));
    expect(idsOfA.size).toBeGreaterThan(0);
    expect(res.body.items.filter((e: { id: string }) => idsOfA.has(e.id))).toEqual([]);
    const byEntity = await http(
      ctx.app,
      'GET',
      `/api/v1/audit-logs?entityType=api_key&entityId=${keyOfA.id}`,
      { token: B.token },
    );
    expect(byEntity.status).toBe(200);
    expect(byEntity.body.items).toEqual([]);
  });

  it("B's API key sees itself, never A's key, whatever the request claims", async () => {
    const res = await http(ctx.app, 'GET', '/api/v1/api-keys/self', {
      apiKey: keyOfB.key,
      headers: { 'x-tenant-id': A.tenant.id },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(keyOfB.id);
    expect(JSON.stringify(res.body)).not.toContain(keyOfA.id);
  });

  it("B's API key cannot reach A's data (nor B's own people data: tenant routes refuse keys)", async () => {
    const probes = [
      `/api/v1/users/${agentOfA.id}`,
      '/api/v1/users',
      '/api/v1/audit-logs',
      '/api/v1/api-keys',
      `/api/v1/platform/tenants/${A.tenant.id}`,
      '/api/v1/platform/users',
    ];
    for (const url of probes) {
      // A header naming another tenant must not matter: the tenant comes from the credential only.
      const res = await http(ctx.app, 'GET', url, {
        apiKey: keyOfB.key,
        headers: { 'x-tenant-id': A.tenant.id },
      });
      expect(res.status, url).toBe(403);
      const text = JSON.stringify(res.body);
      expect(text, url).not.toContain(agentOfA.email);
      expect(text, url).not.toContain(A.user.email);
    }
    for (const [method, url] of [
      ['PATCH', `/api/v1/users/${agentOfA.id}`],
      ['DELETE', `/api/v1/api-keys/${keyOfA.id}`],
    ] as const) {
      const res = await http(ctx.app, method, url, {
        apiKey: keyOfB.key,
        body: method === 'PATCH' ? { name: 'pwned' } : undefined,
      });
      expect(res.status, `${method} ${url}`).toBe(403);
    }
    expect((await userRow(agentOfA.id))!.name).toBe(agentOfA.name);
    expect((await keyRow(keyOfA.id))!.revokedAt).toBeNull();
  });

  describe('platform and tenant routes are separate worlds', () => {
    const platformRoutes = (tenantId: string) =>
      [
        ['GET', '/api/v1/platform/tenants'],
        ['GET', `/api/v1/platform/tenants/${tenantId}`],
        ['POST', `/api/v1/platform/tenants/${tenantId}/approve`],
        ['POST', `/api/v1/platform/tenants/${tenantId}/reject`],
        ['POST', `/api/v1/platform/tenants/${tenantId}/suspend`],
        ['POST', `/api/v1/platform/tenants/${tenantId}/reactivate`],
        ['GET', '/api/v1/platform/users'],
      ] as const;

    it('a tenant ADMIN (not a superadmin) gets 403 on every /platform route, and nothing changes', async () => {
      for (const [method, url] of platformRoutes(B.tenant.id)) {
        const res = await http(ctx.app, method, url, {
          token: A.token,
          body: method === 'POST' ? {} : undefined,
        });
        expect(res.status, `${method} ${url}`).toBe(403);
      }
      const { token: agentToken } = await login(ctx.app, agentOfA.email);
      expect((await http(ctx.app, 'GET', '/api/v1/platform/tenants', { token: agentToken })).status).toBe(
        403,
      );
      const tenant = await http(ctx.app, 'GET', `/api/v1/platform/tenants/${B.tenant.id}`, {
        token: superToken,
      });
      expect(tenant.body.status).toBe('ACTIVE');
    });

    it('a superadmin gets 403 on tenant routes', async () => {
      const routes = [
        ['GET', '/api/v1/users'],
        ['GET', `/api/v1/users/${agentOfA.id}`],
        ['POST', '/api/v1/users'],
        ['PATCH', `/api/v1/users/${agentOfA.id}`],
        ['DELETE', `/api/v1/users/${agentOfA.id}`],
        ['GET', '/api/v1/audit-logs'],
        ['GET', '/api/v1/api-keys'],
        ['POST', '/api/v1/api-keys'],
      ] as const;
      for (const [method, url] of routes) {
        const body =
          method === 'POST'
            ? { email: `x-${Date.now()}@example.test`, name: 'x', role: 'AGENT', scopes: ['contacts:read'] }
            : method === 'PATCH'
              ? { name: 'x' }
              : undefined;
        const res = await http(ctx.app, method, url, { token: superToken, body });
        expect(res.status, `${method} ${url}`).toBe(403);
      }
      expect((await userRow(agentOfA.id))!.name).toBe(agentOfA.name);
    });
  });
});
