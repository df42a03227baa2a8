import { createServer, type AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { baileysDriver } from '@orbitdesk/plugin-whatsapp-qr';
import { WhatsAppQrConnections } from '../../src/modules/channels/whatsapp-qr/whatsapp-qr.connections.js';
import { WhatsAppQrDriver } from '../../src/modules/channels/whatsapp-qr/whatsapp-qr.driver.js';
import { startWorker, type RunningWorker } from '../../src/worker.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { connectAgent, listen } from '../support/sockets.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';

/** A loopback port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The glue with the real library: makeWASocket, given the Postgres-backed auth state, pointed at a WebSocket URL
 * that refuses connections (WhatsApp itself is out of reach here). It must close, and the manager must report it
 * and schedule a reconnect, without anything throwing.
 */
describe('whatsapp_qr with the real Baileys socket', () => {
  let ctx: TestContext;
  let worker: RunningWorker;
  let socket: ClientSocket;
  const statuses: Record<string, unknown>[] = [];
  let connects = 0;

  beforeAll(async () => {
    ctx = await startTestApp();
    const base = await listen(ctx.app);
    worker = await startWorker(ctx.config);
    const real = baileysDriver({ waWebSocketUrl: `ws://127.0.0.1:${await closedPort()}/ws/chat` });
    vi.spyOn(worker.app.get(WhatsAppQrDriver), 'connect').mockImplementation((options) => {
      connects++;
      return real.connect(options);
    });
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    socket = await connectAgent(base, admin.token);
    socket.on('baileys:status', (event: Record<string, unknown>) => statuses.push(event));
    const res = await http(ctx.app, 'POST', '/api/v1/channels', {
      token: admin.token,
      body: { type: 'whatsapp_qr', name: 'Real Baileys' },
    });
    expect(res.status).toBe(201);
  });

  afterAll(async () => {
    socket?.disconnect();
    await worker?.close();
    await ctx?.close();
  });

  it('closes on the refused connection and is reconnected with backoff', async () => {
    await eventually(() => expect(connects).toBeGreaterThanOrEqual(2), 10_000);
    const closed = statuses.find((s) => s.status === 'closed');
    expect(closed?.reason).toMatch(/ECONNREFUSED/);
    expect(statuses[0]).toMatchObject({ status: 'connecting' });
    // Still trying: the connection is neither given up nor logged out.
    const [id] = worker.app.get(WhatsAppQrConnections).runningIds();
    expect(id).toBeDefined();
    const state = (
      await ctx.database.unsafe.execute<{ state: Record<string, unknown> }>(
        sql`select state from channels where id = ${id!}`,
      )
    ).rows[0]!.state;
    expect(state.idle).toBe(false);
    expect(['connecting', 'closed']).toContain(state.status);
  });
});
