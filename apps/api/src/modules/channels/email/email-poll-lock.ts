import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RedisLeases } from '../../../common/redis/redis-lease.js';
import { RedisService } from '../../../common/redis/redis.module.js';

/**
 * Longer than any poll should take (a batch of messages, each step bounded by socket timeouts). Should a poll
 * outlive it anyway, a second one may start; the Message-ID check still stores each message once.
 */
const LOCK_TTL_MS = 10 * 60_000;

/** One poll of a mailbox at a time across every worker replica: a Redis lease per inbox, one owner per poll. */
@Injectable()
export class EmailPollLock {
  constructor(private readonly redis: RedisService) {}

  /** The release function when the lock was free, undefined when another poll holds it. */
  async acquire(channelId: string): Promise<(() => Promise<void>) | undefined> {
    const key = `email-poll:${channelId}`;
    const leases = new RedisLeases(() => this.redis.client, randomUUID(), LOCK_TTL_MS);
    if (!(await leases.acquire(key))) return undefined;
    return () => leases.release(key);
  }
}
