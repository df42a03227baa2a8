import { sql } from 'drizzle-orm';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainEvents, type DomainEventMap } from '../../src/common/events/domain-events.js';
import {
  EmailMailboxPoller,
  type PollOutcome,
} from '../../src/modules/channels/email/email-mailbox.poller.js';
import { EmailPollScheduler } from '../../src/modules/channels/email/email-poll.scheduler.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { startFakeSmtp } from '../fakes/email-smtp-server.js';
import { startDovecot, type Dovecot } from '../support/dovecot.js';
import { newMessageId, rawMail } from '../support/email-mail.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { getRaw, postMultipart } from '../support/multipart.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

const SUPPORT = 'support@acme.test';
const IMAP_PASSWORD = 'imap-secret-1';
/** More mailboxes on the same server, each for an inbox of its own (a folder belongs to one inbox). */
const SALES = 'sales@acme.test';
const OPS = 'ops@acme.test';
const BILLING = 'billing@acme.test';
const OTHER_PASSWORD = 'other-secret-1';
const SMTP_PASSWORD = 'smtp-secret-1';
const JANE = 'Jane Doe <Jane@Customer.test>';

/** A messages row as the tests read it. */
type StoredMessage = {
  id: string;
  conversation_id: string;
  provider_message_id: string | null;
  direction: string;
  type: string;
  status: string;
  sender_type: string;
  failure_reason: string | null;
  content: {
    text: string;
    subject?: string;
    html?: string;
    attachments?: { attachmentId: string; filename: string; mimeType: string }[];
    cc?: string[];
  };
};

/**
 * The email channel against real servers: Dovecot for IMAP (mail is put into its mailboxes with IMAP APPEND)
 * and the smtp-server package for SMTP, both on loopback with their logins checked. The worker's own schedule
 * is stopped so each test decides when a mailbox is polled; the schedule has its own test (a fresh worker).
 */
describe('email channel (IMAP in, SMTP out)', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let dovecot: Dovecot;
  let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
  let admin: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let storageDir: string;
  let inboxId: string;
  /** The first thread: Jane's first email, then her reply to it. */
  const thread = { first: newMessageId(), reply: newMessageId(), conversationId: '' };

  interface InboxOptions {
    imapUser?: string;
    imapPassword?: string;
    smtpPort?: number;
    smtpPassword?: string;
  }
  const inboxBody = (o: InboxOptions = {}) => ({
    type: 'email',
    name: `Mail for ${o.imapUser ?? SUPPORT}`,
    config: {
      emailAddress: o.imapUser ?? SUPPORT,
      fromName: 'Acme Support',
      imap: {
        host: '127.0.0.1',
        port: dovecot.port,
        secure: false,
        username: o.imapUser ?? SUPPORT,
        mailbox: 'INBOX',
      },
      smtp: { host: '127.0.0.1', port: o.smtpPort ?? smtp.port, secure: false, username: SUPPORT },
    },
    credentials: {
      imapPassword: o.imapPassword ?? IMAP_PASSWORD,
      smtpPassword: o.smtpPassword ?? SMTP_PASSWORD,
    },
  });
  const postInbox = (o: InboxOptions = {}) =>
    http(ctx.app, 'POST', '/api/v1/channels', { token: admin.token, body: inboxBody(o) });
  async function createInbox(o: InboxOptions = {}) {
    const res = await postInbox(o);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as {
      id: string;
      webhookUrl: string | null;
      credentials: Record<string, string>;
      details: any;
    };
  }

  /** One poll of the mailbox, through the worker's poller (waiting out a poll another process holds). */
  async function poll(id = inboxId, w = worker): Promise<PollOutcome> {
    for (;;) {
      const outcome = await w.app.get(EmailMailboxPoller).poll(id);
      if (outcome.status !== 'busy') return outcome;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const deliver = (raw: string, user = SUPPORT, password = IMAP_PASSWORD) =>
    dovecot.deliver(user, password, raw);

  const messagesOf = async (channelId: string) =>
    (
      await ctx.database.unsafe.execute<StoredMessage>(
        sql`select * from messages where channel_id = ${channelId} order by created_at, id`,
      )
    ).rows;
  const messageByProviderId = async (providerId: string) => {
    const rows = (
      await ctx.database.unsafe.execute<StoredMessage>(
        sql`select * from messages where channel_id = ${inboxId} and provider_message_id = ${providerId}`,
      )
    ).rows;
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  const channelState = async (id: string) =>
    (
      await ctx.database.unsafe.execute<{ state: { imap: { uidValidity: string; lastUid: number } } }>(
        sql`select state from channels where id = ${id}`,
      )
    ).rows[0]!.state;

  function listen<K extends keyof DomainEventMap>(events: DomainEvents, name: K) {
    const seen: DomainEventMap[K][] = [];
    const off = events.on(name, (p) => void seen.push(p));
    return { seen, off };
  }

  /** The worker's schedule would poll in the background; tests poll explicitly instead. */
  const stopSchedule = (w: RunningWorker) => w.app.get(EmailPollScheduler).onApplicationShutdown();

  beforeAll(async () => {
    dovecot = await startDovecot();
    await dovecot.addUsers({
      [SUPPORT]: IMAP_PASSWORD,
      [SALES]: OTHER_PASSWORD,
      [OPS]: OTHER_PASSWORD,
      [BILLING]: OTHER_PASSWORD,
    });
    smtp = await startFakeSmtp({ username: SUPPORT, password: SMTP_PASSWORD });
    storageDir = mkdtempSync(join(tmpdir(), 'odt-email-storage-'));
    ctx = await startTestApp({
      env: {
        // The mail servers listen on loopback, which tenants' servers may not use by default.
        OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
        EMAIL_POLL_INTERVAL_SECONDS: '3600',
        STORAGE_LOCAL_DIR: storageDir,
      },
    });
    worker = await startWorker(ctx.config);
    await stopSchedule(worker);
    admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
  }, 90_000);
  afterAll(async () => {
    await worker?.close();
    await ctx?.close();
    await smtp?.close();
    await dovecot?.stop();
    if (storageDir) rmSync(storageDir, { recursive: true, force: true });
  });

  it('creates an email inbox: no webhook URL, both passwords masked, the poll interval in its details', async () => {
    const inbox = await createInbox();
    inboxId = inbox.id;
    expect(inbox.webhookUrl).toBeNull();
    expect(inbox.credentials).toEqual({ imapPassword: '********et-1', smtpPassword: '********et-1' });
    expect(inbox.details).toEqual({ pollIntervalSeconds: 3600, lastPollError: null });
    const row = (
      await ctx.database.unsafe.execute<{ credentials: string }>(
        sql`select credentials from channels where id = ${inbox.id}`,
      )
    ).rows[0]!;
    expect(JSON.stringify(row.credentials)).not.toContain(IMAP_PASSWORD);
  });

  it('refuses a second inbox for the same mailbox (409), and a mailbox it cannot log in to (422)', async () => {
    const again = await postInbox();
    expect(again.status).toBe(409);
    const wrong = await postInbox({ imapUser: SALES, imapPassword: 'not-the-password' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.message).toBe(
      `IMAP login failed for ${SALES}@127.0.0.1: [AUTHENTICATIONFAILED] Authentication failed.`,
    );
    const list = await http(ctx.app, 'GET', '/api/v1/channels', { token: admin.token });
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([inboxId]);
  });

  it('POST /channels/:id/test logs in on both servers', async () => {
    const res = await http(ctx.app, 'POST', `/api/v1/channels/${inboxId}/test`, { token: admin.token });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.message).toMatch(
      new RegExp(
        `^Connected: IMAP ${SUPPORT}@127\\.0\\.0\\.1 \\(INBOX: \\d+ messages\\) and SMTP ${SUPPORT}@127\\.0\\.0\\.1:${smtp.port}$`,
      ),
    );
  });

  it('stores a new email with its HTML and attachment, from a contact made from the sender', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% invoice 42\n');
    await deliver(
      rawMail({
        from: JANE,
        subject: 'Invoice question',
        messageId: thread.first,
        text: 'Hello,\nwhere is my invoice?',
        html: '<p>Hello,</p><p>where is my <b>invoice</b>?</p>',
        attachments: [{ filename: 'invoice-42.pdf', contentType: 'application/pdf', content: pdf }],
      }),
    );
    const created = listen(worker.app.get(DomainEvents), 'message.created');
    const outcome = await poll();
    created.off();
    expect(outcome).toMatchObject({ status: 'polled', stored: 1, more: false });

    const message = await messageByProviderId(thread.first);
    thread.conversationId = message.conversation_id;
    expect(message).toMatchObject({
      direction: 'in',
      type: 'text',
      status: 'received',
      sender_type: 'contact',
    });
    expect(message.content).toMatchObject({
      text: 'Hello,\nwhere is my invoice?',
      subject: 'Invoice question',
      html: '<p>Hello,</p><p>where is my <b>invoice</b>?</p>',
      attachments: [{ filename: 'invoice-42.pdf', mimeType: 'application/pdf' }],
    });
    expect(created.seen.map((e) => e.message.id)).toEqual([message.id]);
    expect(created.seen[0]!.tenantId).toBe(admin.tenant.id);

    // Through the API: the conversation, the contact, and the stored file's bytes.
    const page = await http(ctx.app, 'GET', `/api/v1/conversations/${thread.conversationId}/messages`, {
      token: admin.token,
    });
    expect(page.body.items.map((m: { providerMessageId: string }) => m.providerMessageId)).toEqual([
      thread.first,
    ]);
    const conversation = await http(ctx.app, 'GET', `/api/v1/conversations/${thread.conversationId}`, {
      token: admin.token,
    });
    const contact = await http(ctx.app, 'GET', `/api/v1/contacts/${conversation.body.contactId}`, {
      token: admin.token,
    });
    expect(contact.body).toMatchObject({ name: 'Jane Doe', email: 'jane@customer.test' });
    expect(contact.body.identities).toEqual([
      expect.objectContaining({ channelType: 'email', identifier: 'jane@customer.test' }),
    ]);
    const attachment = await http(
      ctx.app,
      'GET',
      `/api/v1/attachments/${message.content.attachments![0]!.attachmentId}`,
      {
        token: admin.token,
      },
    );
    const url = new URL(attachment.body.url);
    const download = await getRaw(ctx.app, `${url.pathname}${url.search}`);
    expect(download.status).toBe(200);
    expect(download.bytes.equals(pdf)).toBe(true);
  });

  it('files a reply (In-Reply-To) in the same conversation, without the quoted earlier message in its text', async () => {
    await deliver(
      rawMail({
        from: JANE,
        subject: 'Re: Invoice question',
        messageId: thread.reply,
        inReplyTo: thread.first,
        references: [thread.first],
        text: 'Sorry, found it!\n\nOn Mon, 3 Mar 2025 at 10:00, Acme Support <support@acme.test> wrote:\n> Hello,\n> where is my invoice?\n',
      }),
    );
    expect(await poll()).toMatchObject({ status: 'polled', stored: 1 });
    const reply = await messageByProviderId(thread.reply);
    expect(reply.conversation_id).toBe(thread.conversationId);
    expect(reply.content.text).toBe('Sorry, found it!');
  });

  it('opens a new conversation for a new thread from the same sender', async () => {
    const id = newMessageId();
    await deliver(rawMail({ from: JANE, subject: 'Another topic', messageId: id, text: 'Something else.' }));
    await poll();
    const message = await messageByProviderId(id);
    expect(message.conversation_id).not.toBe(thread.conversationId);
    const first = await messageByProviderId(thread.first);
    const conversations = (
      await ctx.database.unsafe.execute<{ contact_id: string }>(
        sql`select contact_id from conversations where id in (${message.conversation_id}, ${first.conversation_id})`,
      )
    ).rows;
    expect(new Set(conversations.map((c) => c.contact_id)).size).toBe(1);
  });

  it("sends an agent's reply over SMTP in the customer's thread, with its attachment", async () => {
    const upload = await postMultipart(
      ctx.app,
      '/api/v1/attachments',
      [
        {
          kind: 'file',
          name: 'file',
          fileName: 'quote.pdf',
          contentType: 'application/pdf',
          data: Buffer.from('%PDF-1.4\nquote\n'),
        },
      ],
      { token: admin.token },
    );
    expect(upload.status).toBe(201);
    const before = smtp.state.received.length;
    const res = await http(ctx.app, 'POST', '/api/v1/messages', {
      token: admin.token,
      body: {
        conversationId: thread.conversationId,
        type: 'text',
        content: {
          text: 'Hello Jane,\nglad you found it. <Our quote> is attached & valid.',
          attachments: [{ attachmentId: upload.body.id }],
        },
      },
    });
    expect(res.status).toBe(201);
    const messageId = `<${res.body.id}@acme.test>`;
    await eventually(async () => expect((await messageByProviderId(messageId)).status).toBe('sent'), 15_000);

    expect(smtp.state.received).toHaveLength(before + 1);
    const mail = smtp.state.received.at(-1)!;
    expect(mail.user).toBe(SUPPORT);
    expect(mail.mailFrom).toBe(SUPPORT);
    expect(mail.rcptTo).toEqual(['jane@customer.test']);
    const p = mail.parsed;
    expect(p.from?.value).toEqual([{ name: 'Acme Support', address: SUPPORT }]);
    expect((Array.isArray(p.to) ? p.to : [p.to]).flatMap((t) => t!.value.map((v) => v.address))).toEqual([
      'jane@customer.test',
    ]);
    expect(p.subject).toBe('Re: Invoice question');
    expect(p.messageId).toBe(messageId);
    expect(p.inReplyTo).toBe(thread.reply);
    expect(p.references).toEqual([thread.first, thread.reply]);
    expect(p.text?.trim()).toBe('Hello Jane,\nglad you found it. <Our quote> is attached & valid.');
    expect(p.html).toContain(
      'Hello Jane,<br>\nglad you found it. &lt;Our quote&gt; is attached &amp; valid.',
    );
    expect(
      p.attachments.map((a) => ({ name: a.filename, type: a.contentType, body: a.content.toString() })),
    ).toEqual([{ name: 'quote.pdf', type: 'application/pdf', body: '%PDF-1.4\nquote\n' }]);

    // Her answer to our email names only our Message-ID: it still finds the conversation.
    const answer = newMessageId();
    await deliver(
      rawMail({
        from: JANE,
        subject: 'Re: Invoice question',
        messageId: answer,
        inReplyTo: messageId,
        text: 'Thanks!',
      }),
    );
    await poll();
    expect((await messageByProviderId(answer)).conversation_id).toBe(thread.conversationId);
  });

  it("keeps who else was on a customer's email, and a reply copies them (reply all) unless it names its own cc, and blind copies only whom it names", async () => {
    const id = newMessageId();
    await deliver(
      rawMail({
        from: JANE,
        to: `support@acme.test, Bob <Bob@Customer.test>`,
        headers: { Cc: 'finance@customer.test, support@acme.test' },
        subject: 'Refund for order 7',
        messageId: id,
        text: 'Please refund order 7.',
      }),
    );
    expect(await poll()).toMatchObject({ stored: 1 });
    const received = await messageByProviderId(id);
    expect(received.content.cc).toEqual(['bob@customer.test', 'finance@customer.test']);

    const reply = async (content: Record<string, unknown>) => {
      const before = smtp.state.received.length;
      const res = await http(ctx.app, 'POST', '/api/v1/messages', {
        token: admin.token,
        body: { conversationId: received.conversation_id, type: 'text', content },
      });
      expect(res.status).toBe(201);
      const messageId = `<${res.body.id}@acme.test>`;
      await eventually(
        async () => expect((await messageByProviderId(messageId)).status).toBe('sent'),
        15_000,
      );
      expect(smtp.state.received).toHaveLength(before + 1);
      return smtp.state.received.at(-1)!;
    };
    const ccOf = (mail: Awaited<ReturnType<typeof reply>>) =>
      (Array.isArray(mail.parsed.cc) ? mail.parsed.cc : mail.parsed.cc ? [mail.parsed.cc] : []).flatMap((c) =>
        c.value.map((v) => v.address),
      );

    const all = await reply({ text: 'Refunded.' });
    expect(all.rcptTo).toEqual(['jane@customer.test', 'bob@customer.test', 'finance@customer.test']);
    expect(ccOf(all)).toEqual(['bob@customer.test', 'finance@customer.test']);
    const named = await reply({ text: 'Only finance, please.', cc: ['finance@customer.test'] });
    expect(named.rcptTo).toEqual(['jane@customer.test', 'finance@customer.test']);
    const alone = await reply({ text: 'Just you.', cc: [] });
    expect(alone.rcptTo).toEqual(['jane@customer.test']);
    expect(ccOf(alone)).toEqual([]);
    // A blind copy gets the email; nothing in it names them, and the next reply (all) does not copy them again.
    const blind = await reply({ text: 'Done; our auditor is informed.', bcc: ['Auditor@Partner.test'] });
    expect(blind.rcptTo).toEqual([
      'jane@customer.test',
      'bob@customer.test',
      'finance@customer.test',
      'auditor@partner.test',
    ]);
    expect(blind.parsed.bcc).toBeUndefined();
    expect(blind.raw.toLowerCase()).not.toContain('auditor@partner.test');
    const after = await reply({ text: 'One more thing.' });
    expect(after.rcptTo).toEqual(['jane@customer.test', 'bob@customer.test', 'finance@customer.test']);
    // Not an address: refused before anything is queued.
    const bad = await http(ctx.app, 'POST', '/api/v1/messages', {
      token: admin.token,
      body: { conversationId: received.conversation_id, type: 'text', content: { text: 'x', cc: ['nope'] } },
    });
    expect(bad.status).toBe(400);
    const badBlind = await http(ctx.app, 'POST', '/api/v1/messages', {
      token: admin.token,
      body: { conversationId: received.conversation_id, type: 'text', content: { text: 'x', bcc: ['nope'] } },
    });
    expect(badBlind.status).toBe(400);
    expect(JSON.stringify(badBlind.body)).toContain('bcc');
  });

  it("fails the message with the server's answer when SMTP refuses the recipient (550)", async () => {
    smtp.state.reject.set(
      'jane@customer.test',
      '5.1.1 <jane@customer.test>: Recipient address rejected: User unknown',
    );
    try {
      const res = await http(ctx.app, 'POST', '/api/v1/messages', {
        token: admin.token,
        body: { conversationId: thread.conversationId, type: 'text', content: { text: 'Are you there?' } },
      });
      expect(res.status).toBe(201);
      const row = await eventually(async () => {
        const r = (
          await ctx.database.unsafe.execute<StoredMessage>(
            sql`select * from messages where id = ${res.body.id}`,
          )
        ).rows[0]!;
        expect(r.status).toBe('failed');
        return r;
      }, 15_000);
      expect(row.failure_reason).toBe(
        'SMTP server 127.0.0.1 refused the message: 550 5.1.1 <jane@customer.test>: Recipient address rejected: User unknown',
      );
    } finally {
      smtp.state.reject.clear();
    }
  });

  it('stores a message delivered twice (same Message-ID) once, also when the cursor is lost', async () => {
    const id = newMessageId();
    const raw = rawMail({
      from: 'Bob <bob@customer.test>',
      subject: 'Twice',
      messageId: id,
      text: 'Only once, please.',
    });
    await deliver(raw);
    await deliver(raw);
    expect(await poll()).toMatchObject({ status: 'polled', stored: 1, duplicates: 1 });
    await messageByProviderId(id);

    // A crash after storing but before the cursor was saved: the same messages are fetched again.
    const count = (await messagesOf(inboxId)).length;
    await ctx.database.unsafe.execute(
      sql`update channels set state = jsonb_set(state, '{imap,lastUid}', '0') where id = ${inboxId}`,
    );
    const again = await poll();
    expect(again).toMatchObject({ status: 'polled', stored: 0 });
    expect(again.status === 'polled' && again.duplicates).toBeGreaterThan(5);
    expect(await messagesOf(inboxId)).toHaveLength(count);
  });

  it('stores every message of a batch, each sender in a conversation of their own', async () => {
    const ids = Array.from({ length: 6 }, () => newMessageId());
    for (const [i, id] of ids.entries()) {
      await deliver(
        rawMail({
          from: `Customer ${i} <c${i}@batch.test>`,
          subject: `Batch ${i}`,
          messageId: id,
          text: `Message ${i}`,
        }),
      );
    }
    expect(await poll()).toMatchObject({ status: 'polled', stored: 6 });
    const rows = await Promise.all(ids.map((id) => messageByProviderId(id)));
    expect(new Set(rows.map((r) => r.conversation_id)).size).toBe(6);
    expect(rows.map((r) => r.content.text)).toEqual(ids.map((_, i) => `Message ${i}`));
  });

  it("skips mail from the inbox's own address, automatic replies and bounces", async () => {
    const count = (await messagesOf(inboxId)).length;
    await deliver(rawMail({ from: `Acme Support <${SUPPORT}>`, subject: 'Copy of our reply', text: 'ours' }));
    await deliver(
      rawMail({
        from: JANE,
        subject: 'Out of office',
        text: 'I am away',
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    await deliver(
      rawMail({
        from: 'MAILER-DAEMON@customer.test',
        subject: 'Undelivered',
        text: 'bounce',
        headers: { 'Return-Path': '<>' },
      }),
    );
    expect(await poll()).toMatchObject({ status: 'polled', stored: 0, skipped: 3 });
    expect(await messagesOf(inboxId)).toHaveLength(count);
  });

  it('starts from the current end of the folder when UIDVALIDITY changes, importing nothing old', async () => {
    const count = (await messagesOf(inboxId)).length;
    const { imap } = await channelState(inboxId);
    await ctx.database.unsafe.execute(
      sql`update channels set state = jsonb_set(jsonb_set(state, '{imap,uidValidity}', '"1"'), '{imap,lastUid}', '0') where id = ${inboxId}`,
    );
    await deliver(rawMail({ from: JANE, subject: 'Before the reset', text: 'old' }));
    expect(await poll()).toMatchObject({ status: 'polled', stored: 0, duplicates: 0, skipped: 0 });
    const reset = (await channelState(inboxId)).imap;
    expect(reset.uidValidity).toBe(imap.uidValidity);
    expect(reset.lastUid).toBe(imap.lastUid + 1);

    const after = newMessageId();
    await deliver(rawMail({ from: JANE, subject: 'After the reset', messageId: after, text: 'new' }));
    expect(await poll()).toMatchObject({ status: 'polled', stored: 1 });
    await messageByProviderId(after);
    expect(await messagesOf(inboxId)).toHaveLength(count + 1);
  });

  it('a restarted worker polls on its own and imports only what is new', async () => {
    const count = (await messagesOf(inboxId)).length;
    const id = newMessageId();
    await deliver(rawMail({ from: JANE, subject: 'While you were away', messageId: id, text: 'new mail' }));
    await worker.close();
    worker = await startWorker(ctx.config);
    // Its schedule polls every inbox soon after start.
    await eventually(() => messageByProviderId(id), 20_000, 200);
    await stopSchedule(worker);
    expect(await poll()).toMatchObject({ status: 'polled', stored: 0, duplicates: 0 });
    expect(await messagesOf(inboxId)).toHaveLength(count + 1);
  });

  it('fetches new mail as soon as IMAP IDLE announces it, long before the next poll is due', async () => {
    await worker.close();
    worker = await startWorker(ctx.config);
    const started = Date.now();
    const scheduler = worker.app.get(EmailPollScheduler);
    await eventually(() => expect(scheduler.watching(inboxId)).toBe(true), 20_000, 100);
    // The polls a start spreads over its first 5 s are over; the next is due in an hour (EMAIL_POLL_INTERVAL).
    await new Promise((r) => setTimeout(r, Math.max(0, 6_000 - (Date.now() - started))));
    const id = newMessageId();
    const delivered = Date.now();
    await deliver(rawMail({ from: JANE, subject: 'Are you there?', messageId: id, text: 'Quick question' }));
    await eventually(() => messageByProviderId(id), 10_000, 100);
    expect(Date.now() - delivered).toBeLessThan(10_000);

    // The server drops the connection: the watcher connects again (5 s later) and keeps announcing.
    dovecot.kick(SUPPORT);
    await eventually(() => expect(scheduler.watching(inboxId)).toBe(false), 5_000, 50);
    await eventually(() => expect(scheduler.watching(inboxId)).toBe(true), 20_000, 100);
    const next = newMessageId();
    const deliveredAgain = Date.now();
    await deliver(rawMail({ from: JANE, subject: 'Still there?', messageId: next, text: 'Second question' }));
    await eventually(() => messageByProviderId(next), 10_000, 100);
    expect(Date.now() - deliveredAgain).toBeLessThan(10_000);

    await stopSchedule(worker);
    expect(scheduler.watching(inboxId)).toBe(false);
  });

  it('never stores anything with a wrong IMAP password, says so in /test and on the inbox, and recovers', async () => {
    const toSales = (subject: string) => rawMail({ from: JANE, to: SALES, subject, text: subject });
    await dovecot.deliver(SALES, OTHER_PASSWORD, toSales('Before the inbox existed'));
    const inbox = await createInbox({ imapUser: SALES, imapPassword: OTHER_PASSWORD });
    await dovecot.deliver(SALES, OTHER_PASSWORD, toSales('For sales'));

    // An admin types a wrong password: refused (422), and the inbox keeps the one that works.
    const mistyped = await http(ctx.app, 'PATCH', `/api/v1/channels/${inbox.id}`, {
      token: admin.token,
      body: { credentials: { imapPassword: 'a-wrong-one' } },
    });
    expect(mistyped.status).toBe(422);
    expect(mistyped.body.message).toMatch(/AUTHENTICATIONFAILED/);
    expect(
      (await http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: admin.token })).body.ok,
    ).toBe(true);

    // The password then changes at the provider: polls fail, store nothing, and say so.
    await dovecot.setPassword(SALES, 'changed-at-the-provider');
    const test = await http(ctx.app, 'POST', `/api/v1/channels/${inbox.id}/test`, { token: admin.token });
    expect(test.body).toMatchObject({
      ok: false,
      message: `IMAP login failed for ${SALES}@127.0.0.1: [AUTHENTICATIONFAILED] Authentication failed.`,
    });
    await expect(poll(inbox.id)).rejects.toThrow(`IMAP login failed for ${SALES}@127.0.0.1`);
    expect(await messagesOf(inbox.id)).toHaveLength(0);
    const shown = await http(ctx.app, 'GET', `/api/v1/channels/${inbox.id}`, { token: admin.token });
    expect(shown.body.details.lastPollError.message).toMatch(
      /^IMAP login failed for sales@acme\.test@127\.0\.0\.1/,
    );

    const fixed = await http(ctx.app, 'PATCH', `/api/v1/channels/${inbox.id}`, {
      token: admin.token,
      body: { credentials: { imapPassword: 'changed-at-the-provider' } },
    });
    expect(fixed.status).toBe(200);
    // Everything since the inbox was created, nothing from before.
    expect(await poll(inbox.id)).toMatchObject({ status: 'polled', stored: 1 });
    expect((await messagesOf(inbox.id)).map((m) => m.content.subject)).toEqual(['For sales']);
    const healed = await http(ctx.app, 'GET', `/api/v1/channels/${inbox.id}`, { token: admin.token });
    expect(healed.body.details.lastPollError).toBeNull();
  });

  it('polls a mailbox once at a time, and a disabled inbox not at all', async () => {
    const [one, two] = await Promise.all([
      worker.app.get(EmailMailboxPoller).poll(inboxId),
      worker.app.get(EmailMailboxPoller).poll(inboxId),
    ]);
    expect([one.status, two.status].sort()).toEqual(['busy', 'polled']);

    const id = newMessageId();
    await deliver(rawMail({ from: JANE, subject: 'While disabled', messageId: id, text: 'hello?' }));
    const off = await http(ctx.app, 'PATCH', `/api/v1/channels/${inboxId}`, {
      token: admin.token,
      body: { isActive: false },
    });
    expect(off.status).toBe(200);
    expect(await poll()).toEqual({ status: 'inactive' });
    expect((await messagesOf(inboxId)).filter((m) => m.provider_message_id === id)).toHaveLength(0);
    await http(ctx.app, 'PATCH', `/api/v1/channels/${inboxId}`, {
      token: admin.token,
      body: { isActive: true },
    });
    expect(await poll()).toMatchObject({ status: 'polled', stored: 1 });
    await messageByProviderId(id);
  });

  it('/test names the SMTP server it could not reach, and a wrong SMTP password', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await createInbox({ imapUser: OPS, imapPassword: OTHER_PASSWORD, smtpPort: port });
    const res = await http(ctx.app, 'POST', `/api/v1/channels/${unreachable.id}/test`, {
      token: admin.token,
    });
    expect(res.body.ok).toBe(false);
    expect(res.body.message).toMatch(
      new RegExp(`^Could not reach SMTP server 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    expect(res.body.details.imap).toMatch(/^IMAP ops@acme\.test@127\.0\.0\.1/);

    const badLogin = await createInbox({
      imapUser: BILLING,
      imapPassword: OTHER_PASSWORD,
      smtpPassword: 'not-it',
    });
    const bad = await http(ctx.app, 'POST', `/api/v1/channels/${badLogin.id}/test`, { token: admin.token });
    expect(bad.body).toMatchObject({
      ok: false,
      message: `SMTP login failed for ${SUPPORT}@127.0.0.1: 535 5.7.8 Error: authentication failed: Invalid username or password`,
    });
  });
});
