import { Injectable } from '@nestjs/common';
import { RealtimeRedis } from './realtime-redis.js';

// Decrement and drop the field at zero in one step, so a concurrent connect never sees a stale zero.
const LEAVE = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n`;

/**
 * Who is online, across every API process: one Redis hash per tenant, field = user id, value = that user's
 * open sockets. The atomic counter decides which connect is the first and which disconnect the last.
 */
@Injectable()
export class PresenceService {
  constructor(private readonly redis: RealtimeRedis) {}

  private key(tenantId: string): string {
    return `${this.redis.prefix}presence:${tenantId}`;
  }

  /** Counts one more socket; true when it is the user's first. */
  async socketOpened(tenantId: string, userId: string): Promise<boolean> {
    return (await this.redis.pub.hincrby(this.key(tenantId), userId, 1)) === 1;
  }

  /** Counts one socket fewer; true when it was the user's last. */
  async socketClosed(tenantId: string, userId: string): Promise<boolean> {
    return Number(await this.redis.pub.eval(LEAVE, 1, this.key(tenantId), userId)) <= 0;
  }

  async isOnline(tenantId: string, userId: string): Promise<boolean> {
    return Number(await this.redis.pub.hget(this.key(tenantId), userId)) > 0;
  }

  async onlineUsers(tenantId: string): Promise<string[]> {
    const counts = await this.redis.pub.hgetall(this.key(tenantId));
    return Object.keys(counts).filter((userId) => Number(counts[userId]) > 0);
  }
}
