import { Global, Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

/** The shared ioredis client. Keys are prefixed with REDIS_KEY_PREFIX so several deployments can share a Redis. */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly client: Redis;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.client = new Redis(config.REDIS_URL, {
      keyPrefix: config.REDIS_KEY_PREFIX,
      maxRetriesPerRequest: 2,
      // A Redis that accepts connections but never answers must not hang requests (the rate limiter fails open).
      commandTimeout: 2_000,
      connectTimeout: 5_000,
      enableOfflineQueue: true,
      lazyConnect: false,
    });
    // Errors surface on the commands that fail; without a listener ioredis would also print each reconnect attempt.
    this.client.on('error', () => undefined);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async onModuleDestroy(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
