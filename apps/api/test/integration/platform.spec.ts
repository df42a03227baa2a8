import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { TenantStatus } from '@orbitdesk/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLogs, platformAdmins, tenants } from '../../src/db/schema/index.js';
import { DEFAULT_PASSWORD, login, makeTenant, makeTenantWithUser, makeUser } from '../support/factories.js';
import { http, startTestApp, testConfig, type HttpResult, type TestContext } from '../support/test-app.js';
import { createTestDatabase } from '../support/test-db.js';

const uniq = () => randomBytes(4).toString('hex');
const MISSING_ID = '7d9a4c2e-1b3f-4e5a-9c8d-2f6e0a1b3c4d';

type Decision = 'approve' | 'reject' | 'suspend' | 'reactivate';
/** The transition table, restated independently of the service: decision → allowed from → result. */
const TRANSITIONS: Record<Decision, { from: TenantStatus[]; to: TenantStatus; action: string }> = {
  approve: { from: ['PENDING'], to: 'ACTIVE', action: 'tenant.approved' },
  reject: { from: ['PENDING'], to: 'REJECTED', action: 'tenant.rejected' },
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED', action: 'tenant.suspended' },
  reactivate: { from: ['SUSPENDED', 'REJECTED'], to: 'ACTIVE', action: 'tenant.reactivated' },
};
const STATUSES: TenantStatus[] = ['PENDING', 'ACTIVE', 'REJECTED', 'SUSPENDED'];

describe('platform (superadmin)', () => {
  let ctx: TestContext;
  let superToken: string;
  let superId: string;

  const decide = (id: string, decision: Decision, body: Record<string, unknown> = {}) =>
    http(ctx.app, 'POST', `/api/v1/platform/tenants/${id}/${decision}`, { token: superToken, body });
  const tenantRow = async (id: string) =>
    (await ctx.database.unsafe.select().from(tenants).where(eq(tenants.id, id)))[0]!;
  const auditOf = (tenantId: string, entityType = 'tenant') =>
    ctx.database.unsafe
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.tenantId, tenantId), eq(auditLogs.entityType, entityType)));

  beforeAll(async () => {
    ctx = await startTestApp();
    // The credentials the bootstrap used: testConfig's SUPERADMIN_EMAIL / SUPERADMIN_PASSWORD.
    const { SUPERADMIN_EMAIL, SUPERADMIN_PASSWORD } = testConfig();
    const session = await login(ctx.app, SUPERADMIN_EMAIL!, SUPERADMIN_PASSWORD);
    superToken = session.token;
    superId = session.body.user.id;
    expect(session.body.user).toMatchObject({ role: 'SUPERADMIN', tenant: null });
  });
  afterAll(() => ctx?.close());

  describe('tenants list', () => {
    it('filters by status, searches name and slug, and paginates', async () => {
      const tag = uniq();
      const made: Record<string, string[]> = {};
      // Created one at a time so the expected newest-first order is unambiguous.
      for (const [i, status] of (
        ['PENDING', 'ACTIVE', 'PENDING', 'SUSPENDED', 'PENDING', 'REJECTED', 'ACTIVE'] as const
      ).entries()) {
        const t = await makeTenant(ctx.database, {
          name: `Acme ${tag} ${i}`,
          slug: `acme-${tag}-${i}`,
          status,
        });
        (made[status] ??= []).push(t.id);
      }
      const other = await makeTenant(ctx.database, { name: `Other ${uniq()}`, status: 'PENDING' });

      const search = await http(ctx.app, 'GET', `/api/v1/platform/tenants?search=${tag}&limit=100`, {
        token: superToken,
      });
      expect(search.status).toBe(200);
      expect(search.body.items).toHaveLength(7);
      expect(search.body.items.map((t: { id: string }) => t.id)).not.toContain(other.id);
      // Matching the slug only (the name has a space where the slug has a dash).
      const bySlug = await http(ctx.app, 'GET', `/api/v1/platform/tenants?search=acme-${tag}-3`, {
        token: superToken,
      });
      expect(bySlug.body.items.map((t: { id: string }) => t.id)).toEqual(made.SUSPENDED);

      const pending = await http(ctx.app, 'GET', `/api/v1/platform/tenants?status=PENDING&search=${tag}`, {
        token: superToken,
      });
      expect(pending.body.items.map((t: { id: string }) => t.id)).toEqual([...made.PENDING!].reverse());
      expect(pending.body.items.every((t: { status: string }) => t.status === 'PENDING')).toBe(true);
      const allPending = await http(ctx.app, 'GET', '/api/v1/platform/tenants?status=PENDING&limit=100', {
        token: superToken,
      });
      expect(allPending.body.items.map((t: { id: string }) => t.id)).toEqual(
        expect.arrayContaining([...made.PENDING!, other.id]),
      );

      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const res: HttpResult = await http(
          ctx.app,
          'GET',
          `/api/v1/platform/tenants?search=${tag}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          { token: superToken },
        );
        expect(res.status).toBe(200);
        sizes.push(res.body.items.length);
        seen.push(...res.body.items.map((t: { id: string }) => t.id));
        cursor = res.body.nextCursor;
      } while (cursor && sizes.length < 10);
      expect(sizes).toEqual([3, 3, 1]);
      expect(seen).toEqual(search.body.items.map((t: { id: string }) => t.id));

      expect(
        (await http(ctx.app, 'GET', '/api/v1/platform/tenants?status=DELETED', { token: superToken })).status,
      ).toBe(400);
      expect(
        (await http(ctx.app, 'GET', '/api/v1/platform/tenants?cursor=nope', { token: superToken })).status,
      ).toBe(400);
    });

    it('GET one tenant; an unknown id is 404 and a malformed one 400', async () => {
      const t = await makeTenant(ctx.database, { status: 'PENDING' });
      const res = await http(ctx.app, 'GET', `/api/v1/platform/tenants/${t.id}`, { token: superToken });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: t.id,
        name: t.name,
        slug: t.slug,
        status: 'PENDING',
        statusReason: null,
        approvedAt: null,
      });
      expect(
        (await http(ctx.app, 'GET', `/api/v1/platform/tenants/${MISSING_ID}`, { token: superToken })).status,
      ).toBe(404);
      expect((await http(ctx.app, 'GET', '/api/v1/platform/tenants/123', { token: superToken })).status).toBe(
        400,
      );
    });
  });

  describe('decisions', () => {
    it('approve: PENDING → ACTIVE with approvedAt set; approving again is 409; its admin can then log in', async () => {
      const t = await makeTenant(ctx.database, { status: 'PENDING' });
      const admin = await makeUser(ctx.database, t.id, { role: 'ADMIN' });
      const blocked = await http(ctx.app, 'POST', '/api/v1/auth/login', {
        body: { email: admin.email, password: DEFAULT_PASSWORD },
      });
      expect(blocked.status).toBe(403);
      expect(blocked.body.message).toMatch(/waiting for approval/);

      const before = Date.now();
      const res = await decide(t.id, 'approve');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: t.id, status: 'ACTIVE', statusReason: null });
      expect(Date.parse(res.body.approvedAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(await tenantRow(t.id)).toMatchObject({ status: 'ACTIVE', approvedAt: expect.any(Date) });

      const again = await decide(t.id, 'approve');
      expect(again.status).toBe(409);
      expect(again.body.message).toContain('ACTIVE');
      await login(ctx.app, admin.email);
    });

    it('reject with a reason: PENDING → REJECTED, the reason is stored and shown to its users', async () => {
      const t = await makeTenant(ctx.database, { status: 'PENDING' });
      const user = await makeUser(ctx.database, t.id, { role: 'ADMIN' });
      const res = await decide(t.id, 'reject', { reason: '  Looks like spam  ' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'REJECTED',
        statusReason: 'Looks like spam',
        approvedAt: null,
      });
      expect(await tenantRow(t.id)).toMatchObject({ status: 'REJECTED', statusReason: 'Looks like spam' });
      const attempt = await http(ctx.app, 'POST', '/api/v1/auth/login', {
        body: { email: user.email, password: DEFAULT_PASSWORD },
      });
      expect(attempt.status).toBe(403);
      expect(attempt.body.message).toContain('Looks like spam');

      const bad = await decide(t.id, 'reject', { reason: 'x'.repeat(501) });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('body.reason');
      const unknown = await decide(t.id, 'reactivate', { because: 'no' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toContain('unknown property: because');
    });

    it("suspend ACTIVE → SUSPENDED ends its users' access at once; reactivate restores it", async () => {
      const { tenant, user, token } = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
      expect((await http(ctx.app, 'GET', '/api/v1/users', { token })).status).toBe(200);

      const suspended = await decide(tenant.id, 'suspend', { reason: 'Unpaid invoice' });
      expect(suspended.status).toBe(200);
      expect(suspended.body).toMatchObject({ status: 'SUSPENDED', statusReason: 'Unpaid invoice' });
      expect((await http(ctx.app, 'GET', '/api/v1/users', { token })).status).toBe(401);
      const attempt = await http(ctx.app, 'POST', '/api/v1/auth/login', {
        body: { email: user.email, password: DEFAULT_PASSWORD },
      });
      expect(attempt.status).toBe(403);
      expect(attempt.body.message).toMatch(/suspended: Unpaid invoice/);
      expect((await decide(tenant.id, 'suspend')).status).toBe(409);

      const firstApproval = new Date('2026-01-02T03:04:05.000Z');
      await ctx.database.unsafe
        .update(tenants)
        .set({ approvedAt: firstApproval })
        .where(eq(tenants.id, tenant.id));
      const reactivated = await decide(tenant.id, 'reactivate');
      expect(reactivated.status).toBe(200);
      expect(reactivated.body).toMatchObject({ status: 'ACTIVE', statusReason: null });
      // Reactivation does not rewrite history: the tenant was first approved then.
      expect(reactivated.body.approvedAt).toBe(firstApproval.toISOString());
      expect((await http(ctx.app, 'GET', '/api/v1/users', { token })).status).toBe(200);
      await login(ctx.app, user.email);
    });

    it('follows the transition table for every status × decision: allowed → 200, otherwise 409 and unchanged', async () => {
      const outcomes: string[] = [];
      for (const from of STATUSES) {
        for (const decision of Object.keys(TRANSITIONS) as Decision[]) {
          const t = await makeTenant(ctx.database, {
            status: from,
            ...(from === 'REJECTED' || from === 'SUSPENDED' ? { statusReason: 'earlier reason' } : {}),
          });
          const rule = TRANSITIONS[decision];
          const res = await decide(
            t.id,
            decision,
            decision === 'reject' || decision === 'suspend' ? { reason: 'table test' } : {},
          );
          const after = await tenantRow(t.id);
          outcomes.push(`${from} ${decision} → ${res.status} ${after.status}`);
          if (rule.from.includes(from)) {
            expect(res.status, `${decision} from ${from}`).toBe(200);
            expect(after.status).toBe(rule.to);
          } else {
            expect(res.status, `${decision} from ${from}`).toBe(409);
            expect(after).toEqual(t);
            expect(await auditOf(t.id)).toHaveLength(0);
          }
        }
      }
      expect(outcomes.filter((o) => o.includes('→ 200'))).toHaveLength(5);
    });

    it('two concurrent approvals: exactly one wins, the other is 409', async () => {
      const t = await makeTenant(ctx.database, { status: 'PENDING' });
      const results = await Promise.all([
        decide(t.id, 'approve'),
        decide(t.id, 'approve'),
        decide(t.id, 'approve'),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
      expect((await auditOf(t.id)).filter((e) => e.action === 'tenant.approved')).toHaveLength(1);
    });

    it('an unknown tenant id is 404 for every decision', async () => {
      for (const decision of Object.keys(TRANSITIONS) as Decision[]) {
        const res = await decide(MISSING_ID, decision);
        expect(res.status, decision).toBe(404);
        expect(res.body.message).toBe('Tenant not found');
      }
    });

    it("each decision writes an entry in the affected tenant's audit log, with the superadmin as actor", async () => {
      const t = await makeTenant(ctx.database, { status: 'PENDING' });
      const admin = await makeUser(ctx.database, t.id, { role: 'ADMIN' });
      const bystander = await makeTenant(ctx.database, { status: 'ACTIVE' });
      const steps: Array<[Decision, string | undefined]> = [
        ['reject', 'Incomplete details'],
        ['reactivate', undefined],
        ['suspend', 'Abuse report'],
        ['reactivate', undefined],
      ];
      for (const [decision, reason] of steps)
        expect((await decide(t.id, decision, reason ? { reason } : {})).status).toBe(200);
      expect((await decide(t.id, 'approve')).status).toBe(409); // refused: writes nothing

      const entries = (await auditOf(t.id)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      expect(entries.map((e) => e.action)).toEqual([
        'tenant.rejected',
        'tenant.reactivated',
        'tenant.suspended',
        'tenant.reactivated',
      ]);
      for (const e of entries)
        expect(e).toMatchObject({
          tenantId: t.id,
          actorType: 'platform_admin',
          actorId: superId,
          entityType: 'tenant',
          entityId: t.id,
        });
      expect(entries[0]!.metadata).toMatchObject({ to: 'REJECTED', reason: 'Incomplete details' });
      expect(entries[2]!.metadata).toMatchObject({ to: 'SUSPENDED', reason: 'Abuse report' });
      expect(await auditOf(bystander.id)).toHaveLength(0);

      // The tenant's own admin reads the same entries through the tenant API.
      const { token } = await login(ctx.app, admin.email);
      const res = await http(ctx.app, 'GET', '/api/v1/audit-logs?entityType=tenant', { token });
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: { id: string }) => e.id).sort()).toEqual(entries.map((e) => e.id).sort());
    });
  });

  describe('platform users', () => {
    it('lists users across tenants with their tenantName, filters by tenantId and search, and paginates', async () => {
      const tag = uniq();
      const t1 = await makeTenant(ctx.database, { name: `Users One ${tag}` });
      const t2 = await makeTenant(ctx.database, { name: `Users Two ${tag}`, status: 'PENDING' });
      const u1 = await makeUser(ctx.database, t1.id, { name: `Person ${tag} a`, role: 'ADMIN' });
      const u2 = await makeUser(ctx.database, t1.id, { name: `Person ${tag} b` });
      const u3 = await makeUser(ctx.database, t2.id, { name: `Person ${tag} c`, role: 'MANAGER' });

      const all = await http(ctx.app, 'GET', `/api/v1/platform/users?search=${tag}&limit=100`, {
        token: superToken,
      });
      expect(all.status).toBe(200);
      const byId = new Map(all.body.items.map((u: { id: string }) => [u.id, u]));
      expect([...byId.keys()].sort()).toEqual([u1.id, u2.id, u3.id].sort());
      expect(byId.get(u1.id)).toMatchObject({
        tenantId: t1.id,
        tenantName: t1.name,
        role: 'ADMIN',
        email: u1.email,
      });
      expect(byId.get(u3.id)).toMatchObject({ tenantId: t2.id, tenantName: t2.name, role: 'MANAGER' });

      const onlyT1 = await http(ctx.app, 'GET', `/api/v1/platform/users?tenantId=${t1.id}`, {
        token: superToken,
      });
      expect(onlyT1.body.items.map((u: { id: string }) => u.id).sort()).toEqual([u1.id, u2.id].sort());
      expect(onlyT1.body.items.every((u: { tenantName: string }) => u.tenantName === t1.name)).toBe(true);
      const byEmail = await http(
        ctx.app,
        'GET',
        `/api/v1/platform/users?search=${encodeURIComponent(u3.email)}`,
        { token: superToken },
      );
      expect(byEmail.body.items.map((u: { id: string }) => u.id)).toEqual([u3.id]);
      const none = await http(ctx.app, 'GET', `/api/v1/platform/users?tenantId=${MISSING_ID}`, {
        token: superToken,
      });
      expect(none.body).toEqual({ items: [], nextCursor: null });
      expect(
        (await http(ctx.app, 'GET', '/api/v1/platform/users?tenantId=nope', { token: superToken })).status,
      ).toBe(400);

      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const res: HttpResult = await http(
          ctx.app,
          'GET',
          `/api/v1/platform/users?search=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          { token: superToken },
        );
        pages.push(res.body.items.map((u: { id: string }) => u.id));
        cursor = res.body.nextCursor;
      } while (cursor && pages.length < 10);
      expect(pages.map((p) => p.length)).toEqual([2, 1]);
      expect(pages.flat()).toEqual(all.body.items.map((u: { id: string }) => u.id));
    });
  });

  describe('SUPERADMIN bootstrap', () => {
    it('a second app instance on the same database does not create another admin', async () => {
      const second = await startTestApp({ db: ctx.db });
      try {
        const admins = await ctx.database.unsafe.select().from(platformAdmins);
        expect(admins).toHaveLength(1);
        expect(admins[0]).toMatchObject({ id: superId, email: ctx.config.SUPERADMIN_EMAIL });
        // Both instances accept the same superadmin.
        const { token } = await login(
          second.app,
          ctx.config.SUPERADMIN_EMAIL!,
          ctx.config.SUPERADMIN_PASSWORD,
        );
        expect((await http(second.app, 'GET', '/api/v1/platform/tenants', { token })).status).toBe(200);
      } finally {
        await second.close();
      }
    });

    it('two instances booting at the same moment on an empty database create exactly one admin', async () => {
      const db = await createTestDatabase();
      const apps = await Promise.allSettled([startTestApp({ db }), startTestApp({ db })]);
      try {
        expect(apps.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled']);
        const first = (apps[0] as PromiseFulfilledResult<TestContext>).value;
        const admins = await first.database.unsafe.select().from(platformAdmins);
        expect(admins).toHaveLength(1);
        expect(admins[0]!.email).toBe(first.config.SUPERADMIN_EMAIL);
        // What makes this hold regardless of timing: one admin per email, case-insensitively, enforced by Postgres.
        await expect(
          first.database.unsafe
            .insert(platformAdmins)
            .values({ email: first.config.SUPERADMIN_EMAIL!.toUpperCase(), name: 'Twin', passwordHash: 'x' }),
        ).rejects.toMatchObject({ cause: { code: '23505' } });
      } finally {
        for (const a of apps) if (a.status === 'fulfilled') await a.value.close();
        await db.drop();
      }
    });
  });
});
