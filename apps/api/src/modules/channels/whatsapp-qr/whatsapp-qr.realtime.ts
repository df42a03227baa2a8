import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { LinkStatus } from '@orbitdesk/plugin-whatsapp-qr';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { CHAT_NAMESPACE, rooms } from '../../realtime/realtime.events.js';

export interface WhatsAppQrEvents {
  'baileys:qr': (event: { channelId: string; qr: string }) => void;
  'baileys:status': (event: {
    channelId: string;
    status: LinkStatus;
    reason?: string;
    phone?: string;
  }) => void;
}

/**
 * Pushes link events to the workspace's sockets on /chat from the worker, which owns the connections but has no
 * sockets: the Socket.IO Redis emitter on the API adapter's key, like the worker's realtime relay. Its Redis
 * connection opens on the first event, so processes that never link a device (the API) never open it.
 */
@Injectable()
export class WhatsAppQrRealtime implements OnApplicationShutdown {
  private redis?: Redis;
  private chat?: Emitter<WhatsAppQrEvents>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The QR code goes to the workspace's admins only (whoever scans it links their phone to the inbox, and only
   * admins may manage inboxes); the link status goes to every agent of the workspace.
   */
  emit<E extends keyof WhatsAppQrEvents>(
    tenantId: string,
    event: E,
    payload: Parameters<WhatsAppQrEvents[E]>[0],
  ): void {
    this.emitter()
      .to(event === 'baileys:qr' ? rooms.admins(tenantId) : rooms.tenant(tenantId))
      .emit(event, ...([payload] as Parameters<WhatsAppQrEvents[E]>));
  }

  private emitter(): Emitter<WhatsAppQrEvents> {
    if (!this.chat) {
      // No keyPrefix: pub/sub channels are not keys; the deployment prefix is part of the adapter key instead.
      this.redis = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: 2, commandTimeout: 2_000 });
      this.redis.on('error', () => undefined);
      this.chat = new Emitter<WhatsAppQrEvents>(this.redis, {
        key: `${this.config.REDIS_KEY_PREFIX}socket.io`,
      }).of(CHAT_NAMESPACE);
    }
    return this.chat;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
