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
  /** False for failure counters: a guard compares their Redis count, so each failure counts exactly one. */
  lease: boolean;
  waiters: { limit: number; done: (r: RateLimitResult | null) => void }[];
}

/**
 * Counts this process took from Redis ahead of use (the window's counts base+1 … base+granted), served locally
 * until used up or the window ends.
 */
interface Lease {
  limit: number;
  guard?: string;
  base: number;
  granted: number;
  used: number;
  /** When the Redis window (and so the lease) ends, in Date.now() time. */
  endsAt: number;
}

/** Budgets this large are counted in leases: a busy webhook route makes one round trip per lease, not per hit. */
export const LEASE_MIN_LIMIT = 1000;
/** A lease is 1/200 of the budget (30 of the default 6,000 webhook budget), at most 100. */
export const leaseSize = (limit: number): number =>
  limit < LEASE_MIN_LIMIT ? 0 : Math.min(100, Math.floor(limit / 200));
const MAX_LEASES = 10_000;

type RedisWithHit = Redis & {
  rateLimitHit(
    key: string,
    guardKey: string,
    windowMs: number,
    hits: number,
  ): Promise<[number, number, number, number]>;
};

/**
 * Fixed-window counters in Redis, so every API replica shares one count per caller. Large budgets (webhook
 * routes: LEASE_MIN_LIMIT and up) are taken from Redis in leases of `leaseSize(limit)` counts that the process
 * then hands out itself: Redis never grants past the limit, so all replicas together still pass at most `limit`
 * per window; counts a replica leased but did not use by the window's end are lost to that window (at most one
 * lease per replica and identity, under 1% of the budget). A guard that trips in this process ends its leases.
 */
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
  /** Leases by identity and guard. */
  private readonly leases = new Map<string, Lease>();

  /**
   * Counts one request for `identity` against `limit` (RATE_LIMIT_MAX by default). With `guard`, the request is
   * also refused while that counter (filled by recordFailure) has reached RATE_LIMIT_MAX. Returns null when Redis
   * is unreachable: the limiter fails open rather than taking the API down with it.
   *
   * Hits made in the same turn of the event loop for the same identity are counted in one round trip (INCRBY by
   * their number); each gets the count it would have got alone, in call order.
   */
  hit(identity: string, guard?: string, limit = this.config.RATE_LIMIT_MAX): Promise<RateLimitResult | null> {
    const key = `${identity}\n${guard ?? ''}`;
    const leased = this.fromLease(key, limit);
    if (leased) return Promise.resolve(leased);
    return this.take(key, { identity, guard, lease: true }, limit);
  }

  private take(
    key: string,
    group: Omit<HitGroup, 'waiters'>,
    limit: number,
  ): Promise<RateLimitResult | null> {
    return new Promise((done) => {
      const pending = this.pending.get(key);
      if (pending) {
        pending.waiters.push({ limit, done });
        return;
      }
      if (this.pending.size === 0) setImmediate(() => this.flush());
      this.pending.set(key, { ...group, waiters: [{ limit, done }] });
    });
  }

  private flush(): void {
    const groups = [...this.pending.values()];
    this.pending.clear();
    for (const group of groups) void this.count(group);
  }

  private async count({ identity, guard, lease, waiters }: HitGroup): Promise<void> {
    try {
      const limit = waiters[0]!.limit;
      const extra = lease ? leaseSize(limit) : 0;
      const [counted, ttlMs, guardCount, guardTtlMs] = await this.redis.rateLimitHit(
        `rl:${identity}`,
        `rl:${guard ?? identity}`,
        this.config.RATE_LIMIT_WINDOW_SECONDS * 1000,
        waiters.length + extra,
      );
      // The waiters take the counts before the lease's.
      const total = counted - extra;
      const guarded = guard !== undefined && guardCount >= this.config.RATE_LIMIT_MAX;
      if (extra && !guarded && total < limit) {
        this.keepLease(`${identity}\n${guard ?? ''}`, {
          limit,
          guard,
          base: total,
          // Never past the limit: what lies beyond it was counted in Redis but is granted to nobody.
          granted: Math.min(extra, limit - total),
          used: 0,
          endsAt: Date.now() + ttlMs,
        });
      }
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
    const result = await this.take(
      `${identity}\n\nfailure`,
      { identity, lease: false },
      this.config.RATE_LIMIT_MAX,
    );
    // The guard has tripped: hits it guards go back to Redis, which refuses them until its window ends.
    if (result && result.remaining === 0) {
      for (const [key, lease] of this.leases) if (lease.guard === identity) this.leases.delete(key);
    }
  }

  /** The next count of a live lease of `key` for `limit`, or undefined (none, used up, or its window ended). */
  private fromLease(key: string, limit: number): RateLimitResult | undefined {
    const lease = this.leases.get(key);
    if (!lease) return undefined;
    const now = Date.now();
    if (lease.limit !== limit || lease.used >= lease.granted || now >= lease.endsAt) {
      this.leases.delete(key);
      return undefined;
    }
    lease.used++;
    const count = lease.base + lease.used;
    return {
      limit,
      remaining: Math.max(0, limit - count),
      resetSeconds: Math.max(1, Math.ceil((lease.endsAt - now) / 1000)),
      allowed: true,
    };
  }

  private keepLease(key: string, lease: Lease): void {
    if (this.leases.size >= MAX_LEASES) {
      const now = Date.now();
      for (const [k, l] of this.leases) if (now >= l.endsAt || l.used >= l.granted) this.leases.delete(k);
      // Still full of live leases: make room with the oldest.
      if (this.leases.size >= MAX_LEASES) this.leases.delete(this.leases.keys().next().value!);
    }
    this.leases.set(key, lease);
  }
}
