import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { visitorRoom, WIDGET_NAMESPACE, type WidgetServerEvents } from './live-chat.events.js';
import type { VisitorKey } from './live-chat.presence.js';

/**
 * Reaches visitors' sockets from any process, the worker included: publishes through Redis on the key of the API
 * processes' Socket.IO adapter, whose /widget namespace delivers to the sockets in the visitor's room.
 */
@Injectable()
export class LiveChatEmitter implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly widget: Emitter<WidgetServerEvents>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    // No keyPrefix: pub/sub channels are not keys; the deployment prefix is part of the adapter key instead.
    this.redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, commandTimeout: 2_000 });
    this.redis.on('error', () => undefined);
    this.widget = new Emitter<WidgetServerEvents>(this.redis, {
      key: `${config.REDIS_KEY_PREFIX}socket.io`,
    }).of(WIDGET_NAMESPACE);
  }

  toVisitors<E extends keyof WidgetServerEvents>(
    visitors: VisitorKey[],
    event: E,
    payload: Parameters<WidgetServerEvents[E]>[0],
  ): void {
    if (!visitors.length) return;
    const rooms = visitors.map((v) => visitorRoom(v.tenantId, v.inboxId, v.visitorId));
    this.widget.to(rooms).emit(event, ...([payload] as Parameters<WidgetServerEvents[E]>));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
