import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisService } from '../../../common/redis/redis.module.js';

/**
 * Longer than any poll should take (a batch of messages, each step bounded by socket timeouts). Should a poll
 * outlive it anyway, a second one may start; the Message-ID check still stores each message once.
 */
const LOCK_TTL_MS = 10 * 60_000;

/** Deletes the lock only while it is still ours: an expired lock may already belong to another worker. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** One poll of a mailbox at a time across every worker replica: a Redis lock per inbox. */
@Injectable()
export class EmailPollLock {
  constructor(private readonly redis: RedisService) {}

  /** The release function when the lock was free, undefined when another poll holds it. */
  async acquire(channelId: string): Promise<(() => Promise<void>) | undefined> {
    const key = `email-poll:${channelId}`;
    const token = randomUUID();
    const taken = await this.redis.client.set(key, token, 'PX', LOCK_TTL_MS, 'NX');
    if (taken !== 'OK') return undefined;
    return async () => {
      await this.redis.client.eval(RELEASE, 1, key, token);
    };
  }
}
