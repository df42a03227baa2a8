import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RealtimeRedis } from './realtime-redis.js';

/** A live process refreshes its heartbeat this often; a crashed one's lapses after HEARTBEAT_TTL_MS. */
export const HEARTBEAT_EVERY_MS = 10_000;
export const HEARTBEAT_TTL_MS = 30_000;

/*
 * Keys (all under REDIS_KEY_PREFIX, passed to the scripts as ARGV[1]):
 *   presence:{tenant}:{instance}       hash: user id → that user's open sockets on that process
 *   presence:{tenant}:instances        set: processes holding counts in this tenant
 *   presence:instance:{id}             heartbeat, expires HEARTBEAT_TTL_MS after the process's last beat
 *   presence:instance:{id}:tenants     set: tenants the process holds counts in (for cleanup)
 *   presence:instances                 set: every process holding counts anywhere (for cleanup)
 * A user is online while some process whose heartbeat exists counts a socket of theirs. The scripts run
 * atomically, so of two processes connecting the same user at once exactly one sees the first socket. They touch
 * keys derived from their arguments, which a single Redis (not a cluster) allows.
 */
const HELPERS = `
local P = ARGV[1]
local function live(inst) return redis.call('EXISTS', P .. 'presence:instance:' .. inst) == 1 end
local function elsewhere(tenant, self, user)
  for _, inst in ipairs(redis.call('SMEMBERS', P .. 'presence:' .. tenant .. ':instances')) do
    if inst ~= self and live(inst) then
      if tonumber(redis.call('HGET', P .. 'presence:' .. tenant .. ':' .. inst, user) or '0') > 0 then return true end
    end
  end
  return false
end
`;

// ARGV: prefix, tenant, instance, user. Returns 1 when this is the user's first socket on any live process.
const OPEN = `${HELPERS}
local tenant, self, user = ARGV[2], ARGV[3], ARGV[4]
redis.call('SADD', P .. 'presence:' .. tenant .. ':instances', self)
redis.call('SADD', P .. 'presence:instance:' .. self .. ':tenants', tenant)
redis.call('SADD', P .. 'presence:instances', self)
local n = redis.call('HINCRBY', P .. 'presence:' .. tenant .. ':' .. self, user, 1)
if n > 1 or elsewhere(tenant, self, user) then return 0 end
return 1`;

// Decrement and drop the field at zero in one step, so a concurrent connect never sees a stale zero.
// Returns 1 when that was the user's last socket on any live process.
const CLOSE = `${HELPERS}
local tenant, self, user = ARGV[2], ARGV[3], ARGV[4]
local own = P .. 'presence:' .. tenant .. ':' .. self
local n = redis.call('HINCRBY', own, user, -1)
if n > 0 then return 0 end
redis.call('HDEL', own, user)
if redis.call('HLEN', own) == 0 then
  redis.call('SREM', P .. 'presence:' .. tenant .. ':instances', self)
  redis.call('SREM', P .. 'presence:instance:' .. self .. ':tenants', tenant)
end
if elsewhere(tenant, self, user) then return 0 end
return 1`;

// ARGV: prefix, tenant, user (empty: every user). Returns the users online in the tenant (or [user] / []).
const ONLINE = `${HELPERS}
local tenant, only = ARGV[2], ARGV[3]
local seen, out = {}, {}
for _, inst in ipairs(redis.call('SMEMBERS', P .. 'presence:' .. tenant .. ':instances')) do
  if live(inst) then
    local key = P .. 'presence:' .. tenant .. ':' .. inst
    if only ~= '' then
      if tonumber(redis.call('HGET', key, only) or '0') > 0 then return { only } end
    else
      local flat = redis.call('HGETALL', key)
      for i = 1, #flat, 2 do
        if tonumber(flat[i + 1]) > 0 and not seen[flat[i]] then
          seen[flat[i]] = true
          out[#out + 1] = flat[i]
        end
      end
    end
  end
end
return out`;

// ARGV: prefix, self. Removes the counts of every process (other than self) whose heartbeat has lapsed.
const CLEANUP = `${HELPERS}
local removed = 0
for _, inst in ipairs(redis.call('SMEMBERS', P .. 'presence:instances')) do
  if inst ~= ARGV[2] and not live(inst) then
    local tenants = P .. 'presence:instance:' .. inst .. ':tenants'
    for _, tenant in ipairs(redis.call('SMEMBERS', tenants)) do
      redis.call('DEL', P .. 'presence:' .. tenant .. ':' .. inst)
      redis.call('SREM', P .. 'presence:' .. tenant .. ':instances', inst)
    end
    redis.call('DEL', tenants)
    redis.call('SREM', P .. 'presence:instances', inst)
    removed = removed + 1
  end
end
return removed`;

/**
 * Who is online, across every API process. Each process counts its own sockets under its own instance id and
 * keeps a heartbeat key alive while it runs; counts of a process whose heartbeat lapsed (it crashed) are ignored
 * at once and deleted by the next cleanup, so its users do not stay "online" for round-robin assignment.
 * The worker uses this service read-only: it never starts a heartbeat.
 */
@Injectable()
export class PresenceService implements OnModuleDestroy {
  private readonly logger = new Logger('Presence');
  readonly instanceId = randomUUID();
  /** This process's own counts, to write back if its heartbeat lapsed and another process cleaned them up. */
  private readonly local = new Map<string, Map<string, number>>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly redis: RealtimeRedis) {}

  private get p(): string {
    return this.redis.prefix;
  }

  /** Starts this process's heartbeat (and the cleanup of crashed processes); the gateway calls it at boot. */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_EVERY_MS);
    this.timer.unref();
    await this.beat();
  }

  /** Stops the heartbeat and removes this process's entries; call after its sockets are counted out. */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    try {
      await this.redis.pub.del(`${this.p}presence:instance:${this.instanceId}`);
      await this.redis.pub.eval(CLEANUP, 0, this.p, '');
    } catch (err) {
      // Left behind, the entries are ignored once the heartbeat expires and removed by another process.
      this.logger.warn(`presence not cleared at shutdown: ${(err as Error).message}`);
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Refreshes the heartbeat; if it had lapsed, writes this process's counts back. Then clears dead processes. */
  async beat(): Promise<void> {
    try {
      const previous = await this.redis.pub.set(
        `${this.p}presence:instance:${this.instanceId}`,
        '1',
        'PX',
        HEARTBEAT_TTL_MS,
        'GET',
      );
      if (previous === null && this.local.size) await this.restore();
      await this.redis.pub.eval(CLEANUP, 0, this.p, this.instanceId);
    } catch (err) {
      this.logger.warn(`presence heartbeat failed: ${(err as Error).message}`);
    }
  }

  /** Counts one more socket; true when it is the user's first on any live process. */
  async socketOpened(tenantId: string, userId: string): Promise<boolean> {
    this.adjust(tenantId, userId, 1);
    return Number(await this.redis.pub.eval(OPEN, 0, this.p, tenantId, this.instanceId, userId)) === 1;
  }

  /** Counts one socket fewer; true when it was the user's last on any live process. */
  async socketClosed(tenantId: string, userId: string): Promise<boolean> {
    this.adjust(tenantId, userId, -1);
    return Number(await this.redis.pub.eval(CLOSE, 0, this.p, tenantId, this.instanceId, userId)) === 1;
  }

  async isOnline(tenantId: string, userId: string): Promise<boolean> {
    return ((await this.redis.pub.eval(ONLINE, 0, this.p, tenantId, userId)) as string[]).length > 0;
  }

  async onlineUsers(tenantId: string): Promise<string[]> {
    return (await this.redis.pub.eval(ONLINE, 0, this.p, tenantId, '')) as string[];
  }

  private adjust(tenantId: string, userId: string, by: number): void {
    const users = this.local.get(tenantId) ?? new Map<string, number>();
    const n = (users.get(userId) ?? 0) + by;
    if (n > 0) users.set(userId, n);
    else users.delete(userId);
    if (users.size) this.local.set(tenantId, users);
    else this.local.delete(tenantId);
  }

  /**
   * Replaces this process's counts in Redis with the ones it holds. Commands on one connection run in the order
   * sent, so scripts issued before this see the old state and those after see the restored one.
   */
  private async restore(): Promise<void> {
    const multi = this.redis.pub.multi();
    const tenants = `${this.p}presence:instance:${this.instanceId}:tenants`;
    multi.sadd(`${this.p}presence:instances`, this.instanceId);
    for (const [tenantId, users] of this.local) {
      const own = `${this.p}presence:${tenantId}:${this.instanceId}`;
      multi.del(own);
      multi.hset(own, Object.fromEntries(users));
      multi.sadd(`${this.p}presence:${tenantId}:instances`, this.instanceId);
      multi.sadd(tenants, tenantId);
    }
    await multi.exec();
    this.logger.warn(`presence heartbeat had lapsed; restored counts of ${this.local.size} tenant(s)`);
  }
}
