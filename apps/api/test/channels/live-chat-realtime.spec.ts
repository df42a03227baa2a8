import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitorRoom } from '../../src/modules/channels/live-chat/live-chat.events.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { startFakeSmtp } from '../fakes/live-chat-smtp.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { connectAgent, eventsDuring, listen, nextEvent } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import {
  connected,
  textsOf,
  makeLiveChatInbox,
  newVisitor,
  refusal,
  visitorSend,
  visitorSocket,
} from '../support/widget-client.js';

/** Live chat over Socket.IO (/widget), agents' replies through the worker, and email to visitors who left. */
describe('live chat realtime and delivery', () => {
  let ctx: TestContext;
  let base: string;
  let worker: RunningWorker;
  let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
  let distDir: string;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let inbox: Awaited<ReturnType<typeof makeLiveChatInbox>>;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    distDir = await mkdtemp(join(tmpdir(), 'orbitdesk-widget-dist-'));
    await writeFile(join(distDir, 'widget.js'), '(()=>{})();\n');
    ctx = await startTestApp({
      env: {
        SMTP_URL: smtp.url,
        SMTP_FROM: 'Acme Support <support@acme.example>',
        WIDGET_DIST_DIR: distDir,
      },
    });
    base = await listen(ctx.app);
    worker = await startWorker(ctx.config);
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    inbox = await makeLiveChatInbox(ctx.app, A.token);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await worker?.close();
    await ctx?.close();
    await smtp?.close();
    await rm(distDir, { recursive: true, force: true });
  });

  const open = async (token: string, origin?: string) => {
    const socket = visitorSocket(base, token, origin);
    sockets.push(socket);
    return connected(socket);
  };
  /** A visitor who has written once (so the conversation exists). */
  const chattingVisitor = async (extra: Record<string, unknown> = {}, inboxToken = inbox.websiteToken) => {
    const session = await newVisitor(ctx.app, inboxToken, extra);
    const sent = await visitorSend(ctx.app, session.visitorToken, { content: { text: 'hello' } });
    expect(sent.status).toBe(200);
    const conversationId = (
      await ctx.database.unsafe.execute<{ conversation_id: string; contact_id: string }>(
        sql`select m.conversation_id, c.contact_id from messages m join conversations c on c.id = m.conversation_id
            where m.id = ${sent.body.message.id}`,
      )
    ).rows[0]!;
    return {
      ...session,
      conversationId: conversationId.conversation_id,
      contactId: conversationId.contact_id,
    };
  };
  const reply = async (conversationId: string, text: string) => {
    const res = await http(ctx.app, 'POST', '/api/v1/messages', {
      token: A.token,
      body: { conversationId, type: 'text', content: { text } },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const messageRow = async (id: string) =>
    (await ctx.database.unsafe.execute<Record<string, any>>(sql`select * from messages where id = ${id}`))
      .rows[0]!;

  describe('handshake', () => {
    it('admits a valid visitor token, and refuses a missing, forged or foreign-site one', async () => {
      const visitor = await newVisitor(ctx.app, inbox.websiteToken);
      const socket = await open(visitor.visitorToken);
      expect(socket.connected).toBe(true);

      expect(await refusal(visitorSocket(base, ''))).toContain('Missing visitor token');
      const [h, p] = visitor.visitorToken.split('.');
      expect(await refusal(visitorSocket(base, `${h}.${p}.${'A'.repeat(43)}`))).toContain(
        'invalid or expired',
      );

      const shop = await makeLiveChatInbox(ctx.app, A.token, { allowedOrigins: ['https://shop.example'] });
      const shopVisitor = await newVisitor(ctx.app, shop.websiteToken);
      expect(await refusal(visitorSocket(base, shopVisitor.visitorToken, 'https://evil.example'))).toContain(
        'cannot be used from',
      );
      expect((await open(shopVisitor.visitorToken, 'https://shop.example')).connected).toBe(true);
    });

    it('refuses the visitors of a disabled inbox, and closes the chats already open', async () => {
      const closing = await makeLiveChatInbox(ctx.app, A.token);
      const visitor = await newVisitor(ctx.app, closing.websiteToken);
      const open1 = await open(visitor.visitorToken);
      // Another inbox's visitor is not touched.
      const bystander = await open((await newVisitor(ctx.app, inbox.websiteToken)).visitorToken);
      const closed = new Promise<string>((resolve) => open1.once('disconnect', resolve));
      await http(ctx.app, 'PATCH', `/api/v1/channels/${closing.id}`, {
        token: A.token,
        body: { isActive: false },
      });
      // Closed by the server (the widget does not reconnect on its own after that), not by a timeout.
      expect(await closed).toBe('io server disconnect');
      expect(await refusal(visitorSocket(base, visitor.visitorToken))).toContain('not available');
      expect(bystander.connected).toBe(true);

      // Deleting an inbox closes its visitors' chats too.
      const deleted = await makeLiveChatInbox(ctx.app, A.token);
      const gone = await open((await newVisitor(ctx.app, deleted.websiteToken)).visitorToken);
      const goneClosed = new Promise<string>((resolve) => gone.once('disconnect', resolve));
      expect(
        (await http(ctx.app, 'DELETE', `/api/v1/channels/${deleted.id}`, { token: A.token })).status,
      ).toBe(200);
      expect(await goneClosed).toBe('io server disconnect');
      expect(bystander.connected).toBe(true);
    });
  });

  describe('messages and typing', () => {
    it("publishes a visitor's message to the agents and to the visitor's other tabs", async () => {
      const visitor = await chattingVisitor();
      const agent = await connectAgent(base, A.token);
      sockets.push(agent);
      const otherTab = await open(visitor.visitorToken);
      const toAgent = nextEvent<any>(agent, 'new_message');
      const toTab = nextEvent<any>(otherTab, 'message');
      const sent = await visitorSend(ctx.app, visitor.visitorToken, { content: { text: 'anyone there?' } });
      expect((await toAgent).message).toMatchObject({
        id: sent.body.message.id,
        content: { text: 'anyone there?' },
      });
      expect(await toTab).toMatchObject({ id: sent.body.message.id, from: 'visitor' });
    });

    it("delivers an agent's reply to that visitor's socket only, as sent, without an email", async () => {
      const one = await chattingVisitor({ email: 'one@visitor.example' });
      const two = await chattingVisitor();
      const oneSocket = await open(one.visitorToken);
      const twoSocket = await open(two.visitorToken);
      const received = nextEvent<any>(oneSocket, 'message', 10_000);
      const quiet = eventsDuring(twoSocket, 2_000);
      const id = await reply(one.conversationId, 'We ship worldwide.');
      expect(await received).toMatchObject({
        id,
        from: 'agent',
        type: 'text',
        content: { text: 'We ship worldwide.' },
        status: 'sent',
        clientMessageId: null,
      });
      expect(await quiet).toEqual([]);
      await eventually(async () => {
        expect(await messageRow(id)).toMatchObject({ status: 'sent', provider_message_id: id });
      }, 10_000);
      expect(smtp.state.mails.filter((m) => m.rcptTo.includes('one@visitor.example'))).toEqual([]);
    });

    it("gives no way into another visitor's room", async () => {
      const victim = await chattingVisitor();
      const intruder = await chattingVisitor();
      const victimSocket = await open(victim.visitorToken);
      const socket = await open(intruder.visitorToken);
      const room = visitorRoom(A.tenant.id, inbox.id, victim.visitor.id);
      for (const event of ['join', 'subscribe', 'join_conversation', 'joinRoom'])
        socket.emit(event, { room, conversationId: victim.conversationId });
      const quiet = eventsDuring(socket, 2_000);
      const delivered = nextEvent<any>(victimSocket, 'message', 10_000);
      await reply(victim.conversationId, 'for the victim only');
      expect((await delivered).content).toEqual({ text: 'for the victim only' });
      expect(await quiet).toEqual([]);
      // Nor with the victim's id in the handshake: the room comes from the signed token alone.
      const spoofed = visitorSocket(base, intruder.visitorToken);
      (spoofed.auth as Record<string, unknown>).visitorId = victim.visitor.id;
      sockets.push(await connected(spoofed));
      const stillQuiet = eventsDuring(spoofed, 1_500);
      await reply(victim.conversationId, 'again for the victim');
      expect(await stillQuiet).toEqual([]);
    });

    it('relays typing both ways: visitor to the conversation room of /chat, agent to that visitor only', async () => {
      const visitor = await chattingVisitor();
      const bystander = await chattingVisitor();
      const agent = await connectAgent(base, A.token);
      sockets.push(agent);
      const joined = await agent.emitWithAck('join_conversation', { conversationId: visitor.conversationId });
      expect(joined).toEqual({ ok: true });
      const vSocket = await open(visitor.visitorToken);
      const bSocket = await open(bystander.visitorToken);

      const agentSees = nextEvent<any>(agent, 'typing');
      vSocket.emit('typing', { isTyping: true });
      expect(await agentSees).toEqual({
        conversationId: visitor.conversationId,
        contactId: visitor.contactId,
        isTyping: true,
      });

      const visitorSees = nextEvent<any>(vSocket, 'typing');
      const bystanderQuiet = eventsDuring(bSocket, 1_000);
      agent.emit('typing', { conversationId: visitor.conversationId, isTyping: true });
      expect(await visitorSees).toEqual({ isTyping: true });
      expect(await bystanderQuiet).toEqual([]);

      // An agent socket that did not join the conversation's room is not relayed.
      const outsider = await connectAgent(base, A.token);
      sockets.push(outsider);
      const notRelayed = eventsDuring(vSocket, 1_000);
      outsider.emit('typing', { conversationId: visitor.conversationId, isTyping: false });
      expect(await notRelayed).toEqual([]);
    });

    it("marks an agent's message read when the widget says so, and only the visitor's own", async () => {
      const visitor = await chattingVisitor();
      const other = await chattingVisitor();
      const vSocket = await open(visitor.visitorToken);
      const oSocket = await open(other.visitorToken);
      const delivered = nextEvent<any>(vSocket, 'message', 10_000);
      const id = await reply(visitor.conversationId, 'did you see this?');
      await delivered;
      await eventually(async () => expect((await messageRow(id)).status).toBe('sent'), 10_000);

      oSocket.emit('read', { messageIds: [id] });
      await new Promise((r) => setTimeout(r, 500));
      expect((await messageRow(id)).status).toBe('sent');

      vSocket.emit('read', { messageIds: [id] });
      await eventually(async () => expect((await messageRow(id)).status).toBe('read'));
    });

    it('applies a read the widget reports while the reply is still being sent, once it is sent', async () => {
      const visitor = await chattingVisitor();
      const vSocket = await open(visitor.visitorToken);
      // A reply the worker has handed to the widget but not yet recorded as sent (no job: the test plays the worker).
      const [row] = (
        await ctx.database.unsafe.execute<{ id: string }>(
          sql`insert into messages (tenant_id, conversation_id, channel_id, direction, type, content, status,
                sender_type)
              select tenant_id, id, channel_id, 'out', 'text', '{"text":"on its way"}', 'queued', 'user'
              from conversations where id = ${visitor.conversationId}
              returning id`,
        )
      ).rows;
      const id = row!.id;
      vSocket.emit('read', { messageIds: [id] });
      await new Promise((r) => setTimeout(r, 400));
      expect((await messageRow(id)).status).toBe('queued');
      await ctx.database.unsafe.execute(
        sql`update messages set status = 'sent', provider_message_id = ${id} where id = ${id}`,
      );
      await eventually(async () => expect((await messageRow(id)).status).toBe('read'), 5_000);
    });
  });

  describe('visitors who left', () => {
    it("emails an offline visitor the agent's reply (SMTP_URL, from SMTP_FROM)", async () => {
      const visitor = await chattingVisitor({ name: 'Noor', email: 'noor@visitor.example' });
      const id = await reply(visitor.conversationId, 'Your order shipped today.');
      const mail = await eventually(() => {
        const found = smtp.state.mails.find((m) => m.rcptTo.includes('noor@visitor.example'));
        expect(found).toBeDefined();
        return found!;
      }, 10_000);
      expect(mail.user).toBe('widget-mailer');
      expect(mail.mailFrom).toBe('support@acme.example');
      expect(mail.parsed.from?.value).toEqual([{ name: 'Acme Support', address: 'support@acme.example' }]);
      expect(mail.parsed.subject).toBe('New reply to your chat on shop.example');
      expect(mail.parsed.text).toContain('Your order shipped today.');
      expect(mail.parsed.text).toContain('https://shop.example');
      await eventually(async () => expect((await messageRow(id)).status).toBe('sent'), 10_000);
    });

    it('keeps the reply for the widget when the visitor gave no email', async () => {
      const visitor = await chattingVisitor();
      const before = smtp.state.mails.length;
      const id = await reply(visitor.conversationId, 'see you later');
      await eventually(async () => expect((await messageRow(id)).status).toBe('sent'), 10_000);
      expect(smtp.state.mails.length).toBe(before);
      const resumed = await newVisitor(ctx.app, inbox.websiteToken, { visitorToken: visitor.visitorToken });
      expect(textsOf(resumed.messages)).toEqual(['hello', 'see you later']);
    });

    it("fails the message with the mail server's reason when it refuses the address", async () => {
      smtp.state.rejectRecipients.add('bounce@visitor.example');
      const visitor = await chattingVisitor({ email: 'bounce@visitor.example' });
      const id = await reply(visitor.conversationId, 'this will bounce');
      await eventually(async () => {
        const row = await messageRow(id);
        expect(row.status).toBe('failed');
        expect(row.failure_reason).toContain('550');
        expect(row.failure_reason).toContain('bounce@visitor.example');
      }, 10_000);
    });
  });

  describe('POST /channels/:id/test', () => {
    it('reports ready while the SMTP server accepts the login, and says so when it refuses', async () => {
      const good = await http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: A.token });
      expect(good.body).toMatchObject({ ok: true });
      expect(good.body.message).toContain('emailed');
      const failuresBefore = smtp.state.authFailures;
      smtp.state.password = 'rotated-elsewhere';
      try {
        const bad = await http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: A.token });
        expect(bad.body.ok).toBe(false);
        expect(bad.body.message).toContain('SMTP');
        expect(bad.body.message).toContain('535');
        expect(smtp.state.authFailures).toBeGreaterThan(failuresBefore);
      } finally {
        smtp.state.password = 'smtp-pass-1';
      }
    });
  });
});
