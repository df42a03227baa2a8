import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from '../../../common/redis/redis.module.js';

/** Long enough for any echo Meta still delivers late; short enough to keep Redis small. */
const TTL_SECONDS = 24 * 60 * 60;

/**
 * The Meta message ids of our own sends, remembered briefly in Redis (the worker sends, the API receives the
 * echoes). An echo of one of them is skipped: the message is already stored, and a caption sent as a second
 * message has no row of its own to match. It also covers an echo that arrives before the worker recorded the
 * id on the message. Redis failing only weakens this to the pipeline's duplicate check.
 */
@Injectable()
export class MetaSentMids {
  private readonly logger = new Logger('MetaSentMids');

  constructor(private readonly redis: RedisService) {}

  async remember(channelId: string, mid: string): Promise<void> {
    try {
      await this.redis.client.set(key(channelId, mid), '1', 'EX', TTL_SECONDS);
    } catch (err) {
      this.logger.warn(`could not remember sent id ${mid} on ${channelId}: ${(err as Error).message}`);
    }
  }

  async isOurs(channelId: string, mid: string): Promise<boolean> {
    try {
      return (await this.redis.client.exists(key(channelId, mid))) === 1;
    } catch {
      return false;
    }
  }
}

const key = (channelId: string, mid: string) => `meta:sent:${channelId}:${mid}`;
