import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { RedisService } from '../redis/redis.module.js';

export interface RateLimitResult {
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
  allowed: boolean;
}

// One round trip: count this hit and read the window's remaining life. The first hit of a window starts its timer.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
`;

type RedisWithHit = Redis & { rateLimitHit(key: string, windowMs: number): Promise<[number, number]> };

/** Fixed-window counters in Redis, so every API replica shares one count per caller. */
@Injectable()
export class RateLimiterService {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: RedisWithHit;

  constructor(
    redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (!('rateLimitHit' in redis.client)) redis.client.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.redis = redis.client as RedisWithHit;
  }

  /** Returns null when Redis is unreachable: the limiter fails open rather than taking the API down with it. */
  async hit(identity: string, limit = this.config.RATE_LIMIT_MAX, windowSeconds = this.config.RATE_LIMIT_WINDOW_SECONDS): Promise<RateLimitResult | null> {
    try {
      const [count, ttlMs] = await this.redis.rateLimitHit(`rl:${identity}`, windowSeconds * 1000);
      return {
        limit,
        remaining: Math.max(0, limit - count),
        resetSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
        allowed: count <= limit,
      };
    } catch (err) {
      this.logger.warn(`rate limiter unavailable, allowing request: ${(err as Error).message}`);
      return null;
    }
  }
}
