import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { coalesceRedisWrites } from '../../common/net/coalesce-writes.js';
import { redisWithin } from '../../common/redis/redis-deadline.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { RealtimePeers } from './realtime-peers.js';

/**
 * The Socket.IO Redis adapter needs a publishing and a subscribing connection of its own (a subscribed
 * connection can run no other command). The publishing one also holds presence counters. Neither uses ioredis'
 * keyPrefix: pub/sub channels are not keys, so the prefix is applied by hand (adapter `key`, presence keys).
 * They close last, after the HTTP server, so the sockets' final presence updates still reach Redis.
 */
@Injectable()
export class RealtimeRedis implements OnApplicationShutdown {
  private readonly logger = new Logger('RealtimeRedis');
  readonly pub: Redis;
  readonly sub: Redis;
  readonly prefix: string;
  /** The other API processes on this Redis: whether the adapter's broadcasts need publishing at all. */
  readonly peers: RealtimePeers;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.REDIS_KEY_PREFIX;
    this.pub = new Redis(config.REDIS_URL, {
      maxRetriesPerRequest: 2,
      commandTimeout: 2_000,
      connectTimeout: 5_000,
    });
    // The adapter publishes one message per emit; emits made in one delivery of domain events (a group-committed
    // batch's new_message events) leave in one write, at the end of that task rather than a loop iteration later.
    coalesceRedisWrites(this.pub, 'task');
    // No ready check: its INFO would race the adapter's SUBSCRIBE and be refused in subscriber mode.
    this.sub = new Redis(config.REDIS_URL, { connectTimeout: 5_000, enableReadyCheck: false });
    // The Socket.IO adapter fires its SUBSCRIBE/PSUBSCRIBE calls without handling their promises; against a Redis
    // that never answers they reject at shutdown as unhandled rejections. Mark them handled here; the adapter
    // still sees the same promise.
    for (const method of ['subscribe', 'psubscribe'] as const) {
      const original = this.sub[method].bind(this.sub) as (...args: unknown[]) => Promise<unknown>;
      (this.sub as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        const pending = original(...args);
        pending.catch(() => undefined);
        return pending;
      };
    }
    this.peers = new RealtimePeers(this.pub, this.sub, `${this.prefix}socket.io-peers`);
    for (const [name, client] of [
      ['pub', this.pub],
      ['sub', this.sub],
    ] as const) {
      let reported = false;
      client.on('error', (err: Error) => {
        // One line per outage, not one per reconnect attempt.
        if (!reported) this.logger.warn(`realtime ${name} connection: ${err.message}`);
        reported = true;
      });
      client.on('ready', () => (reported = false));
    }
  }

  /**
   * Resolves once every subscription issued so far is active: replies on one connection arrive in order, so when
   * a probe subscription is confirmed the adapter's earlier ones are too. (PING is refused on a connection that
   * is already in subscriber mode.)
   */
  async subscriptionsReady(timeoutMs = 2_000): Promise<void> {
    const probe = `${this.prefix}socket.io-ready#${randomUUID()}`;
    await redisWithin(this.sub.subscribe(probe), timeoutMs);
    await this.sub.unsubscribe(probe).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.peers.stop();
    // QUIT waits for Redis; a hung Redis must not hang shutdown, so fall back to dropping the connection.
    // The subscriber has nothing to flush and accepts no QUIT in subscriber mode: just drop it.
    this.sub.disconnect();
    await redisWithin(this.pub.quit(), 1_000).catch(() => this.pub.disconnect());
  }
}
