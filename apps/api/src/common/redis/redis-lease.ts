import type { Redis } from 'ioredis';

/** Taken when free, kept (and extended) when this owner already holds it. */
const ACQUIRE = `local v = redis.call('get', KEYS[1])
if v == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if v then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
const REFRESH = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Leases in Redis: a key held by one owner (a process, say) for `ttlMs`, extended by its holder while it works.
 * One thing across every replica (a provider connection, a session) is run only by the process that holds its
 * key; a crashed holder's lease lapses after `ttlMs` and another can take it. Refresh and release act only while
 * the key still names this owner: an expired lease may already be someone else's.
 */
export class RedisLeases {
  constructor(
    private readonly client: () => Redis,
    readonly owner: string,
    readonly ttlMs: number,
  ) {}

  /** True when the lease was free (now taken) or already ours (now extended). */
  async acquire(key: string): Promise<boolean> {
    return (await this.client().eval(ACQUIRE, 1, key, this.owner, this.ttlMs)) === 1;
  }

  /** False when the lease expired or another owner took it: whatever it guarded must stop here. */
  async refresh(key: string): Promise<boolean> {
    return (await this.client().eval(REFRESH, 1, key, this.owner, this.ttlMs)) === 1;
  }

  async release(key: string): Promise<void> {
    await this.client().eval(RELEASE, 1, key, this.owner);
  }

  /** Whether anyone holds the lease right now. */
  async isHeld(key: string): Promise<boolean> {
    return (await this.client().exists(key)) === 1;
  }
}
