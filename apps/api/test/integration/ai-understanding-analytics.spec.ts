import { MESSAGE_INTENTS, type MessageIntent } from '@orbitdesk/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema/index.js';
import { login, makeConversation, makeTenantWithUser, makeUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const DAY = 86_400_000;

describe('analytics: message intents', () => {
  let ctx: TestContext;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;

  /** One message in the tenant's conversation, classified or not, `daysAgo` days back. */
  async function message(
    tenantId: string,
    conversation: { id: string; channelId: string },
    opts: {
      direction?: 'in' | 'out';
      isPrivate?: boolean;
      daysAgo?: number;
      understanding?: { intent: MessageIntent; sentiment: number; language: string } | null;
    },
  ) {
    const u = opts.understanding === undefined ? null : opts.understanding;
    await ctx.database.unsafe.insert(messages).values({
      tenantId,
      conversationId: conversation.id,
      channelId: conversation.channelId,
      direction: opts.direction ?? 'in',
      type: 'text',
      content: { text: 'words' },
      status: opts.direction === 'out' ? 'sent' : 'received',
      senderType: opts.direction === 'out' ? 'user' : 'contact',
      isPrivate: opts.isPrivate ?? false,
      createdAt: new Date(Date.now() - (opts.daysAgo ?? 0) * DAY),
      ...(u
        ? {
            intent: u.intent,
            intentConfidence: 0.9,
            sentiment: u.sentiment,
            language: u.language,
            understandingModel: 'local:orbitdesk-local-1',
          }
        : {}),
    });
  }

  const intents = (token: string, query = '') =>
    http(ctx.app, 'GET', `/api/v1/analytics/intents${query}`, { token });

  beforeAll(async () => {
    ctx = await startTestApp();
    A = await makeTenantWithUser(ctx.app, ctx.database, 'MANAGER');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const a = await makeConversation(ctx.database, A.tenant.id);
    const b = await makeConversation(ctx.database, B.tenant.id);
    const classified = (intent: MessageIntent, sentiment: number, language: string) => ({
      understanding: { intent, sentiment, language },
    });
    // Counted: inbound, not private, classified, within the window.
    await message(A.tenant.id, a, classified('billing', -0.6, 'en'));
    await message(A.tenant.id, a, classified('billing', -0.2, 'en'));
    await message(A.tenant.id, a, classified('billing', 0, 'es'));
    await message(A.tenant.id, a, classified('purchase', 0.5, 'es'));
    await message(A.tenant.id, a, { ...classified('greeting', 0.8, 'en'), daysAgo: 10 });
    // Not counted.
    await message(A.tenant.id, a, { understanding: null });
    await message(A.tenant.id, a, { ...classified('complaint', -1, 'en'), direction: 'out' });
    await message(A.tenant.id, a, { ...classified('complaint', -1, 'en'), isPrivate: true });
    await message(A.tenant.id, a, { ...classified('spam', -1, 'de'), daysAgo: 45 });
    // Another workspace's messages.
    await message(B.tenant.id, b, classified('spam', -0.9, 'de'));
    await message(B.tenant.id, b, classified('spam', -0.9, 'de'));
  });
  afterAll(() => ctx?.close());

  it("counts the last 30 days of the workspace's classified inbound messages by intent and language", async () => {
    const res = await intents(A.token);
    expect(res.status).toBe(200);
    expect(res.body.intents.slice(0, 3)).toEqual([
      { intent: 'billing', count: 3 },
      { intent: 'purchase', count: 1 },
      { intent: 'greeting', count: 1 },
    ]);
    // Every intent is listed, the ones never seen with 0.
    expect(res.body.intents).toHaveLength(MESSAGE_INTENTS.length);
    expect(res.body.intents.slice(3).every((i: { count: number }) => i.count === 0)).toBe(true);
    expect(res.body.averageSentiment).toBeCloseTo((-0.6 - 0.2 + 0 + 0.5 + 0.8) / 5, 5);
    expect(res.body.languages).toEqual([
      { language: 'en', count: 3 },
      { language: 'es', count: 2 },
    ]);
  });

  it('takes a window, from inclusive to exclusive', async () => {
    const from = new Date(Date.now() - 60 * DAY).toISOString();
    const to = new Date(Date.now() - 5 * DAY).toISOString();
    const res = await intents(A.token, `?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(res.status).toBe(200);
    expect(res.body.intents.filter((i: { count: number }) => i.count > 0)).toEqual([
      { intent: 'greeting', count: 1 },
      { intent: 'spam', count: 1 },
    ]);
    expect(res.body.languages).toEqual([
      { language: 'de', count: 1 },
      { language: 'en', count: 1 },
    ]);

    const future = await intents(A.token, '?from=2999-01-01&to=2999-02-01');
    expect(future.status).toBe(200);
    expect(future.body.averageSentiment).toBeNull();
    expect(future.body.languages).toEqual([]);
  });

  it('refuses a window that ends before it starts, or is not a date', async () => {
    const backwards = await intents(A.token, '?from=2025-02-01&to=2025-01-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.message).toMatch(/from/);
    expect((await intents(A.token, '?from=yesterday')).status).toBe(400);
    expect((await intents(A.token, '?days=7')).status).toBe(400);
  });

  it('only shows a workspace its own messages, to managers and admins', async () => {
    const seenByB = await intents(B.token);
    expect(seenByB.body.intents[0]).toEqual({ intent: 'spam', count: 2 });
    expect(seenByB.body.languages).toEqual([{ language: 'de', count: 2 }]);

    const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    expect((await intents((await login(ctx.app, agent.email)).token)).status).toBe(403);
  });
});
