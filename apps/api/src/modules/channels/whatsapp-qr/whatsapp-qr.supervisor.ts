import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { ChannelRef } from '@orbitdesk/plugin-whatsapp-qr';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { Database } from '../../../db/database.js';
import { ChannelsRepository, type ChannelRow } from '../channels.repository.js';
import { WhatsAppQrConnections } from './whatsapp-qr.connections.js';
import { WhatsAppQrCoordination, type WhatsAppQrCommand } from './whatsapp-qr.coordination.js';
import { readLinkState } from './whatsapp-qr.state.js';

/** How often the worker looks for inboxes to connect or drop, and refreshes its locks (a quarter of their TTL). */
const SYNC_INTERVAL_MS = 15_000;

const SUBSCRIBE_WAIT_MS = 5_000;

const refOf = (row: Pick<ChannelRow, 'id' | 'tenantId'>): ChannelRef => ({
  id: row.id,
  tenantId: row.tenantId,
});

/**
 * The worker's side of linked devices: keeps one connection open for every active whatsapp_qr inbox that is
 * linked or being linked, spread over the worker replicas by Redis locks; drops the connections of inboxes
 * deleted or disabled; and carries out the admins' link, logout and stop commands as they arrive.
 */
@Injectable()
export class WhatsAppQrSupervisor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('WhatsAppQrSupervisor');
  /** Inboxes whose lock this process holds. */
  private readonly held = new Set<string>();
  private timer?: NodeJS.Timeout;
  private subscriber?: Redis;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly channels: ChannelsRepository,
    private readonly connections: WhatsAppQrConnections,
    private readonly coordination: WhatsAppQrCoordination,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.subscribe();
    await this.sync();
    this.timer = setInterval(() => void this.sync(), SYNC_INTERVAL_MS);
    this.timer.unref();
  }

  /** One pass at a time; a call during a pass waits for it. */
  sync(): Promise<void> {
    this.running ??= this.reconcile()
      .catch((err: Error) => this.logger.error(`sync failed: ${err.message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async reconcile(): Promise<void> {
    const rows = await this.channels.unsafeListActiveByType('whatsapp_qr');
    const active = new Set(rows.map((r) => r.id));
    for (const id of this.connections.runningIds()) {
      if (!active.has(id)) await this.stopHere(id);
      else if (!(await this.coordination.refresh(id))) {
        this.logger.warn(`lost the lock of inbox ${id} to another process; closing its connection here`);
        await this.connections.stop(id);
        this.held.delete(id);
      }
    }
    // Connections the manager ended on its own (logged out, QR expired) give their lock back.
    for (const id of [...this.held]) if (!this.connections.isRunning(id)) await this.release(id);
    for (const row of rows) {
      if (!this.connections.isRunning(row.id) && !readLinkState(row).idle) await this.startHere(row);
    }
  }

  private async handle(command: WhatsAppQrCommand): Promise<void> {
    const ref: ChannelRef = { id: command.channelId, tenantId: command.tenantId };
    switch (command.action) {
      case 'link': {
        const row = await this.db.tenantTransaction(ref.tenantId, (tx) => this.channels.findById(tx, ref.id));
        if (!row || row.type !== 'whatsapp_qr' || !row.isActive) return;
        if (this.connections.isRunning(ref.id)) await this.connections.restart(ref);
        else await this.startHere(row);
        return;
      }
      case 'logout':
        if (!this.connections.isRunning(ref.id)) return;
        await this.connections.logout(ref);
        await this.release(ref.id);
        return;
      case 'stop':
        if (this.connections.isRunning(ref.id)) await this.stopHere(ref.id);
        return;
    }
  }

  private async startHere(row: ChannelRow): Promise<void> {
    if (!(await this.coordination.acquire(row.id))) return;
    this.held.add(row.id);
    await this.connections.start(refOf(row));
  }

  private async stopHere(id: string): Promise<void> {
    await this.connections.stop(id);
    await this.release(id);
  }

  private async release(id: string): Promise<void> {
    this.held.delete(id);
    await this.coordination
      .release(id)
      .catch((err: Error) => this.logger.warn(`lock of inbox ${id} not released: ${err.message}`));
  }

  /** Resolves once subscribed, or after a few seconds without Redis (ioredis keeps trying; the sync covers). */
  private async subscribe(): Promise<void> {
    const sub = new Redis(this.config.REDIS_URL, { enableReadyCheck: false, connectTimeout: 5_000 });
    sub.on('error', () => undefined);
    sub.on('message', (_channel: string, raw: string) => {
      const command = this.coordination.parse(raw);
      if (!command) return;
      this.handle(command).catch((err: Error) =>
        this.logger.error(`${command.action} of inbox ${command.channelId} failed: ${err.message}`),
      );
    });
    this.subscriber = sub;
    const subscribed = sub
      .subscribe(this.coordination.commandChannel)
      .catch((err: Error) => this.logger.warn(`whatsapp-qr commands not subscribed: ${err.message}`));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      subscribed,
      new Promise((resolve) => (timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }

  /** Closes every connection (the devices stay linked) and gives the locks back, so another worker takes over. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.subscriber?.disconnect();
    await this.running;
    await this.connections.stopAll();
    await Promise.all([...this.held].map((id) => this.release(id)));
  }
}
