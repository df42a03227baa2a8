import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { DEMO_PASSWORD, seed } from '../../src/db/seed.js';
import { TEST_ENCRYPTION_KEY } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

async function snapshot(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of [
      'tenants',
      'users',
      'platform_admins',
      'channels',
      'contacts',
      'conversations',
      'messages',
    ]) {
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
  let inboxSecret: string | undefined;
  let websiteToken: string | undefined;
  // The same key the test app uses, so the app can open the demo inbox's sealed secret.
  const box = new SecretBox('k1', Buffer.from(TEST_ENCRYPTION_KEY, 'base64'));
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await ctx?.close();
    await db.drop();
  });

  it('is idempotent: a second run changes nothing', async () => {
    const created = await seed(db.url, { email: 'ops@orbitdesk.test', password: 'Seed-super-pass-1' }, box);
    inboxSecret = created.inboxSecret;
    expect(inboxSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const first = await snapshot(db.url);
    expect(first.tenants).toHaveLength(2);
    expect(first.users).toHaveLength(4);
    expect(first.platform_admins).toHaveLength(1);
    expect(first.channels).toHaveLength(2);
    expect(first.contacts).toHaveLength(3);
    expect(first.conversations).toHaveLength(2);
    expect(first.messages).toHaveLength(5);
    const again = await seed(db.url, { email: 'ops@orbitdesk.test', password: 'Seed-super-pass-1' }, box);
    expect(again.inboxSecret).toBeUndefined();
    // The widget's token is reported on every run (up.sh writes the demo page with it).
    expect(created.websiteToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(again.websiteToken).toBe(created.websiteToken);
    websiteToken = created.websiteToken;
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

  it("has a demo api inbox that takes a message into the demo contact's open conversation", async () => {
    const inbox = await http(ctx.app, 'GET', '/api/v1/channels', {
      token: (
        await http(ctx.app, 'POST', '/api/v1/auth/login', {
          body: { email: 'admin@acme.test', password: DEMO_PASSWORD },
        })
      ).body.accessToken,
    });
    const demo = inbox.body.items.find((c: { type: string }) => c.type === 'api');
    const res = await http(ctx.app, 'POST', `/api/v1/channels/api/${demo.id}/messages`, {
      headers: { 'x-inbox-secret': inboxSecret! },
      body: {
        contact: { identifier: 'maria-lopez' },
        message: { type: 'text', content: { text: 'Any news?' } },
      },
    });
    expect(res.status).toBe(200);
    const conv = await http(ctx.app, 'GET', `/api/v1/conversations/${res.body.conversationId}`, {
      token: (
        await http(ctx.app, 'POST', '/api/v1/auth/login', {
          body: { email: 'agent@acme.test', password: DEMO_PASSWORD },
        })
      ).body.accessToken,
    });
    expect(conv.body).toMatchObject({ number: 1, unreadCount: 2, lastMessagePreview: 'Any news?' });
  });

  it('has a demo website chat whose embed token opens a visitor session', async () => {
    const res = await http(ctx.app, 'POST', '/api/v1/channels/live-chat/sessions', {
      body: { websiteToken: websiteToken! },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.body.config).toMatchObject({ title: 'Chat with Acme', preChatForm: true });
  });
});
