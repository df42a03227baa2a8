import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DisconnectReason, proto } from '@orbitdesk/plugin-whatsapp-qr';
import { SecretBox } from '../../src/common/crypto/secret-box.js';
import { requestContext } from '../../src/common/tenancy/request-context.js';
import { channelAuthKeys } from '../../src/db/schema/index.js';
import { AttachmentsService } from '../../src/modules/attachments/attachments.service.js';
import { WhatsAppQrConnections } from '../../src/modules/channels/whatsapp-qr/whatsapp-qr.connections.js';
import { WhatsAppQrDriver } from '../../src/modules/channels/whatsapp-qr/whatsapp-qr.driver.js';
import { OutboundProcessor } from '../../src/modules/messages/outbound.processor.js';
import type { RunningWorker } from '../../src/worker.js';
import { boom, imageMessage, textMessage, type FakeWhatsApp } from '../fakes/baileys-socket.js';
import { eventually } from '../support/eventually.js';
import { login, makeTenantWithUser, makeUser } from '../support/factories.js';
import { connectAgent, eventsDuring, listen, nextEvent } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { startWorkerWithFakeWhatsApp } from '../support/whatsapp-qr.js';

type Json = Record<string, any>;

const BUSINESS = '14155550100';
const ANNA = '4915112345678';

/**
 * The linked-device channel end to end: the API (admin routes, sockets) and a worker whose Baileys driver is the
 * fake WhatsApp, so every connection the worker opens is one the test drives.
 */
describe('whatsapp_qr channel', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let whatsapp: FakeWhatsApp;
  let sync: () => Promise<void>;
  let storageDir: string;
  let A: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let B: Awaited<ReturnType<typeof makeTenantWithUser>>;
  let agentToken: string;
  let socketA: ClientSocket;
  let adminSocketA: ClientSocket;
  let socketB: ClientSocket;
  let inboxId: string;
  let conversationId: string;
  let mediaServer: Server;
  let mediaUrl: string;
  const photo = randomBytes(3000);
  const apiConnect = vi.fn();

  const connections = () => worker.app.get(WhatsAppQrConnections);
  const socket = () => whatsapp.socketOf(inboxId)!;

  /** The next baileys:status on the socket with the given status, skipping the others. */
  const statusEvent = (client: ClientSocket, status: string, timeoutMs = 5_000) =>
    new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no baileys:status ${status}`)), timeoutMs);
      const listener = (event: Json) => {
        if (event.status !== status) return;
        clearTimeout(timer);
        client.off('baileys:status', listener);
        resolve(event);
      };
      client.on('baileys:status', listener);
    });

  const messageRow = async (providerMessageId: string) =>
    (
      await ctx.database.unsafe.execute<Json>(
        sql`select m.*, c.name as contact_name, c.phone as contact_phone, ci.identifier
            from messages m
            join conversations v on v.id = m.conversation_id
            join contacts c on c.id = v.contact_id
            left join contact_identities ci on ci.contact_id = c.id and ci.channel_type = 'whatsapp_qr'
            where m.channel_id = ${inboxId} and m.provider_message_id = ${providerMessageId}`,
      )
    ).rows;

  const messageById = async (id: string) =>
    (await ctx.database.unsafe.execute<Json>(sql`select * from messages where id = ${id}`)).rows[0]!;

  const authKeys = async (channelId: string) =>
    (
      await ctx.database.unsafe.execute<{ key: string; value: string; tenant_id: string }>(
        sql`select key, value, tenant_id from channel_auth_keys where channel_id = ${channelId} order by key`,
      )
    ).rows;

  const send = (type: string, content: Json) =>
    http(ctx.app, 'POST', '/api/v1/messages', { token: A.token, body: { conversationId, type, content } });

  beforeAll(async () => {
    storageDir = await mkdtemp(join(tmpdir(), 'orbitdesk-wa-qr-'));
    ctx = await startTestApp({
      env: { STORAGE_LOCAL_DIR: storageDir, OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' },
    });
    vi.spyOn(ctx.app.get(WhatsAppQrDriver), 'connect').mockImplementation(apiConnect);
    const base = await listen(ctx.app);
    ({ worker, whatsapp, sync } = await startWorkerWithFakeWhatsApp(ctx.config));
    A = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    B = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const agent = await makeUser(ctx.database, A.tenant.id, { role: 'AGENT' });
    agentToken = (await login(ctx.app, agent.email)).token;
    socketA = await connectAgent(base, agentToken);
    adminSocketA = await connectAgent(base, A.token);
    socketB = await connectAgent(base, B.token);
    mediaServer = createServer((req, res) => {
      if (req.url !== '/files/photo.jpg') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photo);
    });
    await new Promise<void>((resolve) => mediaServer.listen(0, '127.0.0.1', resolve));
    mediaUrl = `http://127.0.0.1:${(mediaServer.address() as AddressInfo).port}/files/photo.jpg`;
  });

  afterAll(async () => {
    socketA?.disconnect();
    adminSocketA?.disconnect();
    socketB?.disconnect();
    await worker?.close();
    await ctx?.close();
    await new Promise((resolve) => mediaServer?.close(resolve));
    await rm(storageDir, { recursive: true, force: true });
  });

  it("creating the inbox starts linking: the QR code reaches the workspace's admins only, and no other workspace", async () => {
    const qr = nextEvent<Json>(adminSocketA, 'baileys:qr', 5_000);
    // Whoever scans the code links their phone to the inbox: an agent's socket never receives it.
    const agentEvents = eventsDuring(socketA, 1_500);
    const quietB = eventsDuring(socketB, 1_500);
    const res = await http(ctx.app, 'POST', '/api/v1/channels', {
      token: A.token,
      body: { type: 'whatsapp_qr', name: 'Support phone' },
    });
    expect(res.status).toBe(201);
    expect(res.body.webhookUrl).toBeNull();
    inboxId = res.body.id;
    const event = await qr;
    expect(event).toEqual({ channelId: inboxId, qr: whatsapp.qrCodes.at(-1)!.qr });
    expect(event.qr).toMatch(/^2@/);
    expect(await quietB).toEqual([]);
    expect(await agentEvents).not.toContain('baileys:qr');

    const status = await http(ctx.app, 'GET', `/api/v1/channels/${inboxId}/whatsapp-qr/status`, {
      token: A.token,
    });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ channelId: inboxId, status: 'qr', qr: event.qr, phone: null });
    const test = await http(ctx.app, 'POST', `/api/v1/channels/${inboxId}/test`, { token: A.token });
    expect(test.body).toMatchObject({ ok: false, message: 'Not linked yet: scan the QR code' });
  });

  it('scanning the QR code links the device: open with the number, and test() says so', async () => {
    const opened = statusEvent(socketA, 'open');
    await whatsapp.scan(inboxId, BUSINESS);
    expect(await opened).toEqual({ channelId: inboxId, status: 'open', phone: `+${BUSINESS}` });
    // Baileys asks for a restart after the scan; the manager reopened with the new identity.
    expect(whatsapp.socketsOf(inboxId)).toHaveLength(2);

    const status = await http(ctx.app, 'GET', `/api/v1/channels/${inboxId}/whatsapp-qr/status`, {
      token: A.token,
    });
    expect(status.body).toMatchObject({
      status: 'open',
      phone: `+${BUSINESS}`,
      name: 'Acme Support',
      qr: null,
    });
    const test = await http(ctx.app, 'POST', `/api/v1/channels/${inboxId}/test`, { token: A.token });
    expect(test.body).toMatchObject({ ok: true, message: `Linked as +${BUSINESS}` });
    const inbox = await http(ctx.app, 'GET', `/api/v1/channels/${inboxId}`, { token: A.token });
    expect(inbox.body.details).toMatchObject({ linkStatus: 'open', phone: `+${BUSINESS}` });
  });

  it('keeps the auth state in channel_auth_keys as ciphertext bound to the tenant, and reads it back', async () => {
    const rows = await authKeys(inboxId);
    expect(rows.map((r) => r.key)).toEqual(
      expect.arrayContaining(['creds', 'pre-key/1', 'pre-key/2', 'pre-key/3']),
    );
    const box = ctx.app.get(SecretBox);
    for (const row of rows) {
      expect(row.tenant_id).toBe(A.tenant.id);
      expect(row.value).toMatch(/^v1:/);
      expect(row.value).not.toMatch(/noiseKey|Buffer|private|whatsapp/);
      expect(() => box.decrypt(row.value, B.tenant.id)).toThrow();
    }
    const creds = JSON.parse(box.decrypt(rows.find((r) => r.key === 'creds')!.value, A.tenant.id));
    expect(creds.me.id).toBe(`${BUSINESS}:4@s.whatsapp.net`);
    expect(creds.noiseKey.private).toMatchObject({ type: 'Buffer' });
    // Row-level security: another tenant's transaction sees none of them.
    const seenByB = await ctx.database.tenantTransaction(B.tenant.id, (tx) =>
      tx.select().from(channelAuthKeys),
    );
    expect(seenByB).toEqual([]);
  });

  it('a restart of the connection reuses the stored creds: no new QR code', async () => {
    const qrCodes = whatsapp.qrCodes.length;
    const sockets = whatsapp.socketsOf(inboxId).length;
    const reopened = statusEvent(socketA, 'open');
    await connections().stop(inboxId);
    expect(connections().isRunning(inboxId)).toBe(false);
    await sync();
    await reopened;
    expect(whatsapp.socketsOf(inboxId)).toHaveLength(sockets + 1);
    expect(whatsapp.qrCodes).toHaveLength(qrCodes);
    // Read back from Postgres, decrypted: the identity the phone linked.
    expect(socket().options.auth.creds.me?.id).toBe(`${BUSINESS}:4@s.whatsapp.net`);
    expect(Buffer.from(socket().options.auth.creds.noiseKey.public)).toHaveLength(32);
  });

  it('reconnects with backoff when the connection drops', async () => {
    const sockets = whatsapp.socketsOf(inboxId).length;
    const closed = statusEvent(socketA, 'closed');
    const droppedAt = Date.now();
    socket().close(DisconnectReason.connectionClosed, 'Connection Closed');
    expect(await closed).toMatchObject({
      channelId: inboxId,
      reason: expect.stringMatching(/connection closed/i),
    });
    // Listening only now: an earlier "open" still on its way must not count as the reconnect.
    await statusEvent(socketA, 'open');
    // The first retry waits between half and all of the 1 s base.
    expect(Date.now() - droppedAt).toBeGreaterThanOrEqual(450);
    expect(whatsapp.socketsOf(inboxId)).toHaveLength(sockets + 1);
  });

  it("stores an inbound text with the contact's number and push name, and tells the agents", async () => {
    const created = nextEvent<Json>(socketA, 'new_message', 5_000);
    socket().upsert([
      textMessage({
        from: ANNA,
        id: 'WAID-1',
        text: 'Hallo, ist meine Bestellung unterwegs?',
        pushName: 'Anna',
      }),
    ]);
    const event = await created;
    expect(event.message).toMatchObject({
      direction: 'in',
      type: 'text',
      content: { text: 'Hallo, ist meine Bestellung unterwegs?' },
      providerMessageId: 'WAID-1',
    });
    const [row] = await messageRow('WAID-1');
    expect(row).toMatchObject({
      identifier: ANNA,
      contact_phone: `+${ANNA}`,
      contact_name: 'Anna',
      direction: 'in',
    });
    conversationId = row!.conversation_id;
  });

  it('stores a repeated message once, also after a reconnect, and every message of a batch', async () => {
    socket().upsert([
      textMessage({ from: ANNA, id: 'WAID-1', text: 'Hallo, ist meine Bestellung unterwegs?' }),
      textMessage({ from: ANNA, id: 'WAID-2', text: 'Nummer 4711' }),
      textMessage({ from: '447700900123', id: 'WAID-3', text: 'Hello', pushName: 'Ben' }),
      textMessage({ from: ANNA, id: 'WAID-4', text: 'Danke!' }),
    ]);
    await eventually(async () => expect(await messageRow('WAID-4')).toHaveLength(1));
    expect(await messageRow('WAID-2')).toHaveLength(1);
    expect((await messageRow('WAID-3'))[0]).toMatchObject({
      identifier: '447700900123',
      contact_name: 'Ben',
    });
    // A new session has no memory of what it stored: the database's uniqueness keeps it once.
    await connections().stop(inboxId);
    await sync();
    await eventually(() => expect(connections().status(inboxId)).toBe('open'));
    socket().upsert([textMessage({ from: ANNA, id: 'WAID-2', text: 'Nummer 4711' })], 'append');
    socket().upsert([textMessage({ from: ANNA, id: 'WAID-5', text: 'after' })], 'append');
    await eventually(async () => expect(await messageRow('WAID-5')).toHaveLength(1));
    expect(await messageRow('WAID-1')).toHaveLength(1);
    expect(await messageRow('WAID-2')).toHaveLength(1);
  });

  it('stores an inbound image as an attachment', async () => {
    const bytes = randomBytes(4096);
    whatsapp.media.set('WAIMG-1', bytes);
    socket().upsert([imageMessage({ from: ANNA, id: 'WAIMG-1', caption: 'Das Paket' })]);
    const [row] = await eventually(async () => {
      const rows = await messageRow('WAIMG-1');
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(row).toMatchObject({ type: 'image', direction: 'in' });
    expect(row!.content).toMatchObject({
      caption: 'Das Paket',
      mimeType: 'image/jpeg',
      attachmentId: expect.any(String),
    });
    const file = await requestContext.run({ tenantId: A.tenant.id }, () =>
      ctx.app.get(AttachmentsService).openForSend(row!.content.attachmentId),
    );
    expect(file.contentType).toBe('image/jpeg');
    expect(await file.read()).toEqual(bytes);
  });

  it('records a message sent from the phone itself as outgoing', async () => {
    socket().upsert([
      textMessage({ from: ANNA, id: 'WAOUT-1', text: 'Ist unterwegs!', fromMe: true, pushName: 'Acme' }),
    ]);
    const [row] = await eventually(async () => {
      const rows = await messageRow('WAOUT-1');
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(row).toMatchObject({ direction: 'out', conversation_id: conversationId, contact_name: 'Anna' });
  });

  it('sends a text reply into the live socket, then follows its delivery and read receipts', async () => {
    const res = await send('text', { text: 'Hi Anna, it ships today.' });
    expect(res.status).toBe(201);
    const sent = await eventually(() => {
      const last = socket().sent.at(-1);
      expect(last?.content).toEqual({ text: 'Hi Anna, it ships today.' });
      return last!;
    });
    expect(sent.jid).toBe(`${ANNA}@s.whatsapp.net`);
    await eventually(async () =>
      expect(await messageById(res.body.id)).toMatchObject({ status: 'sent', provider_message_id: sent.id }),
    );
    const key = { remoteJid: sent.jid, fromMe: true, id: sent.id };
    socket().emit('messages.update', [{ key, update: { status: proto.WebMessageInfo.Status.DELIVERY_ACK } }]);
    await eventually(async () => expect((await messageById(res.body.id)).status).toBe('delivered'));
    socket().emit('message-receipt.update', [
      { key, receipt: { userJid: sent.jid, readTimestamp: Math.floor(Date.now() / 1000) } },
    ]);
    await eventually(async () => expect((await messageById(res.body.id)).status).toBe('read'));
  });

  it('sends an image by URL (fetched by the worker) and by attachment, with its caption', async () => {
    const byUrl = await send('image', { url: mediaUrl, caption: 'Your invoice' });
    expect(byUrl.status).toBe(201);
    const first = await eventually(() => {
      const last = socket().sent.at(-1);
      expect(last?.content).toHaveProperty('image');
      return last!;
    });
    expect(first.jid).toBe(`${ANNA}@s.whatsapp.net`);
    expect(first.content).toEqual({ image: photo, caption: 'Your invoice', mimetype: 'image/jpeg' });
    await eventually(async () => expect((await messageById(byUrl.body.id)).status).toBe('sent'));

    const inbound = (await messageRow('WAIMG-1'))[0]!;
    const count = socket().sent.length;
    const byAttachment = await send('image', { attachmentId: inbound.content.attachmentId });
    await eventually(() => expect(socket().sent).toHaveLength(count + 1));
    expect(socket().sent.at(-1)!.content).toEqual({
      image: whatsapp.media.get('WAIMG-1'),
      mimetype: 'image/jpeg',
    });
    await eventually(async () => expect((await messageById(byAttachment.body.id)).status).toBe('sent'));
  });

  it("fails the message with WhatsApp's reason when sendMessage throws", async () => {
    socket().failNextSend = boom(406, 'not-acceptable');
    const res = await send('text', { text: 'This one bounces' });
    await eventually(async () =>
      expect(await messageById(res.body.id)).toMatchObject({
        status: 'failed',
        failure_reason: 'WhatsApp refused the message: not-acceptable',
      }),
    );
  });

  it('retries a reply sent while the link is down, and delivers it once reconnected', async () => {
    socket().close(DisconnectReason.connectionLost, 'Connection Lost');
    const res = await send('text', { text: 'Sent during a blip' });
    await eventually(
      () => expect(socket().sent.at(-1)?.content).toEqual({ text: 'Sent during a blip' }),
      10_000,
    );
    await eventually(async () => expect((await messageById(res.body.id)).status).toBe('sent'));
  });

  it('refuses the same number in a second inbox: that device is unlinked again', async () => {
    const second = await http(ctx.app, 'POST', '/api/v1/channels', {
      token: B.token,
      body: { type: 'whatsapp_qr', name: 'Same phone elsewhere' },
    });
    expect(second.status).toBe(201);
    const id = second.body.id as string;
    await eventually(() => expect(whatsapp.qrCodes.some((q) => q.channelId === id)).toBe(true));
    const refused = statusEvent(socketB, 'logged_out');
    await whatsapp.scan(id, BUSINESS);
    expect(await refused).toMatchObject({
      channelId: id,
      reason: `+${BUSINESS} is already linked to another inbox`,
    });
    expect(whatsapp.socketOf(id)!.loggedOut).toBe(true);
    expect(await authKeys(id)).toEqual([]);
    expect(connections().status(inboxId)).toBe('open');
  });

  it('admin routes: agents are refused, another workspace gets 404, linking an open device is a conflict', async () => {
    const path = `/api/v1/channels/${inboxId}/whatsapp-qr`;
    expect((await http(ctx.app, 'GET', `${path}/status`, { token: agentToken })).status).toBe(403);
    expect((await http(ctx.app, 'POST', `${path}/logout`, { token: agentToken })).status).toBe(403);
    expect((await http(ctx.app, 'GET', `${path}/status`, { token: B.token })).status).toBe(404);
    expect((await http(ctx.app, 'POST', `${path}/logout`, { token: B.token })).status).toBe(404);
    const conflict = await http(ctx.app, 'POST', `${path}/link`, { token: A.token });
    expect(conflict.status).toBe(409);
    expect(conflict.body.message).toMatch(/Already linked as \+14155550100/);
    expect(connections().status(inboxId)).toBe('open');
  });

  it('logout unlinks the device at WhatsApp and forgets its keys; link shows a new QR code', async () => {
    const path = `/api/v1/channels/${inboxId}/whatsapp-qr`;
    const live = socket();
    const loggedOut = statusEvent(socketA, 'logged_out');
    const res = await http(ctx.app, 'POST', `${path}/logout`, { token: A.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'logged_out', phone: null });
    await loggedOut;
    expect(live.loggedOut).toBe(true);
    await eventually(async () => expect(await authKeys(inboxId)).toEqual([]));
    expect(connections().isRunning(inboxId)).toBe(false);
    const test = await http(ctx.app, 'POST', `/api/v1/channels/${inboxId}/test`, { token: A.token });
    expect(test.body).toMatchObject({ ok: false, message: 'Logged out from OrbitDesk: link again' });
    // Logged out stays logged out: the periodic sync does not reconnect it.
    await sync();
    expect(connections().isRunning(inboxId)).toBe(false);

    const qr = nextEvent<Json>(adminSocketA, 'baileys:qr', 5_000);
    const link = await http(ctx.app, 'POST', `${path}/link`, { token: A.token });
    expect(link.status).toBe(202);
    expect(link.body).toMatchObject({ status: 'connecting' });
    expect((await qr).channelId).toBe(inboxId);
  });

  it('the phone unlinking the device stops the connection and wipes its keys', async () => {
    await whatsapp.scan(inboxId, BUSINESS);
    await eventually(() => expect(connections().status(inboxId)).toBe('open'));
    const sockets = whatsapp.socketsOf(inboxId).length;
    const loggedOut = statusEvent(socketA, 'logged_out');
    socket().close(DisconnectReason.loggedOut, 'Intentional Logout');
    expect(await loggedOut).toMatchObject({ reason: 'Logged out from the phone' });
    await eventually(async () => expect(await authKeys(inboxId)).toEqual([]));
    const test = await http(ctx.app, 'POST', `/api/v1/channels/${inboxId}/test`, { token: A.token });
    expect(test.body).toMatchObject({ ok: false, message: 'Logged out from the phone: link again' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(whatsapp.socketsOf(inboxId)).toHaveLength(sockets);
    expect(connections().isRunning(inboxId)).toBe(false);
  });

  it('deleting the inbox closes its connection', async () => {
    await http(ctx.app, 'POST', `/api/v1/channels/${inboxId}/whatsapp-qr/link`, { token: A.token });
    await eventually(() => expect(connections().status(inboxId)).toBe('qr'));
    const live = socket();
    const res = await http(ctx.app, 'DELETE', `/api/v1/channels/${inboxId}`, { token: A.token });
    expect(res.status).toBe(200);
    await eventually(() => expect(connections().isRunning(inboxId)).toBe(false));
    expect(live.ended).toBe(true);
  });

  it('the API process never opens a connection nor sends: only the worker does', () => {
    expect(apiConnect).not.toHaveBeenCalled();
    expect(ctx.app.get(WhatsAppQrConnections).runningIds()).toEqual([]);
    expect(() => ctx.app.get(OutboundProcessor, { strict: false })).toThrow();
  });
});
