import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_DB_ROLE } from '../../src/db/database.js';
import { apiKeys, auditLogs, users } from '../../src/db/schema/index.js';
import { makeTenant, makeUser } from '../support/factories.js';
import { startTestApp, type TestContext } from '../support/test-app.js';

/**
 * The second wall of tenant isolation, checked against Postgres itself rather than through the app: whatever a
 * repository forgets, the database must return nothing of another tenant.
 */

/** Tables with a tenant_id that are deliberately not RLS-scoped. Each entry needs its reason; keep this list short. */
const RLS_EXEMPT_TABLES: Record<string, string> = {
  // Looked up by jti during refresh, before any tenant is known; tenant_id is null for platform admins and only
  // the auth service reads it (see src/db/schema/auth.ts).
  refresh_tokens: 'auth bookkeeping read before a tenant is known; tenant_id is nullable',
};

/** Global lookups that happen before a tenant is known (login, invitations, API-key authentication). */
const GLOBAL_INDEX_ALLOW_LIST = [
  'users_email_key',
  'users_invite_token_key',
  'api_keys_key_hash_key',
  // Provider webhooks find their inbox before any tenant is known (docs/tenancy.md).
  'channels_type_external_id_key',
  'channels_webhook_token_hash_key',
  // Flow webhook triggers find their flow by the URL token before any tenant is known (docs/flows.md).
  'flows_webhook_token_key',
  // A GIN full-text index cannot lead with tenant_id (a uuid) without the btree_gin extension; every search
  // filters by tenant and knowledge base next to the text match, and RLS holds the wall (docs/ai.md).
  'knowledge_chunks_tsv_idx',
  // The flow-wait recovery sweep reads overdue timers of every tenant in time order (docs/flows.md); partial:
  // waiting sessions with a timer only.
  'flow_sessions_waiting_until_idx',
  // The knowledge recovery sweep reads unfinished sources of every tenant, oldest change first (docs/knowledge.md);
  // partial: pending and processing sources only.
  'knowledge_sources_unfinished_idx',
];

const RLS_TABLES = ['users', 'api_keys', 'audit_logs'] as const;

type Owned = { id: string; tenant_id: string };

describe('tenancy: row-level security (second wall)', () => {
  let ctx: TestContext;
  let client: pg.Client;
  let tenantA: { id: string };
  let tenantB: { id: string };
  const seeded = {
    A: { users: [] as string[], apiKeys: [] as string[], audit: [] as string[] },
    B: { users: [] as string[], apiKeys: [] as string[], audit: [] as string[] },
  };

  /** One transaction as orbitdesk_app, optionally with app.tenant_id; always rolled back. */
  async function asApp<T>(tenantId: string | null, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL ROLE ${APP_DB_ROLE}`);
      if (tenantId !== null) await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return await fn(client);
    } finally {
      await client.query('ROLLBACK');
    }
  }

  /** Runs `sqlText` inside a savepoint and returns the Postgres error it raised (or null). */
  async function errorOf(
    c: pg.Client,
    sqlText: string,
    params: unknown[] = [],
  ): Promise<(Error & { code?: string }) | null> {
    await c.query('SAVEPOINT probe');
    try {
      await c.query(sqlText, params);
      await c.query('RELEASE SAVEPOINT probe');
      return null;
    } catch (err) {
      await c.query('ROLLBACK TO SAVEPOINT probe');
      return err as Error & { code?: string };
    }
  }

  beforeAll(async () => {
    ctx = await startTestApp();
    tenantA = await makeTenant(ctx.database);
    tenantB = await makeTenant(ctx.database);
    for (const [label, tenant] of [
      ['A', tenantA],
      ['B', tenantB],
    ] as const) {
      for (let i = 0; i < 2; i++) seeded[label].users.push((await makeUser(ctx.database, tenant.id)).id);
      const keys = await ctx.database.unsafe
        .insert(apiKeys)
        .values(
          [0, 1].map((i) => ({
            tenantId: tenant.id,
            name: `key ${label}${i}`,
            keyHash: `hash-${randomUUID()}`,
            prefix: 'wcrm_xx',
            scopes: ['contacts:read' as const],
          })),
        )
        .returning();
      seeded[label].apiKeys.push(...keys.map((k) => k.id));
      const entries = await ctx.database.unsafe
        .insert(auditLogs)
        .values(
          [0, 1].map(() => ({
            tenantId: tenant.id,
            actorType: 'system' as const,
            action: 'test.seeded',
            entityType: 'test',
          })),
        )
        .returning();
      seeded[label].audit.push(...entries.map((e) => e.id));
    }
    client = new pg.Client({ connectionString: ctx.db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await ctx?.close();
  });

  it('the app role is neither superuser nor BYPASSRLS, and the connecting role can switch to it', async () => {
    const { rows } = await client.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, [
      APP_DB_ROLE,
    ]);
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const who = await asApp(
      null,
      async (c) => (await c.query<{ u: string }>(`SELECT current_user AS u`)).rows[0]!.u,
    );
    expect(who).toBe(APP_DB_ROLE);
  });

  describe('(a) without app.tenant_id nothing is visible', () => {
    it('rows exist for both tenants (seen by the connecting superuser role)', async () => {
      for (const table of [...RLS_TABLES]) {
        const { rows } = await client.query(
          `SELECT tenant_id, count(*)::int AS n FROM ${table} WHERE tenant_id = ANY($1) GROUP BY tenant_id`,
          [[tenantA.id, tenantB.id]],
        );
        expect(rows, table).toHaveLength(2);
        for (const r of rows) expect(r.n, table).toBeGreaterThanOrEqual(2);
      }
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM tenants`);
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
    });

    it.each([...RLS_TABLES, 'tenants'])('SELECT from %s as orbitdesk_app returns 0 rows', async (table) => {
      const n = await asApp(
        null,
        async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n,
      );
      expect(n).toBe(0);
    });

    it('an empty app.tenant_id (what a reset local setting reads as) also sees nothing', async () => {
      const counts = await asApp('', async (c) => {
        const out: Record<string, number> = {};
        for (const t of [...RLS_TABLES, 'tenants'])
          out[t] = (await c.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n;
        return out;
      });
      expect(counts).toEqual({ users: 0, api_keys: 0, audit_logs: 0, tenants: 0 });
    });

    it('a tenant set with is_local in one transaction does not leak into the next one on the same connection', async () => {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantA.id]);
      await client.query('COMMIT');
      const n = await asApp(
        null,
        async (c) => (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM users`)).rows[0]!.n,
      );
      expect(n).toBe(0);
    });

    it('without a tenant, writes are refused too', async () => {
      await asApp(null, async (c) => {
        const err = await errorOf(
          c,
          `INSERT INTO users (tenant_id, email, name, role) VALUES ($1, $2, 'x', 'AGENT')`,
          [tenantA.id, `nobody-${randomUUID()}@example.test`],
        );
        expect(err?.code).toBe('42501');
        expect((await c.query(`UPDATE users SET name = 'changed'`)).rowCount).toBe(0);
        expect((await c.query(`DELETE FROM audit_logs`)).rowCount).toBe(0);
      });
    });
  });

  describe('(b) with app.tenant_id = A', () => {
    it("only A's rows are visible in every tenant-owned table, and only A's own tenant row", async () => {
      const seen = await asApp(tenantA.id, async (c) => ({
        users: (await c.query<Owned>(`SELECT id, tenant_id FROM users`)).rows,
        api_keys: (await c.query<Owned>(`SELECT id, tenant_id FROM api_keys`)).rows,
        audit_logs: (await c.query<Owned>(`SELECT id, tenant_id FROM audit_logs`)).rows,
        tenants: (await c.query<{ id: string }>(`SELECT id FROM tenants`)).rows,
      }));
      expect(seen.users.map((r) => r.id).sort()).toEqual([...seeded.A.users].sort());
      expect(seen.api_keys.map((r) => r.id).sort()).toEqual([...seeded.A.apiKeys].sort());
      expect(seen.audit_logs.map((r) => r.id).sort()).toEqual([...seeded.A.audit].sort());
      for (const t of ['users', 'api_keys', 'audit_logs'] as const)
        expect(new Set(seen[t].map((r) => r.tenant_id))).toEqual(new Set([tenantA.id]));
      expect(seen.tenants).toEqual([{ id: tenantA.id }]);
    });

    it("even an explicit WHERE on B's ids finds nothing", async () => {
      const n = await asApp(
        tenantA.id,
        async (c) =>
          (
            await c.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM users WHERE id = ANY($1) OR tenant_id = $2`,
              [seeded.B.users, tenantB.id],
            )
          ).rows[0]!.n,
      );
      expect(n).toBe(0);
    });

    it('INSERT of a row for tenant B is rejected by the WITH CHECK policy, in every table', async () => {
      await asApp(tenantA.id, async (c) => {
        const inserts: Array<[string, unknown[]]> = [
          [
            `INSERT INTO users (tenant_id, email, name, role) VALUES ($1, $2, 'intruder', 'ADMIN')`,
            [tenantB.id, `intruder-${randomUUID()}@example.test`],
          ],
          [
            `INSERT INTO api_keys (tenant_id, name, key_hash, prefix, scopes) VALUES ($1, 'intruder', $2, 'wcrm_xx', '{contacts:read}')`,
            [tenantB.id, `hash-${randomUUID()}`],
          ],
          [
            `INSERT INTO audit_logs (tenant_id, actor_type, action, entity_type) VALUES ($1, 'system', 'forged', 'test')`,
            [tenantB.id],
          ],
        ];
        for (const [text, params] of inserts) {
          const err = await errorOf(c, text, params);
          expect(err?.message, text).toMatch(/row-level security/);
          expect(err?.code, text).toBe('42501');
        }
        // The same insert for A's own tenant works: the refusal is the policy, not a broken grant.
        expect(
          await errorOf(
            c,
            `INSERT INTO audit_logs (tenant_id, actor_type, action, entity_type) VALUES ($1, 'system', 'ok', 'test')`,
            [tenantA.id],
          ),
        ).toBeNull();
      });
    });

    it("UPDATE and DELETE of B's rows affect 0 rows, and B's rows are unchanged afterwards", async () => {
      const before = (
        await client.query(`SELECT * FROM users WHERE tenant_id = $1 ORDER BY id`, [tenantB.id])
      ).rows;
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${APP_DB_ROLE}`);
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantA.id]);
      const results = {
        updateUsers: (
          await client.query(`UPDATE users SET name = 'pwned', role = 'ADMIN' WHERE tenant_id = $1`, [
            tenantB.id,
          ])
        ).rowCount,
        updateUsersById: (
          await client.query(`UPDATE users SET is_active = false WHERE id = ANY($1)`, [seeded.B.users])
        ).rowCount,
        updateKeys: (
          await client.query(`UPDATE api_keys SET revoked_at = now() WHERE id = ANY($1)`, [seeded.B.apiKeys])
        ).rowCount,
        deleteUsers: (await client.query(`DELETE FROM users WHERE id = ANY($1)`, [seeded.B.users])).rowCount,
        deleteKeys: (await client.query(`DELETE FROM api_keys WHERE tenant_id = $1`, [tenantB.id])).rowCount,
        deleteAudit: (await client.query(`DELETE FROM audit_logs WHERE id = ANY($1)`, [seeded.B.audit]))
          .rowCount,
      };
      // Committed on purpose: nothing may have changed even when the transaction goes through.
      await client.query('COMMIT');
      expect(results).toEqual({
        updateUsers: 0,
        updateUsersById: 0,
        updateKeys: 0,
        deleteUsers: 0,
        deleteKeys: 0,
        deleteAudit: 0,
      });
      expect(
        (await client.query(`SELECT * FROM users WHERE tenant_id = $1 ORDER BY id`, [tenantB.id])).rows,
      ).toEqual(before);
      expect(
        (
          await client.query(
            `SELECT count(*)::int AS n FROM api_keys WHERE id = ANY($1) AND revoked_at IS NULL`,
            [seeded.B.apiKeys],
          )
        ).rows[0].n,
      ).toBe(2);
      expect(
        (await client.query(`SELECT count(*)::int AS n FROM audit_logs WHERE id = ANY($1)`, [seeded.B.audit]))
          .rows[0].n,
      ).toBe(2);
    });

    it("moving one of A's rows to tenant B is rejected (WITH CHECK applies to UPDATE)", async () => {
      await asApp(tenantA.id, async (c) => {
        const err = await errorOf(c, `UPDATE users SET tenant_id = $1 WHERE id = $2`, [
          tenantB.id,
          seeded.A.users[0],
        ]);
        expect(err?.code).toBe('42501');
        expect(err?.message).toMatch(/row-level security/);
      });
    });

    it('the app role cannot change tenants (lifecycle is platform work)', async () => {
      await asApp(tenantA.id, async (c) => {
        const update = await errorOf(c, `UPDATE tenants SET status = 'ACTIVE' WHERE id = $1`, [tenantA.id]);
        expect(update?.code).toBe('42501');
        const insert = await errorOf(c, `INSERT INTO tenants (name, slug) VALUES ('x', $1)`, [
          `x-${randomUUID()}`,
        ]);
        expect(insert?.code).toBe('42501');
      });
    });
  });

  it('(c) every public table with a tenant_id has RLS enabled and forced, a tenant policy, and grants for the app role', async () => {
    const { rows: tables } = await client.query<{
      table: string;
      rls: boolean;
      force: boolean;
      nullable: string;
    }>(`
      SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS force, col.is_nullable AS nullable
      FROM information_schema.columns col
      JOIN pg_class c ON c.relname = col.table_name AND c.relkind IN ('r', 'p')
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = col.table_schema
      WHERE col.table_schema = 'public' AND col.column_name = 'tenant_id'
      ORDER BY c.relname`);
    const names = tables.map((t) => t.table);
    // Guards against a vacuous pass (a broken catalog query finding no tables).
    expect(names).toEqual(expect.arrayContaining([...RLS_TABLES]));
    // The exemptions must still be real: an exempt table that gained RLS or lost its column leaves the list.
    for (const [table, reason] of Object.entries(RLS_EXEMPT_TABLES)) {
      const row = tables.find((t) => t.table === table);
      expect(
        row,
        `exempt table ${table} (${reason}) no longer has tenant_id; drop it from RLS_EXEMPT_TABLES`,
      ).toBeDefined();
      expect(row?.rls, `${table} is RLS-scoped now; drop it from RLS_EXEMPT_TABLES`).toBe(false);
    }

    const { rows: policies } = await client.query<{
      table: string;
      policyname: string;
      permissive: string;
      roles: string[];
      cmd: string;
      qual: string | null;
      with_check: string | null;
    }>(
      `SELECT tablename AS table, policyname, permissive, roles::text[] AS roles, cmd, qual, with_check FROM pg_policies WHERE schemaname = 'public'`,
    );
    const { rows: grants } = await client.query<{ table: string; privilege: string }>(
      `SELECT table_name AS table, privilege_type AS privilege FROM information_schema.role_table_grants WHERE grantee = $1 AND table_schema = 'public'`,
      [APP_DB_ROLE],
    );

    const offenders: string[] = [];
    for (const t of tables) {
      if (RLS_EXEMPT_TABLES[t.table]) continue;
      if (!t.rls) offenders.push(`${t.table}: row level security is not enabled`);
      if (!t.force)
        offenders.push(`${t.table}: row level security is not forced (the table owner would bypass it)`);
      if (t.nullable !== 'NO') offenders.push(`${t.table}: tenant_id is nullable`);
      const own = policies.filter((p) => p.table === t.table);
      const isolation = own.find(
        (p) =>
          p.cmd === 'ALL' &&
          /tenant_id = app_current_tenant\(\)/.test(p.qual ?? '') &&
          /tenant_id = app_current_tenant\(\)/.test(p.with_check ?? ''),
      );
      if (!isolation)
        offenders.push(
          `${t.table}: no ALL policy with USING and WITH CHECK (tenant_id = app_current_tenant())`,
        );
      // A second permissive policy is OR-ed in and could widen what a tenant sees.
      for (const p of own) {
        if (p !== isolation && p.permissive === 'PERMISSIVE')
          offenders.push(`${t.table}: extra permissive policy ${p.policyname} (${p.cmd}: ${p.qual})`);
      }
      const privileges = new Set(grants.filter((g) => g.table === t.table).map((g) => g.privilege));
      for (const priv of ['SELECT', 'INSERT', 'UPDATE', 'DELETE']) {
        if (!privileges.has(priv))
          offenders.push(`${t.table}: ${APP_DB_ROLE} lacks ${priv} (run app_enable_tenant_rls)`);
      }
    }
    if (offenders.length) console.error(`Tenant tables without the RLS wall:\n  ${offenders.join('\n  ')}`);
    expect(offenders).toEqual([]);
  });

  it('(c) the catalog check catches a table created without app_enable_tenant_rls (checked in a rolled-back transaction)', async () => {
    await client.query('BEGIN');
    try {
      await client.query(`CREATE TABLE forgotten_rls (id uuid PRIMARY KEY, tenant_id uuid NOT NULL)`);
      const { rows } = await client.query<{ relname: string }>(`
        SELECT c.relname FROM information_schema.columns col JOIN pg_class c ON c.relname = col.table_name
        WHERE col.table_schema = 'public' AND col.column_name = 'tenant_id' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)`);
      expect(rows.map((r) => r.relname)).toContain('forgotten_rls');
      // And the helper every migration should call closes the gap.
      await client.query(`SELECT app_enable_tenant_rls('forgotten_rls')`);
      const { rows: after } = await client.query(
        `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'forgotten_rls'`,
      );
      expect(after).toEqual([{ relrowsecurity: true, relforcerowsecurity: true }]);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('(d) every index on a tenant table leads with tenant_id, except the documented global lookups and primary keys', async () => {
    const { rows } = await client.query<{
      table: string;
      index: string;
      primary: boolean;
      first_col: string | null;
      def: string;
    }>(`
      SELECT t.relname AS table, i.relname AS index, ix.indisprimary AS primary,
             a.attname AS first_col, pg_get_indexdef(ix.indexrelid) AS def
      FROM pg_index ix
      JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
      LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ix.indkey[0]
      WHERE EXISTS (SELECT 1 FROM pg_attribute ta WHERE ta.attrelid = t.oid AND ta.attname = 'tenant_id' AND NOT ta.attisdropped)
      ORDER BY t.relname, i.relname`);
    const checked = rows.filter((r) => !RLS_EXEMPT_TABLES[r.table]);
    expect(checked.length).toBeGreaterThan(0);
    // The allow-list must name indexes that exist, so it cannot silently cover a renamed or new index.
    const names = new Set(rows.map((r) => r.index));
    for (const allowed of GLOBAL_INDEX_ALLOW_LIST)
      expect(names, `allow-listed index ${allowed} no longer exists`).toContain(allowed);

    const offenders = checked.filter(
      (r) => !r.primary && !GLOBAL_INDEX_ALLOW_LIST.includes(r.index) && r.first_col !== 'tenant_id',
    );
    if (offenders.length)
      console.error(
        `Indexes on tenant tables that do not lead with tenant_id:\n  ${offenders.map((o) => o.def).join('\n  ')}`,
      );
    expect(offenders.map((o) => `${o.index}: ${o.def}`)).toEqual([]);
  });

  describe('(e) Database.tenantTransaction', () => {
    it("with tenant A sees only A's users through drizzle, as orbitdesk_app", async () => {
      const { rows, who } = await ctx.database.tenantTransaction(tenantA.id, async (tx) => ({
        rows: await tx.select().from(users),
        who: (await tx.execute(sql`select current_user as u, app_current_tenant() as t`)).rows[0],
      }));
      expect(rows.map((r) => r.id).sort()).toEqual([...seeded.A.users].sort());
      expect(rows.every((r) => r.tenantId === tenantA.id)).toBe(true);
      expect(who).toEqual({ u: APP_DB_ROLE, t: tenantA.id });
    });

    it("cannot write tenant B's rows, and rolls the whole transaction back", async () => {
      const email = `cross-${randomUUID()}@example.test`;
      await expect(
        ctx.database.tenantTransaction(tenantA.id, async (tx) => {
          await tx.insert(auditLogs).values({
            tenantId: tenantA.id,
            actorType: 'system',
            action: 'test.before',
            entityType: 'test',
            entityId: email,
          });
          await tx.insert(users).values({ tenantId: tenantB.id, email, name: 'x', role: 'ADMIN' });
        }),
      ).rejects.toThrow();
      expect(
        (await client.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email])).rows[0].n,
      ).toBe(0);
      expect(
        (await client.query(`SELECT count(*)::int AS n FROM audit_logs WHERE entity_id = $1`, [email]))
          .rows[0].n,
      ).toBe(0);
    });

    it('leaves pooled connections as the connecting role with no tenant afterwards', async () => {
      // Run a few in parallel so several pool connections go through a tenant transaction.
      await Promise.all(
        [tenantA, tenantB, tenantA, tenantB].map((t) =>
          ctx.database.tenantTransaction(t.id, (tx) => tx.select().from(users)),
        ),
      );
      const states = await Promise.all(
        Array.from({ length: 6 }, () =>
          ctx.database.pool.query(
            `select current_user as u, app_current_tenant() as t, (select count(*)::int from users) as n`,
          ),
        ),
      );
      for (const s of states) {
        expect(s.rows[0].u).not.toBe(APP_DB_ROLE);
        expect(s.rows[0].t).toBeNull();
        // The connecting role is not restricted, so it sees both tenants' users again.
        expect(s.rows[0].n).toBeGreaterThanOrEqual(seeded.A.users.length + seeded.B.users.length);
      }
    });
  });
});
