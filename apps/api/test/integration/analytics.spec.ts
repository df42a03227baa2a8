import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema/index.js';
import { makeConversation, makeTenantWithUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const DAY = 24 * 60 * 60 * 1000;
const utcDay = (offsetDays: number) => new Date(Date.now() - offsetDays * DAY).toISOString().slice(0, 10);

describe('GET /api/v1/analytics/dashboard', () => {
  let ctx: TestContext;
  let a: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let b: Awaited<ReturnType<typeof makeTenantWithUser>>;

  /** A contact with one conversation and the given messages, written straight to the tables. */
  async function arrange(
    tenantId: string,
    msgs: { direction: 'in' | 'out'; daysAgo: number; isPrivate?: boolean }[],
    status: 'open' | 'resolved' = 'open',
  ) {
    const db = ctx.database.unsafe;
    const conv = await makeConversation(ctx.database, tenantId, { status });
    for (const m of msgs) {
      await db.insert(messages).values({
        tenantId,
        conversationId: conv.id,
        channelId: conv.channelId,
        direction: m.direction,
        type: 'text',
        content: { text: 'hi' },
        status: m.direction === 'in' ? 'received' : 'sent',
        senderType: m.direction === 'in' ? 'contact' : 'user',
        isPrivate: m.isPrivate ?? false,
        // Noon of the day, so the test never straddles midnight UTC.
        createdAt: new Date(`${utcDay(m.daysAgo)}T12:00:00.000Z`),
      });
    }
  }

  beforeAll(async () => {
    ctx = await startTestApp();
    a = await makeTenantWithUser(ctx.app, ctx.database, 'MANAGER');
    b = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    await arrange(a.tenant.id, [
      { direction: 'in', daysAgo: 0 },
      { direction: 'in', daysAgo: 0 },
      { direction: 'out', daysAgo: 0 },
      { direction: 'out', daysAgo: 0, isPrivate: true },
      { direction: 'in', daysAgo: 3 },
      { direction: 'out', daysAgo: 6 },
      { direction: 'in', daysAgo: 7 },
    ]);
    await arrange(a.tenant.id, [{ direction: 'in', daysAgo: 1 }], 'resolved');
    // Tenant B's traffic must not show up in A's numbers.
    await arrange(b.tenant.id, [
      { direction: 'in', daysAgo: 0 },
      { direction: 'in', daysAgo: 0 },
      { direction: 'in', daysAgo: 0 },
    ]);
  });
  afterAll(() => ctx.close());

  it("counts only the caller's tenant: contacts, today's messages, active conversations, 7 days of volume", async () => {
    const res = await http(ctx.app, 'GET', '/api/v1/analytics/dashboard', { token: a.token });
    expect(res.status).toBe(200);
    expect(res.body.totalContacts).toBe(2);
    expect(res.body.messagesToday).toEqual({ inbound: 2, outbound: 1 });
    expect(res.body.activeConversations).toBe(1);
    expect(res.body.volume7d).toEqual([
      { date: utcDay(6), inbound: 0, outbound: 1 },
      { date: utcDay(5), inbound: 0, outbound: 0 },
      { date: utcDay(4), inbound: 0, outbound: 0 },
      { date: utcDay(3), inbound: 1, outbound: 0 },
      { date: utcDay(2), inbound: 0, outbound: 0 },
      { date: utcDay(1), inbound: 1, outbound: 0 },
      { date: utcDay(0), inbound: 2, outbound: 1 },
    ]);
    const other = await http(ctx.app, 'GET', '/api/v1/analytics/dashboard', { token: b.token });
    expect(other.body.messagesToday).toEqual({ inbound: 3, outbound: 0 });
  });

  it('is cached in Redis for five minutes per tenant', async () => {
    const first = await http(ctx.app, 'GET', '/api/v1/analytics/dashboard', { token: a.token });
    await arrange(a.tenant.id, [{ direction: 'in', daysAgo: 0 }]);
    const cached = await http(ctx.app, 'GET', '/api/v1/analytics/dashboard', { token: a.token });
    expect(cached.body).toEqual(first.body);
    const ttl = await ctx.redis.ttl(`analytics:dashboard:${a.tenant.id}`);
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    await ctx.redis.del(`analytics:dashboard:${a.tenant.id}`);
    const fresh = await http(ctx.app, 'GET', '/api/v1/analytics/dashboard', { token: a.token });
    expect(fresh.body.messagesToday.inbound).toBe(3);
    expect(fresh.body.totalContacts).toBe(3);
  });

  it('is for managers and admins', async () => {
    const agent = await makeTenantWithUser(ctx.app, ctx.database, 'AGENT');
    expect((await http(ctx.app, 'GET', '/api/v1/analytics/dashboard', { token: agent.token })).status).toBe(
      403,
    );
  });
});
