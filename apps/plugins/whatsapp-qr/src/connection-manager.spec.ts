import { DisconnectReason, proto, type WAMessage } from '@whiskeysockets/baileys';
import { describe, expect, it, vi } from 'vitest';
import { WhatsAppQrManager, WhatsAppSendError } from './connection-manager.js';
import type { ChannelRef, LinkStatusUpdate, WhatsAppQrHost } from './host.js';
import type { InboundMessage } from './inbound.js';
import { boom, FakeDriver } from './testing/fake-socket.js';
import { MemoryAuthKeyStore } from './testing/memory-auth-store.js';

const channel: ChannelRef = { id: 'c1', tenantId: 't1' };

function setup(claim = true) {
  const driver = new FakeDriver();
  const store = new MemoryAuthKeyStore();
  const statuses: LinkStatusUpdate[] = [];
  const qrs: string[] = [];
  const ingested: InboundMessage[] = [];
  const receipts: [string, string][] = [];
  const host: WhatsAppQrHost = {
    authStore: () => store,
    ingest: (_c, m) => {
      ingested.push(m);
      return Promise.resolve();
    },
    updateStatus: (_c, id, s) => {
      receipts.push([id, s]);
      return Promise.resolve();
    },
    emitQr: (_c, qr) => {
      qrs.push(qr);
      return Promise.resolve();
    },
    emitStatus: (_c, u) => {
      statuses.push(u);
      return Promise.resolve();
    },
    claimNumber: () => Promise.resolve(claim),
    logger: { debug: () => undefined, log: () => undefined, warn: () => undefined, error: () => undefined },
    driver,
  };
  const manager = new WhatsAppQrManager(host, { backoff: { baseMs: 10, maxMs: 40, random: () => 0 } });
  return { driver, store, statuses, qrs, ingested, receipts, manager };
}

/** Simulates the phone scanning the QR code: Baileys stores the account, then asks for a restart. */
async function scan(t: ReturnType<typeof setup>) {
  await t.manager.start(channel);
  t.driver.last.emit('connection.update', { qr: '2@abc,def' });
  t.driver.last.options.auth.creds.me = { id: '14155550100:7@s.whatsapp.net' };
  t.driver.last.emit('creds.update', { me: t.driver.last.options.auth.creds.me });
  t.driver.last.emit('connection.update', {
    connection: 'close',
    lastDisconnect: { error: boom(DisconnectReason.restartRequired), date: new Date() },
  });
  await vi.waitFor(() => expect(t.driver.sockets).toHaveLength(2));
  t.driver.last.user = { id: '14155550100:7@s.whatsapp.net', name: 'Acme' };
  t.driver.last.emit('connection.update', { connection: 'open' });
}

async function link(t: ReturnType<typeof setup>) {
  await scan(t);
  await vi.waitFor(() => expect(t.statuses.at(-1)?.status).toBe('open'));
}

const textFrom = (id: string, text: string, fromMe = false): WAMessage =>
  proto.WebMessageInfo.fromObject({
    key: { remoteJid: '4915112345678@s.whatsapp.net', fromMe, id },
    message: { conversation: text },
    messageTimestamp: 1_760_000_000,
    pushName: 'Anna',
  }) as WAMessage;

describe('WhatsAppQrManager', () => {
  it('shows the QR code, then links, stores the creds and reports open with the number', async () => {
    const t = setup();
    await link(t);
    expect(t.qrs).toEqual(['2@abc,def']);
    expect(t.statuses.map((s) => s.status)).toEqual(['connecting', 'qr', 'closed', 'connecting', 'open']);
    expect(t.statuses.at(-1)).toEqual({ status: 'open', phone: '+14155550100', name: 'Acme' });
    expect(t.store.values.get('creds')).toContain('14155550100:7@s.whatsapp.net');
  });

  it('reuses the stored creds after a restart: no new QR code', async () => {
    const t = setup();
    await link(t);
    await t.manager.stop(channel.id);
    await t.manager.start(channel);
    expect(t.driver.last.options.auth.creds.me?.id).toBe('14155550100:7@s.whatsapp.net');
  });

  it('reconnects with backoff after a drop, and stops and wipes the auth state when logged out', async () => {
    const t = setup();
    await link(t);
    t.driver.last.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error: boom(DisconnectReason.connectionLost, 'Connection Lost'), date: new Date() },
    });
    await vi.waitFor(() => expect(t.driver.sockets).toHaveLength(3));
    expect(t.statuses.filter((s) => s.status === 'closed').at(-1)?.reason).toMatch(/connection lost/);
    t.driver.last.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error: boom(DisconnectReason.loggedOut, 'Intentional Logout'), date: new Date() },
    });
    await vi.waitFor(() => expect(t.statuses.at(-1)?.status).toBe('logged_out'));
    expect(t.store.values.size).toBe(0);
    expect(t.manager.isRunning(channel.id)).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(t.driver.sockets).toHaveLength(3);
  });

  it('gives up when the QR code expires unscanned', async () => {
    const t = setup();
    await t.manager.start(channel);
    t.driver.last.emit('connection.update', { qr: 'qr-1' });
    t.driver.last.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error: boom(DisconnectReason.timedOut, 'QR refs attempts ended'), date: new Date() },
    });
    await vi.waitFor(() => expect(t.statuses.at(-1)).toMatchObject({ status: 'closed', willRetry: false }));
    expect(t.manager.isRunning(channel.id)).toBe(false);
  });

  it('unlinks a number another inbox already has', async () => {
    const t = setup(false);
    await scan(t);
    await vi.waitFor(() => expect(t.statuses.at(-1)?.status).toBe('logged_out'));
    expect(t.statuses.at(-1)?.reason).toMatch(/already linked to another inbox/);
    expect(t.driver.last.loggedOut).toBe(true);
  });

  it('turns notify and append upserts into inbox messages, once per id, skipping groups', async () => {
    const t = setup();
    await link(t);
    const group = proto.WebMessageInfo.fromObject({
      key: { remoteJid: '1203630@g.us', id: 'G1', participant: '1@s.whatsapp.net' },
      message: { conversation: 'in a group' },
    }) as WAMessage;
    t.driver.last.emit('messages.upsert', {
      type: 'notify',
      messages: [textFrom('A1', 'hi'), group, textFrom('A2', 'again')],
    });
    t.driver.last.emit('messages.upsert', { type: 'notify', messages: [textFrom('A1', 'hi')] });
    t.driver.last.emit('messages.upsert', {
      type: 'append',
      messages: [textFrom('A3', 'sent from the phone', true)],
    });
    await vi.waitFor(() => expect(t.ingested).toHaveLength(3));
    expect(t.ingested[0]).toMatchObject({
      providerMessageId: 'A1',
      direction: 'in',
      contact: { identifier: '4915112345678', phone: '+4915112345678', name: 'Anna' },
      type: 'text',
      content: { text: 'hi' },
      sentAt: new Date(1_760_000_000_000).toISOString(),
    });
    expect(t.ingested[2]).toMatchObject({
      providerMessageId: 'A3',
      direction: 'out',
      contact: { identifier: '4915112345678' },
    });
    expect(t.ingested[2]!.contact.name).toBeUndefined();
  });

  it('sends, maps receipts of sent messages, and classifies send failures', async () => {
    const t = setup();
    await expect(
      t.manager.send(channel.id, '1@s.whatsapp.net', { type: 'text', text: 'x' }),
    ).rejects.toMatchObject({
      transient: true,
    });
    await link(t);
    const id = await t.manager.send(channel.id, '4915112345678@s.whatsapp.net', {
      type: 'text',
      text: 'Hello',
    });
    expect(t.driver.last.sent).toEqual([{ jid: '4915112345678@s.whatsapp.net', content: { text: 'Hello' } }]);
    t.driver.last.emit('messages.update', [
      { key: { id: id!, fromMe: true, remoteJid: '4915112345678@s.whatsapp.net' }, update: { status: 3 } },
    ]);
    t.driver.last.emit('message-receipt.update', [
      {
        key: { id: id!, fromMe: true },
        receipt: { userJid: '4915112345678@s.whatsapp.net', readTimestamp: 1 },
      },
    ]);
    await vi.waitFor(() =>
      expect(t.receipts).toEqual([
        [id, 'delivered'],
        [id, 'read'],
      ]),
    );

    t.driver.last.sendError = new Error('not on WhatsApp');
    const refused = await t.manager
      .send(channel.id, 'x@s.whatsapp.net', { type: 'text', text: 'x' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WhatsAppSendError);
    expect(refused).toMatchObject({
      transient: false,
      reason: 'WhatsApp refused the message: not on WhatsApp',
    });
    t.driver.last.sendError = boom(DisconnectReason.connectionClosed, 'Connection Closed');
    await expect(
      t.manager.send(channel.id, 'x@s.whatsapp.net', { type: 'text', text: 'x' }),
    ).rejects.toMatchObject({
      transient: true,
    });
  });
});
