import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs, users } from '../../src/db/schema/index.js';
import { DEFAULT_PASSWORD, login, makeTenant, makeTenantWithUser, makeUser } from '../support/factories.js';
import {
  allPages as pagesOf,
  http,
  startTestApp,
  type HttpResult,
  type TestContext,
} from '../support/test-app.js';

const uniq = () => randomBytes(4).toString('hex');
const email = (label = 'user') => `${label}-${uniq()}@example.test`;

type Page = {
  items: Array<{ id: string; name: string; email: string; role: string; tenantId: string }>;
  nextCursor: string | null;
};

describe('users', () => {
  let ctx: TestContext;
  let admin: Awaited<ReturnType<typeof makeTenantWithUser>>;

  const row = async (id: string) =>
    (await ctx.database.unsafe.select().from(users).where(eq(users.id, id)))[0];
  const create = (token: string, body: Record<string, unknown>) =>
    http(ctx.app, 'POST', '/api/v1/users', { token, body });

  const allPages = (token: string, query: string) =>
    pagesOf(ctx.app, '/api/v1/users', token, query, 20) as Promise<Page[]>;

  beforeAll(async () => {
    ctx = await startTestApp();
    admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  });
  afterAll(() => ctx?.close());

  describe('create', () => {
    it('an ADMIN creates a user with a password, who can then log in', async () => {
      const addr = email('pw');
      const res = await create(admin.token, {
        email: addr,
        name: '  Pat Password  ',
        role: 'MANAGER',
        password: 'a-long-password-1',
      });
      expect(res.status).toBe(201);
      expect(res.body.inviteUrl).toBeNull();
      expect(res.body.user).toMatchObject({
        email: addr,
        name: 'Pat Password',
        role: 'MANAGER',
        tenantId: admin.tenant.id,
        isActive: true,
        invitePending: false,
        lastLoginAt: null,
      });
      const session = await login(ctx.app, addr, 'a-long-password-1');
      expect(session.body.user).toMatchObject({
        id: res.body.user.id,
        role: 'MANAGER',
        tenant: { id: admin.tenant.id },
      });
      // The password is stored hashed, never as given.
      expect((await row(res.body.user.id))!.passwordHash).not.toContain('a-long-password-1');
    });

    it('without a password the user is invited: inviteUrl, invitePending, and the link sets a password', async () => {
      const addr = email('invite');
      const res = await create(admin.token, { email: addr, name: 'Ivy Invite', role: 'AGENT' });
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({ email: addr, invitePending: true, isActive: true });
      expect(res.body.inviteUrl).toMatch(
        new RegExp(`^${ctx.config.WEB_URL}/accept-invite\\?token=[A-Za-z0-9_-]{20,}$`),
      );
      const stored = await row(res.body.user.id);
      expect(stored!.passwordHash).toBeNull();
      const token = new URL(res.body.inviteUrl).searchParams.get('token')!;
      expect(stored!.inviteTokenHash).not.toBe(token); // only the hash is kept

      expect(
        (
          await http(ctx.app, 'POST', '/api/v1/auth/login', {
            body: { email: addr, password: 'whatever-password' },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await http(ctx.app, 'POST', '/api/v1/auth/accept-invite', {
            body: { token, password: 'invited-password-1' },
          })
        ).status,
      ).toBe(200);
      await login(ctx.app, addr, 'invited-password-1');
      const after = await http(ctx.app, 'GET', `/api/v1/users/${res.body.user.id}`, { token: admin.token });
      expect(after.body.invitePending).toBe(false);
      // One use only.
      expect(
        (
          await http(ctx.app, 'POST', '/api/v1/auth/accept-invite', {
            body: { token, password: 'another-password-1' },
          })
        ).status,
      ).toBe(400);
    });

    it('a duplicate email is 409, whatever its case, in the same tenant and across tenants', async () => {
      const addr = email('dup');
      expect((await create(admin.token, { email: addr, name: 'First', role: 'AGENT' })).status).toBe(201);
      const same = await create(admin.token, { email: addr, name: 'Again', role: 'AGENT' });
      expect(same.status).toBe(409);
      expect(same.body.message).toMatch(/already exists/);
      expect(
        (await create(admin.token, { email: addr.toUpperCase(), name: 'Shouting', role: 'AGENT' })).status,
      ).toBe(409);

      const other = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const across = await create(other.token, { email: addr, name: 'Elsewhere', role: 'AGENT' });
      expect(across.status).toBe(409);
      // The superadmin's address is taken too: one email, one login.
      expect(
        (
          await create(admin.token, {
            email: ctx.config.SUPERADMIN_EMAIL!,
            name: 'Fake super',
            role: 'ADMIN',
          })
        ).status,
      ).toBe(409);
      const count = await ctx.database.unsafe.select().from(users).where(eq(users.email, addr));
      expect(count).toHaveLength(1);
    });

    it('validation errors name the field', async () => {
      const res = await create(admin.token, {
        email: 'not-an-email',
        name: '',
        role: 'OWNER',
        password: 'short',
      });
      expect(res.status).toBe(400);
      const paths = res.body.details.issues.map((i: { path: string }) => i.path).sort();
      expect(paths).toEqual(['body.email', 'body.name', 'body.password', 'body.role']);
      for (const p of paths) expect(res.body.message).toContain(`${p}:`);
      expect(res.body.message).toContain('body.password: must be at least 10 characters');

      const missing = await create(admin.token, { name: 'No email', role: 'AGENT' });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('body.email');

      const badId = await http(ctx.app, 'GET', '/api/v1/users/not-a-uuid', { token: admin.token });
      expect(badId.status).toBe(400);
      expect(badId.body.message).toContain('params.id');
    });

    it('an unknown property is rejected by name (a tenantId in the body cannot pick the tenant)', async () => {
      const other = await makeTenant(ctx.database);
      const addr = email('smuggle');
      const res = await create(admin.token, {
        email: addr,
        name: 'Smuggler',
        role: 'AGENT',
        tenantId: other.id,
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('unknown property: tenantId');
      expect(await ctx.database.unsafe.select().from(users).where(eq(users.email, addr))).toHaveLength(0);

      const target = await makeUser(ctx.database, admin.tenant.id);
      const patch = await http(ctx.app, 'PATCH', `/api/v1/users/${target.id}`, {
        token: admin.token,
        body: { email: 'new@example.test', isAdmin: true },
      });
      expect(patch.status).toBe(400);
      expect(patch.body.message).toContain('unknown properties: email, isAdmin');
      const empty = await http(ctx.app, 'PATCH', `/api/v1/users/${target.id}`, {
        token: admin.token,
        body: {},
      });
      expect(empty.status).toBe(400);
      expect(empty.body.message).toContain('at least one field is required');
    });
  });

  describe('list', () => {
    it('filters by search (name or email, wildcards taken literally) and by role', async () => {
      const t = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const tag = uniq();
      const alice = (
        await create(t.token, { email: `alice-${tag}@example.test`, name: 'Alice Search', role: 'MANAGER' })
      ).body.user;
      const bob = (
        await create(t.token, { email: `bob-${tag}@example.test`, name: `Bob ${tag}`, role: 'AGENT' })
      ).body.user;
      const pct = (await create(t.token, { email: email('pct'), name: '100% Percent', role: 'AGENT' })).body
        .user;

      const byTag = await http<Page>(ctx.app, 'GET', `/api/v1/users?search=${tag}`, { token: t.token });
      expect(byTag.body.items.map((u) => u.id).sort()).toEqual([alice.id, bob.id].sort());
      const byName = await http<Page>(ctx.app, 'GET', '/api/v1/users?search=alice%20SEARCH', {
        token: t.token,
      });
      expect(byName.body.items.map((u) => u.id)).toEqual([alice.id]);
      const wildcard = await http<Page>(ctx.app, 'GET', `/api/v1/users?search=${encodeURIComponent('%')}`, {
        token: t.token,
      });
      expect(wildcard.body.items.map((u) => u.id)).toEqual([pct.id]);

      const managers = await http<Page>(ctx.app, 'GET', '/api/v1/users?role=MANAGER', { token: t.token });
      expect(managers.body.items.map((u) => u.id)).toEqual([alice.id]);
      const agents = await http<Page>(ctx.app, 'GET', `/api/v1/users?role=AGENT&search=${tag}`, {
        token: t.token,
      });
      expect(agents.body.items.map((u) => u.id)).toEqual([bob.id]);
      const admins = await http<Page>(ctx.app, 'GET', '/api/v1/users?role=ADMIN', { token: t.token });
      expect(admins.body.items.map((u) => u.id)).toEqual([t.user.id]);

      const badRole = await http(ctx.app, 'GET', '/api/v1/users?role=OWNER', { token: t.token });
      expect(badRole.status).toBe(400);
      expect(badRole.body.message).toContain('query.role');
    });

    it('paginates with a cursor: 7 users, limit 3 → 3 pages, newest first, no duplicates, nextCursor null at the end', async () => {
      const t = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const tag = uniq();
      const created: string[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await create(t.token, {
          email: `page${i}-${tag}@example.test`,
          name: `Pager ${tag} ${i}`,
          role: 'AGENT',
        });
        expect(res.status).toBe(201);
        created.push(res.body.user.id);
      }
      const pages = await allPages(t.token, `limit=3&search=${tag}`);
      expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
      expect(pages.map((p) => p.nextCursor === null)).toEqual([false, false, true]);
      const ids = pages.flatMap((p) => p.items.map((u) => u.id));
      expect(new Set(ids).size).toBe(7);
      expect(ids).toEqual([...created].reverse());

      // Without the search the admin is the 8th user: 3 + 3 + 2.
      const everyone = await allPages(t.token, 'limit=3');
      expect(everyone.map((p) => p.items.length)).toEqual([3, 3, 2]);
      expect(new Set(everyone.flatMap((p) => p.items.map((u) => u.id))).size).toBe(8);
    });

    it('paginates rows created in the same transaction (same created_at) without skipping any', async () => {
      const t = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const tag = uniq();
      // One statement: every row gets the same now(), down to the microsecond.
      const inserted = await ctx.database.unsafe
        .insert(users)
        .values(
          Array.from({ length: 7 }, (_, i) => ({
            tenantId: t.tenant.id,
            email: `bulk${i}-${tag}@example.test`,
            name: `Bulk ${tag} ${i}`,
            role: 'AGENT' as const,
          })),
        )
        .returning();
      expect(new Set(inserted.map((u) => u.createdAt.getTime())).size).toBe(1);
      const pages = await allPages(t.token, `limit=3&search=${tag}`);
      const ids = pages.flatMap((p) => p.items.map((u) => u.id));
      expect(ids.sort()).toEqual(inserted.map((u) => u.id).sort());
      expect(pages.map((p) => p.items.length)).toEqual([3, 3, 1]);
    });

    it('a cursor the API did not issue is 400, not 500', async () => {
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const garbage = [
        'garbage',
        '%%%',
        b64({ createdAt: '2024-01-01', id: 'x' }),
        b64(['not a date', '3f1c1c56-0b8c-4a53-9f3c-1f1a2b3c4d5e']),
        b64(['2024-01-01T00:00:00.000Z', 'not-a-uuid']),
        // 36 characters of the allowed alphabet, but not a uuid Postgres accepts.
        b64(['2024-01-01T00:00:00.000Z', '------------------------------------']),
        // A date JavaScript accepts but Postgres cannot store.
        b64(['-100000-01-01T00:00:00.000Z', '3f1c1c56-0b8c-4a53-9f3c-1f1a2b3c4d5e']),
      ];
      for (const cursor of garbage) {
        const res = await http(ctx.app, 'GET', `/api/v1/users?limit=3&cursor=${encodeURIComponent(cursor)}`, {
          token: admin.token,
        });
        expect(res.status, cursor).toBe(400);
        expect(res.body.message, cursor).toContain('query.cursor');
      }
      // A well-formed cursor whose row does not exist (deleted, or another tenant's) still pages by its timestamp.
      const future = await http<Page>(
        ctx.app,
        'GET',
        `/api/v1/users?limit=100&cursor=${b64(['2999-01-01T00:00:00.000Z', '3f1c1c56-0b8c-4a53-9f3c-1f1a2b3c4d5e'])}`,
        { token: admin.token },
      );
      expect(future.status).toBe(200);
      const all = await http<Page>(ctx.app, 'GET', '/api/v1/users?limit=100', { token: admin.token });
      expect(future.body.items.map((u) => u.id)).toEqual(all.body.items.map((u) => u.id));
      const past = await http<Page>(
        ctx.app,
        'GET',
        `/api/v1/users?cursor=${b64(['2000-01-01T00:00:00.000Z', '3f1c1c56-0b8c-4a53-9f3c-1f1a2b3c4d5e'])}`,
        { token: admin.token },
      );
      expect(past.body).toEqual({ items: [], nextCursor: null });
      for (const limit of ['0', '101', 'abc']) {
        const res = await http(ctx.app, 'GET', `/api/v1/users?limit=${limit}`, { token: admin.token });
        expect(res.status, limit).toBe(400);
        expect(res.body.message).toContain('query.limit');
      }
    });
  });

  describe('update and deactivate', () => {
    it("PATCH changes a user's role and name", async () => {
      const target = await makeUser(ctx.database, admin.tenant.id, { role: 'AGENT' });
      const res = await http(ctx.app, 'PATCH', `/api/v1/users/${target.id}`, {
        token: admin.token,
        body: { role: 'MANAGER', name: 'Promoted Person' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: target.id,
        role: 'MANAGER',
        name: 'Promoted Person',
        isActive: true,
      });
      expect(await row(target.id)).toMatchObject({ role: 'MANAGER', name: 'Promoted Person' });
      // The new role is in the next login's token.
      expect((await login(ctx.app, target.email)).body.user.role).toBe('MANAGER');
    });

    it('an admin cannot change or deactivate themself (403), and nothing changes', async () => {
      const before = await row(admin.user.id);
      const patch = await http(ctx.app, 'PATCH', `/api/v1/users/${admin.user.id}`, {
        token: admin.token,
        body: { role: 'AGENT' },
      });
      expect(patch.status).toBe(403);
      const del = await http(ctx.app, 'DELETE', `/api/v1/users/${admin.user.id}`, { token: admin.token });
      expect(del.status).toBe(403);
      expect(await row(admin.user.id)).toEqual(before);
    });

    it('DELETE deactivates (isActive false, row kept) and ends the user’s access at once', async () => {
      const target = await makeUser(ctx.database, admin.tenant.id, { role: 'AGENT' });
      const { token } = await login(ctx.app, target.email);
      expect((await http(ctx.app, 'GET', '/api/v1/users', { token })).status).toBe(200);

      const res = await http(ctx.app, 'DELETE', `/api/v1/users/${target.id}`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: target.id, isActive: false });
      expect(await row(target.id)).toMatchObject({ id: target.id, isActive: false, email: target.email });
      expect(
        (await http(ctx.app, 'GET', `/api/v1/users/${target.id}`, { token: admin.token })).body.isActive,
      ).toBe(false);

      expect((await http(ctx.app, 'GET', '/api/v1/users', { token })).status).toBe(401);
      const relogin = await http(ctx.app, 'POST', '/api/v1/auth/login', {
        body: { email: target.email, password: DEFAULT_PASSWORD },
      });
      expect(relogin.status).toBe(403);

      // Reactivation through PATCH restores access.
      expect(
        (
          await http(ctx.app, 'PATCH', `/api/v1/users/${target.id}`, {
            token: admin.token,
            body: { isActive: true },
          })
        ).status,
      ).toBe(200);
      await login(ctx.app, target.email);
    });

    it('an unknown user id is 404', async () => {
      const id = '9b2f3c1e-5d4a-4b6c-8e7f-0a1b2c3d4e5f';
      expect((await http(ctx.app, 'GET', `/api/v1/users/${id}`, { token: admin.token })).status).toBe(404);
      expect(
        (await http(ctx.app, 'PATCH', `/api/v1/users/${id}`, { token: admin.token, body: { name: 'x' } }))
          .status,
      ).toBe(404);
      expect((await http(ctx.app, 'DELETE', `/api/v1/users/${id}`, { token: admin.token })).status).toBe(404);
    });
  });

  describe('roles', () => {
    it.each(['AGENT', 'MANAGER'] as const)(
      '%s can list and read users but cannot create, change or deactivate them (403)',
      async (role) => {
        const member = await makeUser(ctx.database, admin.tenant.id, { role });
        const { token } = await login(ctx.app, member.email);
        const target = await makeUser(ctx.database, admin.tenant.id, { role: 'AGENT' });
        const before = await row(target.id);

        const list = await http<Page>(ctx.app, 'GET', '/api/v1/users?limit=100', { token });
        expect(list.status).toBe(200);
        expect(list.body.items.map((u) => u.id)).toContain(target.id);
        expect((await http(ctx.app, 'GET', `/api/v1/users/${target.id}`, { token })).status).toBe(200);

        const addr = email(role.toLowerCase());
        const created = await create(token, { email: addr, name: 'Nope', role: 'AGENT' });
        expect(created.status).toBe(403);
        expect(created.body.message).toContain('ADMIN');
        expect(
          (await http(ctx.app, 'PATCH', `/api/v1/users/${target.id}`, { token, body: { role: 'ADMIN' } }))
            .status,
        ).toBe(403);
        expect((await http(ctx.app, 'DELETE', `/api/v1/users/${target.id}`, { token })).status).toBe(403);
        // Not even on themself.
        expect(
          (await http(ctx.app, 'PATCH', `/api/v1/users/${member.id}`, { token, body: { role: 'ADMIN' } }))
            .status,
        ).toBe(403);

        expect(await ctx.database.unsafe.select().from(users).where(eq(users.email, addr))).toHaveLength(0);
        expect(await row(target.id)).toEqual(before);
        expect((await row(member.id))!.role).toBe(role);
        expect((await http(ctx.app, 'GET', '/api/v1/audit-logs', { token })).status).toBe(403);
      },
    );

    it('an unauthenticated request is 401', async () => {
      expect((await http(ctx.app, 'GET', '/api/v1/users')).status).toBe(401);
      expect(
        (await http(ctx.app, 'POST', '/api/v1/users', { body: { email: email(), name: 'x', role: 'AGENT' } }))
          .status,
      ).toBe(401);
    });
  });

  describe('audit', () => {
    it('every change writes an entry with the admin as actor', async () => {
      const t = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      const made = (
        await create(t.token, {
          email: email('audited'),
          name: 'Audited',
          role: 'AGENT',
          password: 'audited-password-1',
        })
      ).body.user;
      const invited = (
        await create(t.token, { email: email('audited-invite'), name: 'Audited Invite', role: 'MANAGER' })
      ).body.user;
      expect(
        (
          await http(ctx.app, 'PATCH', `/api/v1/users/${made.id}`, {
            token: t.token,
            body: { role: 'MANAGER', name: 'Audited Again' },
          })
        ).status,
      ).toBe(200);
      expect((await http(ctx.app, 'DELETE', `/api/v1/users/${invited.id}`, { token: t.token })).status).toBe(
        200,
      );
      // A refused change writes nothing.
      expect(
        (
          await http(ctx.app, 'PATCH', `/api/v1/users/${t.user.id}`, {
            token: t.token,
            body: { role: 'AGENT' },
          })
        ).status,
      ).toBe(403);

      const res = await http(ctx.app, 'GET', '/api/v1/audit-logs?entityType=user', { token: t.token });
      expect(res.status).toBe(200);
      const entries = res.body.items as Array<{
        action: string;
        entityId: string;
        actorType: string;
        actorId: string;
        metadata: Record<string, unknown>;
        createdAt: string;
      }>;
      expect(entries.map((e) => [e.action, e.entityId])).toEqual([
        ['user.updated', invited.id],
        ['user.updated', made.id],
        ['user.invited', invited.id],
        ['user.created', made.id],
      ]);
      for (const e of entries) expect(e).toMatchObject({ actorType: 'user', actorId: t.user.id });
      expect(entries[0]!.metadata).toMatchObject({ isActive: false, previousRole: 'MANAGER' });
      expect(entries[1]!.metadata).toMatchObject({
        role: 'MANAGER',
        name: 'Audited Again',
        previousRole: 'AGENT',
      });
      expect(entries[3]!.metadata).toEqual({ email: made.email, role: 'AGENT' });
      // The password never reaches the audit log.
      expect(JSON.stringify(res.body)).not.toContain('audited-password-1');

      const forOne = await http(ctx.app, 'GET', `/api/v1/audit-logs?entityType=user&entityId=${made.id}`, {
        token: t.token,
      });
      expect(forOne.body.items.map((e: { action: string }) => e.action)).toEqual([
        'user.updated',
        'user.created',
      ]);
    });

    it('the audit log pages with a cursor, also through entries written in one transaction', async () => {
      const t = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      for (let i = 0; i < 3; i++)
        expect(
          (await create(t.token, { email: email('pg-audit'), name: `Audit page ${i}`, role: 'AGENT' }))
            .status,
        ).toBe(201);
      // Five entries with one created_at, as a transaction recording several changes would write them.
      await ctx.database.unsafe.insert(auditLogs).values(
        Array.from({ length: 5 }, (_, i) => ({
          tenantId: t.tenant.id,
          actorType: 'system' as const,
          action: `test.bulk.${i}`,
          entityType: 'test',
        })),
      );
      const expected = (
        await ctx.database.unsafe
          .select({ id: auditLogs.id })
          .from(auditLogs)
          .where(eq(auditLogs.tenantId, t.tenant.id))
      ).map((r) => r.id);
      expect(expected).toHaveLength(8);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: HttpResult = await http(
          ctx.app,
          'GET',
          `/api/v1/audit-logs?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          { token: t.token },
        );
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((e: { id: string }) => e.id));
        cursor = res.body.nextCursor;
      } while (cursor && seen.length < 50);
      expect(seen).toHaveLength(8);
      expect([...seen].sort()).toEqual([...expected].sort());
    });
  });
});
