import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { login, makeApiKey, makeConversation, makeTenantWithUser, makeUser } from '../support/factories.js';
import { inbound, makeApiInbox, startCallbackServer, textFrom } from '../support/inbox.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

describe('sending messages', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let callback: Awaited<ReturnType<typeof startCallbackServer>>;
  let A: { tenant: { id: string }; user: { id: string }; token: string };
  let adminOfA: string;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let inbox: Awaited<ReturnType<typeof makeApiInbox>>;

  beforeAll(async () => {
    // The fake callback receiver listens on loopback, which the default outbound policy refuses.
    ctx = await startTestApp({ env: { OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' } });
    worker = await startWorker(ctx.config);
    callback = await startCallbackServer();
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    adminOfA = admin.token;
    const agent = await makeUser(ctx.database, admin.tenant.id, { role: 'AGENT' });
    A = { tenant: admin.tenant, user: agent, token: (await login(ctx.app, agent.email)).token };
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    inbox = await makeApiInbox(ctx.app, adminOfA, { callbackUrl: callback.url });
    callback.state.secret = inbox.secret;
  });
  afterAll(async () => {
    await worker?.close();
    await callback?.close();
    await ctx?.close();
  });

  /** A conversation with one inbound message from a fresh contact on A's api inbox. */
  async function conversation(identifier = `c-${Math.random().toString(36).slice(2, 8)}`) {
    const res = await inbound(ctx.app, inbox.id, inbox.secret, textFrom(identifier, 'hello, anyone?'));
    expect(res.status).toBe(200);
    return res.body.conversationId as string;
  }
  const send = (
    body: Record<string, unknown>,
    creds: { token?: string; apiKey?: string } = { token: A.token },
  ) => http(ctx.app, 'POST', '/api/v1/messages', { ...creds, body });
  const messageRow = async (id: string) =>
    (await ctx.database.unsafe.execute<Record<string, any>>(sql`select * from messages where id = ${id}`))
      .rows[0];
  const callsFor = (messageId: string) =>
    callback.state.requests.filter((r) => r.json?.message?.id === messageId);
  const waitForStatus = (id: string, status: string, timeout = 10_000) =>
    expect
      .poll(async () => (await messageRow(id))?.status as string | undefined, { timeout, interval: 50 })
      .toBe(status);

  function listen<K extends keyof DomainEventMap>(events: DomainEvents, name: K) {
    const seen: DomainEventMap[K][] = [];
    const off = events.on(name, (p) => void seen.push(p));
    return { seen, off };
  }

  it('queues the message; the worker POSTs it signed to the callback and marks it sent', async () => {
    const conversationId = await conversation('deliver-me');
    callback.state.respond = () => ({ status: 200, body: { id: 'cb-msg-1' } });
    const created = listen(ctx.app.get(DomainEvents), 'message.created');
    const statuses = listen(worker.app.get(DomainEvents), 'message.status');

    const res = await send({ conversationId, type: 'text', content: { text: 'Hi! How can I help?' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      conversationId,
      direction: 'out',
      status: 'queued',
      senderType: 'user',
      senderId: A.user.id,
      isPrivate: false,
      content: { text: 'Hi! How can I help?' },
    });
    await waitForStatus(res.body.id, 'sent');

    const row = await messageRow(res.body.id);
    expect(row).toMatchObject({ provider_message_id: 'cb-msg-1', failure_reason: null });
    const calls = callsFor(res.body.id);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signatureValid).toBe(true);
    expect(calls[0]!.headers['x-orbitdesk-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(calls[0]!.json).toMatchObject({
      event: 'message.created',
      message: { id: res.body.id, content: { text: 'Hi! How can I help?' } },
      conversation: { id: conversationId },
      contact: { identities: [{ channelType: 'api', identifier: 'deliver-me' }] },
    });
    await expect.poll(() => created.seen.some((e) => e.message.id === res.body.id)).toBe(true);
    await expect
      .poll(() => statuses.seen.filter((e) => e.message.id === res.body.id).map((e) => e.message.status))
      .toEqual(['sent']);

    // The agent answered: the contact is no longer waiting and the reply is the preview.
    const conv = await http(ctx.app, 'GET', `/api/v1/conversations/${conversationId}`, { token: A.token });
    expect(conv.body).toMatchObject({
      waitingSince: null,
      unreadCount: 0,
      lastMessagePreview: 'Hi! How can I help?',
    });
    created.off();
    statuses.off();
  });

  it('retries a callback that answers 500 twice, then sends', async () => {
    const conversationId = await conversation();
    let failures = 0;
    callback.state.respond = () =>
      failures++ < 2 ? { status: 500, body: { error: 'down' } } : { status: 200 };
    const res = await send({ conversationId, type: 'text', content: { text: 'third time lucky' } });
    await waitForStatus(res.body.id, 'sent', 15_000);
    expect(callsFor(res.body.id)).toHaveLength(3);
    expect((await messageRow(res.body.id))!.provider_message_id).toBeNull();
  });

  it('a 400 from the callback fails the message with the reason and is not retried', async () => {
    const conversationId = await conversation();
    callback.state.respond = () => ({ status: 400, body: { error: 'unknown recipient' } });
    const statuses = listen(worker.app.get(DomainEvents), 'message.status');
    const res = await send({ conversationId, type: 'text', content: { text: 'will bounce' } });
    await waitForStatus(res.body.id, 'failed');
    const row = await messageRow(res.body.id);
    expect(row!.failure_reason).toMatch(/^Callback answered 400: .*unknown recipient/);
    // Past the first backoff: a retry would have happened by now.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(callsFor(res.body.id)).toHaveLength(1);
    await expect.poll(() => statuses.seen.filter((e) => e.message.id === res.body.id).length).toBe(1);
    expect(statuses.seen.find((e) => e.message.id === res.body.id)!.message).toMatchObject({
      status: 'failed',
      failureReason: row!.failure_reason,
    });
    statuses.off();
  });

  it('fails the message after the last of 5 attempts', { timeout: 40_000 }, async () => {
    const conversationId = await conversation();
    callback.state.respond = () => ({ status: 503, body: { error: 'maintenance' } });
    const res = await send({ conversationId, type: 'text', content: { text: 'never arrives' } });
    await waitForStatus(res.body.id, 'failed', 30_000);
    expect(callsFor(res.body.id)).toHaveLength(5);
    expect((await messageRow(res.body.id))!.failure_reason).toMatch(/^Callback answered 503/);
  });

  it('a private note is stored as sent and never reaches the callback', async () => {
    const conversationId = await conversation();
    callback.state.respond = () => ({ status: 200 });
    const before = await http(ctx.app, 'GET', `/api/v1/conversations/${conversationId}`, { token: A.token });
    const res = await send({
      conversationId,
      type: 'text',
      content: { text: 'customer seems upset' },
      isPrivate: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'sent', isPrivate: true });
    // A later, normal reply is delivered: by then a note, had it been queued, would have been sent too.
    const reply = await send({ conversationId, type: 'text', content: { text: 'public reply' } });
    await waitForStatus(reply.body.id, 'sent');
    expect(callsFor(res.body.id)).toHaveLength(0);
    expect(callback.state.requests.some((r) => r.body.includes('customer seems upset'))).toBe(false);
    expect(await ctx.redis.exists(`bull:outbound:${res.body.id}`)).toBe(0);
    expect(await ctx.redis.exists(`bull:outbound:${reply.body.id}`)).toBe(1);
    // A note is not a reply: the contact was still waiting until the public reply.
    expect(before.body.waitingSince).not.toBeNull();
  });

  it('a reply and a note sort after the message they answer, even when a burst ran that message ahead of the clock', async () => {
    const identifier = `burst-${Math.random().toString(36).slice(2, 8)}`;
    const conversationId = await conversation(identifier);
    // A burst of inbound messages is spaced a millisecond apart (inbound_ingest), so its last one can be stamped
    // ahead of the clock; two seconds ahead stands for a long burst.
    await ctx.database.unsafe.execute(
      sql`update conversations set last_message_at = now() + interval '2 seconds' where id = ${conversationId}`,
    );
    const late = await inbound(ctx.app, inbox.id, inbox.secret, textFrom(identifier, 'the actual question'));
    expect(late.status).toBe(200);
    const question = (await messageRow(late.body.messageId))!;

    const reply = await send({ conversationId, type: 'text', content: { text: 'the answer' } });
    expect(reply.status).toBe(201);
    const note = await send({ conversationId, type: 'text', content: { text: 'internal' }, isPrivate: true });
    expect(note.status).toBe(201);
    expect(new Date(reply.body.createdAt).getTime()).toBeGreaterThan(new Date(question.created_at).getTime());
    expect(new Date(note.body.createdAt).getTime()).toBeGreaterThan(new Date(question.created_at).getTime());

    const history = await http(ctx.app, 'GET', `/api/v1/conversations/${conversationId}/messages`, {
      token: A.token,
    });
    expect(history.status).toBe(200);
    // Newest first: the note, the reply, then the question.
    const ids = (history.body.items as { id: string }[]).map((m) => m.id);
    expect(ids.slice(0, 3)).toEqual([note.body.id, reply.body.id, late.body.messageId]);
  });

  it('validates content by type', async () => {
    const conversationId = await conversation();
    for (const [type, content] of [
      ['text', {}],
      ['text', { text: '' }],
      ['text', { text: 'x'.repeat(65_537) }],
      ['text', { text: 'ok', extra: 1 }],
      ['image', { caption: 'no url' }],
      ['image', { url: 'javascript:alert(1)' }],
      ['template', { text: 'not a template' }],
    ] as const) {
      const res = await send({ conversationId, type, content });
      expect(res.status, `${type} ${JSON.stringify(content)}`).toBe(400);
    }
    const image = await send({
      conversationId,
      type: 'image',
      content: { url: 'https://cdn.example.test/x.png' },
    });
    expect(image.status).toBe(201);
  });

  it('refuses copies (cc, bcc) outside an email reply, naming them, and stores nothing', async () => {
    const conversationId = await conversation();
    const count = async () =>
      (
        await ctx.database.unsafe.execute<{ n: number }>(
          sql`select count(*)::int as n from messages where conversation_id = ${conversationId}`,
        )
      ).rows[0]!.n;
    const before = await count();
    const onApi = await send({ conversationId, type: 'text', content: { text: 'hi', cc: ['a@b.test'] } });
    expect(onApi.status).toBe(422);
    expect(onApi.body.message).toBe('Copies (cc) are for email replies only; this inbox is api');
    const both = await send({
      conversationId,
      type: 'text',
      content: { text: 'hi', cc: [], bcc: ['boss@acme.test'] },
    });
    expect(both.body.message).toBe('Copies (cc, bcc) are for email replies only; this inbox is api');

    // On an email conversation a note is not sent, so it copies no one.
    const tenantId = A.tenant.id;
    const mail = (
      await ctx.database.unsafe.execute<{ id: string }>(
        sql`insert into channels (tenant_id, type, name) values (${tenantId}, 'email', 'Mail') returning id`,
      )
    ).rows[0]!;
    const onEmail = await makeConversation(ctx.database, tenantId, { channelId: mail.id });
    const note = await send({
      conversationId: onEmail.id,
      isPrivate: true,
      type: 'text',
      content: { text: 'internal', bcc: ['boss@acme.test'] },
    });
    expect(note.status).toBe(422);
    expect(note.body.message).toBe('A private note is not sent, so it takes no copies (bcc)');
    expect(await count()).toBe(before);
    const noteRows = await ctx.database.unsafe.execute(
      sql`select id from messages where conversation_id = ${onEmail.id}`,
    );
    expect(noteRows.rows).toEqual([]);
  });

  describe('24-hour customer-service window', () => {
    async function whatsappConversation(lastInboundHoursAgo: number) {
      const tenantId = A.tenant.id;
      const channel = (
        await ctx.database.unsafe.execute<{ id: string }>(
          sql`insert into channels (tenant_id, type, name) values (${tenantId}, 'whatsapp', 'WA') returning id`,
        )
      ).rows[0]!;
      const contact = (
        await ctx.database.unsafe.execute<{ id: string }>(
          sql`insert into contacts (tenant_id, name) values (${tenantId}, 'WA contact') returning id`,
        )
      ).rows[0]!;
      const number = 100_000 + Math.floor(Math.random() * 1_000_000);
      const conv = (
        await ctx.database.unsafe.execute<{ id: string }>(
          sql`insert into conversations (tenant_id, number, channel_id, contact_id, last_inbound_at)
              values (${tenantId}, ${number}, ${channel.id}, ${contact.id},
                      now() - make_interval(hours => ${lastInboundHoursAgo}))
              returning id`,
        )
      ).rows[0]!;
      return conv.id;
    }

    it('refuses a free-form message 25 hours after the contact last wrote, and stores nothing', async () => {
      const conversationId = await whatsappConversation(25);
      const res = await send({ conversationId, type: 'text', content: { text: 'late reply' } });
      expect(res.status).toBe(422);
      expect(res.body.message).toBe('Outside the 24-hour customer-service window: send an approved template');
      const n = await ctx.database.unsafe.execute<{ n: number }>(
        sql`select count(*)::int as n from messages where conversation_id = ${conversationId}`,
      );
      expect(n.rows[0]!.n).toBe(0);
    });

    it('allows a template outside the window, and free-form text inside it, and notes always', async () => {
      const late = await whatsappConversation(25);
      const template = await send({
        conversationId: late,
        type: 'template',
        content: { name: 'order_update', language: 'en' },
      });
      expect(template.status).toBe(201);
      expect(template.body.status).toBe('queued');
      const note = await send({
        conversationId: late,
        type: 'text',
        content: { text: 'note' },
        isPrivate: true,
      });
      expect(note.status).toBe(201);

      const recent = await whatsappConversation(23);
      const text = await send({ conversationId: recent, type: 'text', content: { text: 'in time' } });
      expect(text.status).toBe(201);
    });
  });

  it('an API key with messages:send can send; without the scope it cannot', async () => {
    const conversationId = await conversation();
    callback.state.respond = () => ({ status: 200 });
    const key = await makeApiKey(ctx.app, adminOfA, ['messages:send']);
    const ok = await send(
      { conversationId, type: 'text', content: { text: 'from the CRM' } },
      { apiKey: key.key },
    );
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ senderType: 'bot', senderId: key.id });
    const readOnly = await makeApiKey(ctx.app, adminOfA, ['messages:read']);
    const denied = await send(
      { conversationId, type: 'text', content: { text: 'x' } },
      { apiKey: readOnly.key },
    );
    expect(denied.status).toBe(403);
  });

  it("sending into another tenant's conversation answers 404 and stores nothing", async () => {
    const conversationId = await conversation();
    const before = await ctx.database.unsafe.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where conversation_id = ${conversationId}`,
    );
    const res = await send(
      { conversationId, type: 'text', content: { text: 'intrusion' } },
      { token: B.token },
    );
    expect(res.status).toBe(404);
    const after = await ctx.database.unsafe.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where conversation_id = ${conversationId}`,
    );
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  describe('delivery reports through the api inbox', () => {
    const report = (body: Record<string, unknown>, secret = inbox.secret, inboxId = inbox.id) =>
      http(ctx.app, 'POST', `/api/v1/channels/api/${inboxId}/status`, {
        body,
        headers: { 'x-inbox-secret': secret },
      });

    it('moves the status forward, publishes message.status, and ignores stale reports', async () => {
      const conversationId = await conversation();
      callback.state.respond = () => ({ status: 200, body: { id: 'cb-report-1' } });
      const sent = await send({ conversationId, type: 'text', content: { text: 'track me' } });
      await waitForStatus(sent.body.id, 'sent');
      const statuses = listen(ctx.app.get(DomainEvents), 'message.status');

      const delivered = await report({ providerMessageId: 'cb-report-1', status: 'delivered' });
      expect(delivered.status).toBe(200);
      expect(delivered.body).toEqual({ messageId: sent.body.id, status: 'delivered', changed: true });
      const read = await report({ providerMessageId: 'cb-report-1', status: 'read' });
      expect(read.body).toMatchObject({ status: 'read', changed: true });
      const stale = await report({ providerMessageId: 'cb-report-1', status: 'delivered' });
      expect(stale.body).toMatchObject({ status: 'read', changed: false });
      expect((await messageRow(sent.body.id))!.status).toBe('read');

      await expect.poll(() => statuses.seen.map((e) => e.message.status)).toEqual(['delivered', 'read']);
      expect(statuses.seen[0]).toMatchObject({ tenantId: A.tenant.id, message: { id: sent.body.id } });
      statuses.off();
    });

    it('records a failure with its reason', async () => {
      const conversationId = await conversation();
      callback.state.respond = () => ({ status: 200, body: { id: 'cb-report-2' } });
      const sent = await send({ conversationId, type: 'text', content: { text: 'will fail later' } });
      await waitForStatus(sent.body.id, 'sent');
      const res = await report({
        providerMessageId: 'cb-report-2',
        status: 'failed',
        reason: 'blocked by user',
      });
      expect(res.body).toMatchObject({ status: 'failed', changed: true });
      expect(await messageRow(sent.body.id)).toMatchObject({
        status: 'failed',
        failure_reason: 'blocked by user',
      });
    });

    it('needs the inbox secret, and unknown provider ids answer 404', async () => {
      expect((await report({ providerMessageId: 'cb-report-1', status: 'read' }, 'wrong')).status).toBe(401);
      expect((await report({ providerMessageId: 'nope', status: 'read' })).status).toBe(404);
      const other = await makeApiInbox(ctx.app, B.token);
      // B's inbox cannot report on A's messages, even with its own valid secret.
      expect(
        (await report({ providerMessageId: 'cb-report-1', status: 'read' }, other.secret, other.id)).status,
      ).toBe(404);
    });
  });
});
