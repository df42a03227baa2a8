import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { login, makeApiKey, makeTenantWithUser, makeUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

describe('conversations', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agent: { id: string; token: string };
  let inbox: Awaited<ReturnType<typeof makeApiInbox>>;
  let inbox2: Awaited<ReturnType<typeof makeApiInbox>>;
  /** Conversation ids of A by contact identifier, in the order they were created. */
  const convs: Record<string, string> = {};

  beforeAll(async () => {
    ctx = await startTestApp();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const u = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    agent = { id: u.id, token: (await login(ctx.app, u.email)).token };
    inbox = await makeApiInbox(ctx.app, A.token);
    inbox2 = await makeApiInbox(ctx.app, A.token);
    for (const [who, text, name, box] of [
      ['alice', 'My order never arrived', 'Alice Smith', inbox],
      ['bob', 'Refund please', 'Bob Jones', inbox],
      ['carol', 'Where is 100%_off coupon?', 'Carol King', inbox2],
      ['dave', 'Just saying hi', 'Dave Brown', inbox],
    ] as const) {
      const res = await inbound(ctx.app, box.id, box.secret, textFrom(who, text, undefined, name));
      expect(res.status).toBe(200);
      convs[who] = res.body.conversationId;
    }
  });
  afterAll(() => ctx?.close());

  const list = (query = '', token = agent.token) =>
    http(ctx.app, 'GET', `/api/v1/conversations${query ? `?${query}` : ''}`, { token });
  const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((c) => c.id);
  const patch = (id: string, body: Record<string, unknown>, token = agent.token) =>
    http(ctx.app, 'PATCH', `/api/v1/conversations/${id}`, { token, body });

  it('lists by latest activity, newest first, with keyset pagination', async () => {
    const all = await list();
    expect(all.status).toBe(200);
    expect(ids(all)).toEqual([convs.dave, convs.carol, convs.bob, convs.alice]);

    const page1 = await list('limit=3');
    expect(ids(page1)).toEqual([convs.dave, convs.carol, convs.bob]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await list(`limit=3&cursor=${page1.body.nextCursor}`);
    expect(ids(page2)).toEqual([convs.alice]);
    expect(page2.body.nextCursor).toBeNull();

    // New activity moves a conversation to the top.
    await inbound(ctx.app, inbox.id, inbox.secret, textFrom('alice', 'Hello??'));
    expect(ids(await list())[0]).toBe(convs.alice);
    expect((await list('cursor=garbage')).status).toBe(400);
  });

  it('filters by channel, status, tag, assignee, team, priority and text', async () => {
    expect(ids(await list(`channelId=${inbox2.id}`))).toEqual([convs.carol]);

    expect((await patch(convs.bob!, { status: 'pending', tags: ['billing', 'vip'] })).status).toBe(200);
    expect(ids(await list('status=pending'))).toEqual([convs.bob]);
    expect(ids(await list('tag=vip'))).toEqual([convs.bob]);
    expect(ids(await list('tag=nothing'))).toEqual([]);

    expect((await patch(convs.dave!, { assigneeId: agent.id })).status).toBe(200);
    expect(ids(await list('assignee=me'))).toEqual([convs.dave]);
    expect(ids(await list(`assignee=${agent.id}`))).toEqual([convs.dave]);
    expect(ids(await list('assignee=unassigned'))).not.toContain(convs.dave);
    expect(ids(await list('assignee=unassigned'))).toHaveLength(3);
    // A's admin is not the assignee.
    expect(ids(await list('assignee=me', A.token))).toEqual([]);

    const team = await http(ctx.app, 'POST', '/api/v1/teams', { token: A.token, body: { name: 'Billing' } });
    expect(team.status).toBe(201);
    expect((await patch(convs.carol!, { teamId: team.body.id, priority: 'urgent' })).status).toBe(200);
    expect(ids(await list(`team=${team.body.id}`))).toEqual([convs.carol]);
    expect(ids(await list('team=none'))).not.toContain(convs.carol);
    expect(ids(await list('team=none'))).toHaveLength(3);
    expect(ids(await list('priority=urgent'))).toEqual([convs.carol]);
    expect(ids(await list(`priority=urgent&team=${team.body.id}&channelId=${inbox.id}`))).toEqual([]);
    expect((await list('priority=asap')).status).toBe(400);
    expect((await list('team=billing')).status).toBe(400);

    expect(ids(await list('q=smith'))).toEqual([convs.alice]);
    expect(ids(await list('q=refund'))).toEqual([convs.bob]);
    // LIKE wildcards in the search term are literal.
    expect(ids(await list(`q=${encodeURIComponent('100%_off')}`))).toEqual([convs.carol]);
    expect(ids(await list(`q=${encodeURIComponent('%')}`))).toEqual([convs.carol]);
    expect((await list('status=bogus')).status).toBe(400);
  });

  it('lists messages newest first with a cursor', async () => {
    const T = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const box = await makeApiInbox(ctx.app, T.token);
    let conversationId = '';
    for (const text of ['one', 'two', 'three']) {
      conversationId = (await inbound(ctx.app, box.id, box.secret, textFrom('talker', text))).body
        .conversationId;
    }
    const url = `/api/v1/conversations/${conversationId}/messages`;
    const p1 = await http(ctx.app, 'GET', `${url}?limit=2`, { token: T.token });
    expect(p1.body.items.map((m: { content: { text: string } }) => m.content.text)).toEqual(['three', 'two']);
    const p2 = await http(ctx.app, 'GET', `${url}?limit=2&cursor=${p1.body.nextCursor}`, { token: T.token });
    expect(p2.body.items.map((m: { content: { text: string } }) => m.content.text)).toEqual(['one']);
    expect(p2.body.nextCursor).toBeNull();
  });

  it('PATCH changes status, assignee, tags and priority and publishes conversation.updated', async () => {
    const seen: DomainEventMap['conversation.updated'][] = [];
    const off = ctx.app.get(DomainEvents).on('conversation.updated', (e) => void seen.push(e));
    const res = await patch(convs.carol!, { status: 'resolved', priority: 'high', tags: ['coupon'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'resolved', priority: 'high', tags: ['coupon'] });
    await expect
      .poll(() => seen.find((e) => e.conversation.id === convs.carol)?.changes)
      .toEqual(['status', 'priority', 'tags']);
    expect(seen.find((e) => e.conversation.id === convs.carol)!.tenantId).toBe(A.tenant.id);

    // Nothing changes → nothing published.
    const before = seen.length;
    expect((await patch(convs.carol!, { priority: 'high' })).status).toBe(200);
    await new Promise((r) => setImmediate(r));
    expect(seen.length).toBe(before);
    off();

    expect((await patch(convs.carol!, { status: 'snoozed' })).status).toBe(400);
    expect((await patch(convs.carol!, {})).status).toBe(400);
    expect((await patch(convs.carol!, { assigneeId: null })).body.assigneeId).toBeNull();
  });

  it("refuses another tenant's user as assignee", async () => {
    const res = await patch(convs.alice!, { assigneeId: B.user.id });
    expect(res.status).toBe(422);
    const row = await ctx.database.unsafe.execute<{ assignee_id: string | null }>(
      sql`select assignee_id from conversations where id = ${convs.alice!}`,
    );
    expect(row.rows[0]!.assignee_id).toBeNull();
  });

  it("another tenant's conversation answers 404 to get, messages and patch, and is unchanged", async () => {
    const id = convs.alice!;
    const before = (
      await ctx.database.unsafe.execute<Record<string, unknown>>(
        sql`select * from conversations where id = ${id}`,
      )
    ).rows[0];
    for (const [method, url, body] of [
      ['GET', `/api/v1/conversations/${id}`, undefined],
      ['GET', `/api/v1/conversations/${id}/messages`, undefined],
      ['PATCH', `/api/v1/conversations/${id}`, { status: 'resolved', tags: ['hijacked'] }],
    ] as const) {
      const res = await http(ctx.app, method, url, { token: B.token, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${url}`).toBe(404);
      expect(res.body.message).toBe('Conversation not found');
    }
    expect((await list('', B.token)).body.items).toEqual([]);
    const after = (
      await ctx.database.unsafe.execute<Record<string, unknown>>(
        sql`select * from conversations where id = ${id}`,
      )
    ).rows[0];
    expect(after).toEqual(before);
  });

  it('API keys need conversations:read for conversations and messages:read for messages', async () => {
    const convKey = await makeApiKey(ctx.app, A.token, ['conversations:read']);
    const msgKey = await makeApiKey(ctx.app, A.token, ['messages:read']);
    const get = (url: string, apiKey: string) => http(ctx.app, 'GET', url, { apiKey });
    expect((await get('/api/v1/conversations', convKey.key)).status).toBe(200);
    expect((await get(`/api/v1/conversations/${convs.bob}`, convKey.key)).status).toBe(200);
    expect((await get(`/api/v1/conversations/${convs.bob}/messages`, convKey.key)).status).toBe(403);
    expect((await get(`/api/v1/conversations/${convs.bob}/messages`, msgKey.key)).status).toBe(200);
    expect((await get('/api/v1/conversations', msgKey.key)).status).toBe(403);
    expect((await get('/api/v1/conversations?assignee=me', convKey.key)).status).toBe(400);
    const patched = await http(ctx.app, 'PATCH', `/api/v1/conversations/${convs.bob}`, {
      apiKey: convKey.key,
      body: { priority: 'low' },
    });
    expect(patched.status).toBe(403);
  });
});
