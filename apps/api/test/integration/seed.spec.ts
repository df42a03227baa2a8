import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { DEMO_PASSWORD, seed } from '../../src/db/seed.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

async function snapshot(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of ['tenants', 'users', 'platform_admins']) {
      out[table] = (await c.query(`SELECT * FROM ${table} ORDER BY id`)).rows;
    }
    return out;
  } finally {
    await c.end();
  }
}

describe('demo seed', () => {
  let db: TestDatabase;
  let ctx: TestContext;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await ctx?.close();
    await db.drop();
  });

  it('is idempotent: a second run changes nothing', async () => {
    await seed(db.url, { email: 'ops@orbitdesk.test', password: 'Seed-super-pass-1' });
    const first = await snapshot(db.url);
    expect(first.tenants).toHaveLength(2);
    expect(first.users).toHaveLength(4);
    expect(first.platform_admins).toHaveLength(1);
    await seed(db.url, { email: 'ops@orbitdesk.test', password: 'Seed-super-pass-1' });
    expect(await snapshot(db.url)).toEqual(first);
  });

  it('gives working demo logins, and the pending tenant is refused', async () => {
    ctx = await startTestApp({ db });
    const ok = await http(ctx.app, 'POST', '/api/v1/auth/login', {
      body: { email: 'agent@acme.test', password: DEMO_PASSWORD },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.user.role).toBe('AGENT');
    const pending = await http(ctx.app, 'POST', '/api/v1/auth/login', {
      body: { email: 'owner@globex.test', password: DEMO_PASSWORD },
    });
    expect(pending.status).toBe(403);
    expect(pending.body.message).toMatch(/waiting for approval/);
  });
});
