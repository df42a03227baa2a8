import { Injectable } from '@nestjs/common';
import { RedisService } from '../../../common/redis/redis.module.js';

/** A socket's entry lives this long unless its process refreshes it (every PRESENCE_REFRESH_MS). */
export const PRESENCE_TTL_MS = 60_000;
export const PRESENCE_REFRESH_MS = 20_000;

export interface VisitorKey {
  tenantId: string;
  inboxId: string;
  visitorId: string;
}

const keyOf = (v: VisitorKey) => `widget:online:${v.tenantId}:${v.inboxId}:${v.visitorId}`;

/**
 * Which visitors have the widget open, across API processes, readable by the worker (which has no sockets). Per
 * visitor, a sorted set of socket ids scored by when each entry lapses: the process holding the socket refreshes
 * it, so the sockets of a process that crashed stop counting within PRESENCE_TTL_MS without anyone cleaning up.
 */
@Injectable()
export class LiveChatPresence {
  constructor(private readonly redis: RedisService) {}

  async connected(visitor: VisitorKey, socketId: string): Promise<void> {
    await this.refresh([{ visitor, socketId }]);
  }

  async disconnected(visitor: VisitorKey, socketId: string): Promise<void> {
    await this.redis.client.zrem(keyOf(visitor), socketId);
  }

  /** Re-arms the entries of this process's sockets and drops lapsed ones of the same visitors. */
  async refresh(entries: { visitor: VisitorKey; socketId: string }[]): Promise<void> {
    if (!entries.length) return;
    const now = Date.now();
    const multi = this.redis.client.multi();
    for (const { visitor, socketId } of entries) {
      const key = keyOf(visitor);
      multi.zadd(key, now + PRESENCE_TTL_MS, socketId);
      multi.zremrangebyscore(key, '-inf', now);
      multi.pexpire(key, PRESENCE_TTL_MS);
    }
    await multi.exec();
  }

  /** True when one of the visitors has a live socket on any API process. */
  async anyOnline(visitors: VisitorKey[]): Promise<boolean> {
    if (!visitors.length) return false;
    const now = Date.now();
    const multi = this.redis.client.multi();
    for (const v of visitors) multi.zcount(keyOf(v), `(${now}`, '+inf');
    const results = (await multi.exec()) ?? [];
    return results.some(([err, count]) => !err && Number(count) > 0);
  }
}
