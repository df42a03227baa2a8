import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhatsAppQrConnections } from '../../src/modules/channels/whatsapp-qr/whatsapp-qr.connections.js';
import type { RunningWorker } from '../../src/worker.js';
import type { FakeWhatsApp } from '../fakes/baileys-socket.js';
import { eventually } from '../support/eventually.js';
import { makeTenantWithUser } from '../support/factories.js';
import { http, startTestApp, type TestContext } from '../support/test-app.js';
import { startWorkerWithFakeWhatsApp } from '../support/whatsapp-qr.js';

/** Two worker replicas: the Redis lock gives each linked device to exactly one of them. */
describe('whatsapp_qr across worker replicas', () => {
  let ctx: TestContext;
  const workers: { worker: RunningWorker; whatsapp: FakeWhatsApp; sync: () => Promise<void> }[] = [];
  let inboxId: string;

  beforeAll(async () => {
    ctx = await startTestApp();
    workers.push(
      await startWorkerWithFakeWhatsApp(ctx.config),
      await startWorkerWithFakeWhatsApp(ctx.config),
    );
    const admin = await makeTenantWithUser(ctx.app, ctx.database, 'ADMIN');
    const res = await http(ctx.app, 'POST', '/api/v1/channels', {
      token: admin.token,
      body: { type: 'whatsapp_qr', name: 'Shared phone' },
    });
    expect(res.status).toBe(201);
    inboxId = res.body.id;
  });

  afterAll(async () => {
    for (const w of workers) await w.worker.close().catch(() => undefined);
    await ctx?.close();
  });

  const opened = () => workers.map((w) => w.whatsapp.socketsOf(inboxId).length);

  it('opens the session in one worker only, however often both sync', async () => {
    await eventually(() => expect(opened().reduce((a, b) => a + b)).toBe(1));
    await Promise.all(workers.map((w) => w.sync()));
    await Promise.all(workers.map((w) => w.sync()));
    expect(opened().reduce((a, b) => a + b)).toBe(1);
    const running = workers.map((w) => w.worker.app.get(WhatsAppQrConnections).isRunning(inboxId));
    expect(running.filter(Boolean)).toHaveLength(1);
  });

  it('moves the session to the other worker when its holder shuts down', async () => {
    const holder = opened().findIndex((n) => n === 1);
    const other = workers[1 - holder]!;
    await workers[holder]!.worker.close();
    await other.sync();
    await eventually(() => expect(other.whatsapp.socketsOf(inboxId)).toHaveLength(1));
    expect(other.worker.app.get(WhatsAppQrConnections).isRunning(inboxId)).toBe(true);
  });
});
