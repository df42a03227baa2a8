import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RedisLeases } from '../../../common/redis/redis-lease.js';
import { RedisService } from '../../../common/redis/redis.module.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';

/** What the API asks of whichever worker holds (or may take) an inbox's connection. */
export const ZWhatsAppQrCommand = z.object({
  action: z.enum(['link', 'logout', 'stop']),
  channelId: z.uuid(),
  tenantId: z.uuid(),
});
export type WhatsAppQrCommand = z.infer<typeof ZWhatsAppQrCommand>;

/** Long enough to survive a slow sync, short enough that a crashed worker's inboxes move within a minute. */
export const LOCK_TTL_MS = 60_000;

/**
 * Cross-process coordination of the linked-device connections through Redis. A connection is opened only by the
 * process holding the inbox's lock (SET NX with a TTL, refreshed while it runs), so two worker replicas never
 * open the same session, which WhatsApp would answer by closing both ("connection replaced"). Commands from the
 * API go out on one pub/sub channel; every worker hears them and the lock decides which one acts.
 */
@Injectable()
export class WhatsAppQrCoordination {
  private readonly logger = new Logger('WhatsAppQrCoordination');
  /** This process, as the value of the locks it holds. */
  readonly instanceId = randomUUID();
  /** Pub/sub channels are not keys, so ioredis' keyPrefix does not apply: the prefix is added here. */
  readonly commandChannel: string;

  private readonly leases: RedisLeases;

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.commandChannel = `${config.REDIS_KEY_PREFIX}whatsapp-qr:commands`;
    this.leases = new RedisLeases(() => redis.client, this.instanceId, LOCK_TTL_MS);
  }

  async publish(command: WhatsAppQrCommand): Promise<void> {
    await this.redis.client.publish(this.commandChannel, JSON.stringify(command));
  }

  /** Null for a malformed message (logged): the channel is ours, but Redis is shared. */
  parse(raw: string): WhatsAppQrCommand | null {
    try {
      return ZWhatsAppQrCommand.parse(JSON.parse(raw));
    } catch {
      this.logger.warn('malformed whatsapp-qr command ignored');
      return null;
    }
  }

  acquire(channelId: string): Promise<boolean> {
    return this.leases.acquire(lockKey(channelId));
  }

  /** False when the lock expired or another process took it: the connection must then stop here. */
  refresh(channelId: string): Promise<boolean> {
    return this.leases.refresh(lockKey(channelId));
  }

  release(channelId: string): Promise<void> {
    return this.leases.release(lockKey(channelId));
  }

  /** Whether some process holds the inbox's connection right now. */
  isHeld(channelId: string): Promise<boolean> {
    return this.leases.isHeld(lockKey(channelId));
  }
}

const lockKey = (channelId: string) => `whatsapp-qr:session:${channelId}`;
