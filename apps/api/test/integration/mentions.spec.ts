import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { login, makeApiKey, makeTenantWithUser, makeUser } from '../support/factories.js';
import { inbound, makeApiInbox, textFrom } from '../support/inbox.js';
import { onlineAgents, record } from '../support/online-agents.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

describe('@mentions in private notes, and notifications', () => {
  let ctx: TestContext;
  let sockets: Awaited<ReturnType<typeof onlineAgents>>;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  type Person = { id: string; email: string; token: string };
  let author: Person;
  let ada: Person;
  let bob: Person;
  let bystander: Person;
  let inbox: Awaited<ReturnType<typeof makeApiInbox>>;
  let seq = 0;

  const person = async (tenantId: string, name: string): Promise<Person> => {
    const user = await makeUser(ctx.database, tenantId, { role: 'AGENT', name });
    return { id: user.id, email: user.email, token: (await login(ctx.app, user.email)).token };
  };
  const conversation = async () => {
    const res = await inbound(ctx.app, inbox.id, inbox.secret, textFrom(`customer-${++seq}`, 'help'));
    return res.body.conversationId as string;
  };
  const note = (conversationId: string, text: string, token = author.token, isPrivate = true) =>
    http(ctx.app, 'POST', '/api/v1/messages', {
      token,
      body: { conversationId, type: 'text', content: { text }, isPrivate },
    });
  const notifications = (token: string, query = '') =>
    http(ctx.app, 'GET', `/api/v1/notifications${query ? `?${query}` : ''}`, { token });
  const mentionOf = (p: { id: string }, name = 'Someone') => `@[${name}](user:${p.id})`;

  beforeAll(async () => {
    ctx = await startTestApp();
    sockets = await onlineAgents(ctx);
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    author = await person(A.tenant.id, 'Author');
    ada = await person(A.tenant.id, 'Ada Lovelace');
    bob = await person(A.tenant.id, 'Bob');
    bystander = await person(A.tenant.id, 'Bystander');
    inbox = await makeApiInbox(ctx.app, A.token);
  });
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await sockets?.closeAll();
    await ctx?.close();
  });

  it('resolves both mention forms, stores them in content.mentions and notifies each person live', async () => {
    const adaSocket = await sockets.connect(ada.token, A.tenant.id, ada.id);
    const bobSocket = await sockets.connect(bob.token, A.tenant.id, bob.id);
    const bystanderSocket = await sockets.connect(bystander.token, A.tenant.id, bystander.id);
    const toAda = record(adaSocket, 'notification');
    const toBob = record(bobSocket, 'notification');
    const toBystander = record(bystanderSocket, 'notification');
    const id = await conversation();

    const text = `${mentionOf(ada, 'Ada Lovelace')} and @${bob.email.toUpperCase()}: refund approved?`;
    const res = await note(id, text);
    expect(res.status).toBe(201);
    expect(res.body.isPrivate).toBe(true);
    expect(res.body.content.text).toBe(text);
    expect([...res.body.content.mentions].sort()).toEqual([ada.id, bob.id].sort());

    await expect.poll(() => toAda.length).toBe(1);
    await expect.poll(() => toBob.length).toBe(1);
    expect(toAda[0]).toMatchObject({
      type: 'mention',
      conversationId: id,
      messageId: res.body.id,
      readAt: null,
      payload: { authorId: author.id, preview: text, conversationNumber: expect.any(Number) },
    });
    const listed = (await notifications(ada.token)).body.items;
    expect(listed).toEqual([toAda[0]]);

    // Nobody else heard of it.
    await new Promise((r) => setTimeout(r, 300));
    expect(toBystander).toEqual([]);
    expect((await notifications(bystander.token)).body.items).toEqual([]);
    expect((await notifications(author.token)).body.items).toEqual([]);
  });

  it('ignores users of other workspaces, unknown and inactive users, and notifies no one for a self-mention', async () => {
    const outsider = await person(B.tenant.id, 'Outsider');
    const inactive = await makeUser(ctx.database, A.tenant.id, { isActive: false });
    const outsiderSocket = await sockets.connect(outsider.token, B.tenant.id, outsider.id);
    const toOutsider = record(outsiderSocket, 'notification');
    const id = await conversation();
    const text =
      `${mentionOf(outsider)} @${outsider.email} ${mentionOf({ id: '00000000-0000-4000-8000-000000000000' })} ` +
      `@nobody@example.test ${mentionOf(inactive)} and me ${mentionOf(author)}`;

    const res = await note(id, text);
    expect(res.status).toBe(201);
    expect(res.body.content.mentions).toEqual([author.id]);
    await new Promise((r) => setTimeout(r, 300));
    expect(toOutsider).toEqual([]);
    expect((await notifications(outsider.token)).body.items).toEqual([]);
    expect((await notifications(author.token)).body.items).toEqual([]);
    const rowsOfB = await ctx.database.unsafe.execute(
      sql`select id from notifications where tenant_id = ${B.tenant.id}`,
    );
    expect(rowsOfB.rows).toEqual([]);

    // Without any resolvable mention the content is stored as sent.
    const plain = await note(id, `nothing for @${outsider.email}`);
    expect(plain.body.content).toEqual({ text: `nothing for @${outsider.email}` });
  });

  it('only private notes mention: a reply to the contact notifies no one; clients cannot set mentions', async () => {
    const id = await conversation();
    const reply = await note(id, `thanks, ${mentionOf(ada)} will call you`, author.token, false);
    expect(reply.status).toBe(201);
    expect(reply.body.content.mentions).toBeUndefined();
    const forged = await http(ctx.app, 'POST', '/api/v1/messages', {
      token: author.token,
      body: {
        conversationId: id,
        type: 'text',
        content: { text: 'hi', mentions: [ada.id] },
        isPrivate: true,
      },
    });
    expect(forged.status).toBe(400);
    const ofAda = await ctx.database.unsafe.execute(
      sql`select id from notifications where user_id = ${ada.id} and conversation_id = ${id}`,
    );
    expect(ofAda.rows).toEqual([]);
  });

  describe('GET /notifications and marking read', () => {
    let carol: Person;
    beforeAll(async () => {
      carol = await person(A.tenant.id, 'Carol');
      const id = await conversation();
      for (let i = 1; i <= 3; i++) expect((await note(id, `${mentionOf(carol)} #${i}`)).status).toBe(201);
    });
    const items = (res: { body: { items: { payload: { preview: string } }[] } }) =>
      res.body.items.map((n) => n.payload.preview.slice(-2));

    it('lists newest first with a cursor', async () => {
      const page1 = await notifications(carol.token, 'limit=2');
      expect(page1.status).toBe(200);
      expect(items(page1)).toEqual(['#3', '#2']);
      const page2 = await notifications(carol.token, `limit=2&cursor=${page1.body.nextCursor}`);
      expect(items(page2)).toEqual(['#1']);
      expect(page2.body.nextCursor).toBeNull();
    });

    it("marks one read (once), and someone else's answers 404", async () => {
      const [newest] = (await notifications(carol.token)).body.items;
      expect(
        (await http(ctx.app, 'POST', `/api/v1/notifications/${newest.id}/read`, { token: ada.token })).status,
      ).toBe(404);
      expect(
        (await http(ctx.app, 'POST', `/api/v1/notifications/${newest.id}/read`, { token: B.token })).status,
      ).toBe(404);
      expect((await notifications(carol.token, 'unread=true')).body.items).toHaveLength(3);

      const read = await http(ctx.app, 'POST', `/api/v1/notifications/${newest.id}/read`, {
        token: carol.token,
      });
      expect(read.status).toBe(200);
      expect(read.body.readAt).toEqual(expect.any(String));
      const again = await http(ctx.app, 'POST', `/api/v1/notifications/${newest.id}/read`, {
        token: carol.token,
      });
      expect(again.body.readAt).toBe(read.body.readAt);

      expect(items(await notifications(carol.token, 'unread=true'))).toEqual(['#2', '#1']);
      expect(items(await notifications(carol.token, 'unread=false'))).toEqual(['#3']);
      expect((await notifications(carol.token, 'unread=maybe')).status).toBe(400);
    });

    it('marks all read, only for the caller', async () => {
      const adaUnread = (await notifications(ada.token, 'unread=true')).body.items.length;
      expect(adaUnread).toBeGreaterThan(0);
      const all = await http(ctx.app, 'POST', '/api/v1/notifications/read-all', { token: carol.token });
      expect(all.status).toBe(200);
      expect(all.body).toEqual({ updated: 2 });
      expect((await notifications(carol.token, 'unread=true')).body.items).toEqual([]);
      expect((await notifications(ada.token, 'unread=true')).body.items).toHaveLength(adaUnread);
    });

    it('API keys have no notifications', async () => {
      const key = await makeApiKey(ctx.app, A.token, ['conversations:read', 'messages:send']);
      expect((await http(ctx.app, 'GET', '/api/v1/notifications', { apiKey: key.key })).status).toBe(403);
    });
  });
});
