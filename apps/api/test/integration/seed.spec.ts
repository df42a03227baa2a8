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
      'teams',
      'team_members',
    ]) {
      const order = table === 'team_members' ? 'team_id, user_id' : 'id';
      out[table] = (await c.query(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
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
    expect(first.contacts).toHaveLength(5);
    expect(first.conversations).toHaveLength(5);
    expect(first.messages).toHaveLength(12);
    expect(first.teams).toHaveLength(1);
    expect(first.team_members).toHaveLength(2);
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

  it('shows an agent a conversation in each state: theirs (with a private note), pending, snoozed, resolved', async () => {
    const agentToken = (
      await http(ctx.app, 'POST', '/api/v1/auth/login', {
        body: { email: 'agent@acme.test', password: DEMO_PASSWORD },
      })
    ).body.accessToken;
    const list = async (query: string): Promise<number[]> => {
      const page = await http(ctx.app, 'GET', `/api/v1/conversations?${query}`, { token: agentToken });
      return (page.body.items as { number: number }[]).map((c) => c.number);
    };
    expect(await list('assignee=me')).toEqual([3]);
    expect(await list('status=pending')).toEqual([4]);
    expect(await list('status=snoozed')).toEqual([5]);
    expect(await list('status=resolved')).toEqual([2]);
    const mine = await http(ctx.app, 'GET', '/api/v1/conversations?assignee=me', { token: agentToken });
    expect(mine.body.items[0]).toMatchObject({ priority: 'high', tags: ['billing'] });
    expect(mine.body.items[0].lastMessagePreview).toMatch(/^I can see the duplicate/);
    const history = await http(ctx.app, 'GET', `/api/v1/conversations/${mine.body.items[0].id}/messages`, {
      token: agentToken,
    });
    expect(history.status).toBe(200);
    const notes = history.body.items.filter((m: { isPrivate: boolean }) => m.isPrivate);
    expect(notes).toHaveLength(1);
    expect(notes[0].content.text).toMatch(/^@Alex Agent/);
    expect(notes[0].senderId).toBeTruthy();
  });

  it("takes scripts/demo-flows.mjs's flow, which asks for the order number on an order-status message", async () => {
    const adminToken = (
      await http(ctx.app, 'POST', '/api/v1/auth/login', {
        body: { email: 'admin@acme.test', password: DEMO_PASSWORD },
      })
    ).body.accessToken;
    // A path the compiler does not follow: the script is plain JavaScript outside the package.
    const script = new URL('../../../../scripts/demo-flows.mjs', import.meta.url).href;
    const { orderStatusFlow } = (await import(script)) as { orderStatusFlow: () => Record<string, unknown> };
    const created = await http(ctx.app, 'POST', '/api/v1/flows', {
      token: adminToken,
      body: orderStatusFlow(),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(
      (await http(ctx.app, 'POST', `/api/v1/flows/${created.body.id}/publish`, { token: adminToken })).status,
    ).toBe(200);
    const run = await http(ctx.app, 'POST', `/api/v1/flows/${created.body.id}/test`, {
      token: adminToken,
      body: { contact: { name: 'Maria Lopez' }, message: 'what is my order status?' },
    });
    expect(run.status).toBe(200);
    expect(run.body.log.map((l: { nodeType: string }) => l.nodeType)).toEqual([
      'trigger',
      'send_message',
      'wait_for_reply',
    ]);
    expect(run.body.log[1].output.wouldSend.content.text).toBe('Hi Maria Lopez! What is your order number?');
  });

  it('has a demo website chat whose embed token opens a visitor session', async () => {
    const res = await http(ctx.app, 'POST', '/api/v1/channels/live-chat/sessions', {
      body: { websiteToken: websiteToken! },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.body.config).toMatchObject({ title: 'Chat with Acme', preChatForm: true });
  });
});
