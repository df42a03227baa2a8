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

// One round trip: count ARGV[2] hits on KEYS[1] and read the window's remaining life (the first hits of a window
// start its timer); also read the guard counter KEYS[2] without counting on it.
const HIT_SCRIPT = `
local n = redis.call('INCRBY', KEYS[1], ARGV[2])
if n == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
local g = tonumber(redis.call('GET', KEYS[2]) or '0')
local gttl = redis.call('PTTL', KEYS[2])
return {n, ttl, g, gttl}
`;

/** The hits of one identity (and guard) waiting for the same round trip, each with its own limit, in call order. */
interface HitGroup {
  identity: string;
  guard?: string;
  waiters: { limit: number; done: (r: RateLimitResult | null) => void }[];
}

type RedisWithHit = Redis & {
  rateLimitHit(
    key: string,
    guardKey: string,
    windowMs: number,
    hits: number,
  ): Promise<[number, number, number, number]>;
};

/** Fixed-window counters in Redis, so every API replica shares one count per caller. */
@Injectable()
export class RateLimiterService {
  private readonly logger = new Logger('RateLimiter');
  private readonly redis: RedisWithHit;

  constructor(
    redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (!('rateLimitHit' in redis.client))
      redis.client.defineCommand('rateLimitHit', { numberOfKeys: 2, lua: HIT_SCRIPT });
    this.redis = redis.client as RedisWithHit;
  }

  /** Hits waiting for this turn's round trip to Redis, by identity and guard. */
  private pending = new Map<string, HitGroup>();

  /**
   * Counts one request for `identity` against `limit` (RATE_LIMIT_MAX by default). With `guard`, the request is
   * also refused while that counter (filled by recordFailure) has reached RATE_LIMIT_MAX. Returns null when Redis
   * is unreachable: the limiter fails open rather than taking the API down with it.
   *
   * Hits made in the same turn of the event loop for the same identity are counted in one round trip (INCRBY by
   * their number); each gets the count it would have got alone, in call order.
   */
  hit(identity: string, guard?: string, limit = this.config.RATE_LIMIT_MAX): Promise<RateLimitResult | null> {
    return new Promise((done) => {
      const key = `${identity}\n${guard ?? ''}`;
      const group = this.pending.get(key);
      if (group) {
        group.waiters.push({ limit, done });
        return;
      }
      if (this.pending.size === 0) setImmediate(() => this.flush());
      this.pending.set(key, { identity, guard, waiters: [{ limit, done }] });
    });
  }

  private flush(): void {
    const groups = [...this.pending.values()];
    this.pending.clear();
    for (const group of groups) void this.count(group);
  }

  private async count({ identity, guard, waiters }: HitGroup): Promise<void> {
    try {
      const [total, ttlMs, guardCount, guardTtlMs] = await this.redis.rateLimitHit(
        `rl:${identity}`,
        `rl:${guard ?? identity}`,
        this.config.RATE_LIMIT_WINDOW_SECONDS * 1000,
        waiters.length,
      );
      const guarded = guard !== undefined && guardCount >= this.config.RATE_LIMIT_MAX;
      const resetSeconds = Math.max(1, Math.ceil((guarded ? Math.max(guardTtlMs, ttlMs) : ttlMs) / 1000));
      waiters.forEach(({ limit, done }, i) => {
        const count = total - (waiters.length - 1 - i);
        done({
          limit,
          remaining: guarded ? 0 : Math.max(0, limit - count),
          resetSeconds,
          allowed: count <= limit && !guarded,
        });
      });
    } catch (err) {
      this.logger.warn(`rate limiter unavailable, allowing request: ${(err as Error).message}`);
      for (const { done } of waiters) done(null);
    }
  }

  /** Counts a failure (for example a wrong API key) against `identity` without answering anything. */
  async recordFailure(identity: string): Promise<void> {
    await this.hit(identity);
  }
}
