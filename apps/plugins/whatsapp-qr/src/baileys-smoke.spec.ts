import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { WhatsAppQrManager } from './connection-manager.js';
import { baileysDriver } from './driver.js';
import type { LinkStatusUpdate } from './host.js';
import { MemoryAuthKeyStore } from './testing/memory-auth-store.js';

/** A loopback port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The real makeWASocket, pointed at an address that refuses connections: no network needed. */
describe('with the real Baileys socket', () => {
  it('reports the refused connection as closed and schedules a reconnect, without throwing', async () => {
    const statuses: LinkStatusUpdate[] = [];
    const warnings: string[] = [];
    const driver = baileysDriver({ waWebSocketUrl: `ws://127.0.0.1:${await closedPort()}/ws/chat` });
    const connect = vi.spyOn(driver, 'connect');
    const manager = new WhatsAppQrManager(
      {
        authStore: () => new MemoryAuthKeyStore(),
        ingest: () => Promise.resolve(),
        updateStatus: () => Promise.resolve(),
        emitQr: () => Promise.resolve(),
        emitStatus: (_c, u) => {
          statuses.push(u);
          return Promise.resolve();
        },
        claimNumber: () => Promise.resolve(true),
        logger: {
          debug: () => undefined,
          log: () => undefined,
          warn: (m) => warnings.push(m),
          error: () => undefined,
        },
        driver,
      },
      { backoff: { baseMs: 50, maxMs: 100, random: () => 0 } },
    );
    await manager.start({ id: 'smoke', tenantId: 't' });
    await vi.waitFor(() => expect(connect).toHaveBeenCalledTimes(2), { timeout: 5_000 });
    await manager.stop('smoke');
    const closed = statuses.find((s) => s.status === 'closed');
    expect(closed).toMatchObject({ willRetry: true });
    expect(closed?.reason).toMatch(/ECONNREFUSED/);
    expect(statuses[0]).toEqual({ status: 'connecting' });
    expect(warnings.some((w) => /reconnecting in \d+ ms/.test(w))).toBe(true);
  });
});
