import { Global, Inject, Injectable, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { RedisService } from '../redis/redis.module.js';
import { TtlCache } from './ttl-cache.js';

/**
 * Process-local caches that every replica drops an entry from as soon as any replica changes the thing behind
 * it, through one Redis pub/sub channel. The TTL stays as the bound if a message is lost (Redis restarting).
 */
@Injectable()
export class CacheBus implements OnModuleDestroy {
  private readonly logger = new Logger('CacheBus');
  private readonly channel: string;
  private readonly caches = new Map<string, TtlCache<string, unknown>>();
  private subscriber?: Redis;

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    // Pub/sub channels are not keys, so ioredis' keyPrefix does not apply: the prefix is added here.
    this.channel = `${config.REDIS_KEY_PREFIX}cache-invalidate`;
  }

  /** A named cache whose entries are invalidated across replicas by `invalidate(name, key)`. */
  cache<V>(name: string, ttlMs: number, maxEntries?: number): TtlCache<string, V> {
    let cache = this.caches.get(name);
    if (!cache) {
      cache = new TtlCache<string, unknown>(ttlMs, maxEntries);
      this.caches.set(name, cache);
      this.subscribe();
    }
    return cache as TtlCache<string, V>;
  }

  /** Drops the entry here at once and on every other replica as soon as Redis delivers the message. */
  async invalidate(name: string, key: string): Promise<void> {
    this.caches.get(name)?.delete(key);
    await this.redis.client
      .publish(this.channel, JSON.stringify([name, key]))
      .catch((err: Error) =>
        this.logger.warn(`invalidation of ${name}:${key} not published: ${err.message}`),
      );
  }

  private subscribe(): void {
    if (this.subscriber) return;
    const sub = new Redis(this.config.REDIS_URL, { enableReadyCheck: false, connectTimeout: 5_000 });
    sub.on('error', () => undefined);
    // Whatever was cached while the subscription was down may have missed its invalidation.
    sub.on('ready', () => this.caches.forEach((c) => c.clear()));
    sub.on('message', (_channel: string, raw: string) => {
      try {
        const [name, key] = JSON.parse(raw) as [string, string];
        this.caches.get(name)?.delete(key);
      } catch {
        this.logger.warn('malformed cache invalidation message ignored');
      }
    });
    sub
      .subscribe(this.channel)
      .catch((err: Error) => this.logger.warn(`cache bus not subscribed: ${err.message}`));
    this.subscriber = sub;
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
  }
}

@Global()
@Module({ providers: [CacheBus], exports: [CacheBus] })
export class CacheBusModule {}
