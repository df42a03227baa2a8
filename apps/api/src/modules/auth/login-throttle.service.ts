import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { sha256Hex } from '../../common/crypto/hash.js';
import { tooManyRequests } from '../../common/http/errors.js';
import { RedisService } from '../../common/redis/redis.module.js';

/**
 * Failed logins are counted per email across all replicas. After LOGIN_SLOWDOWN_AFTER failures every attempt is
 * delayed a little more; after LOGIN_MAX_FAILURES the email is locked for LOGIN_LOCK_SECONDS.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(email: string): string {
    return `login:fail:${sha256Hex(email.toLowerCase())}`;
  }

  async beforeAttempt(email: string): Promise<void> {
    const key = this.key(email);
    const [failures, ttl] = await Promise.all([this.redis.client.get(key), this.redis.client.ttl(key)]);
    const n = Number(failures ?? 0);
    if (n >= this.config.LOGIN_MAX_FAILURES) {
      const retry = Math.max(1, ttl);
      throw tooManyRequests(
        `Too many failed logins for this email; try again in ${Math.ceil(retry / 60)} minute(s)`,
        retry,
      );
    }
    const over = n - this.config.LOGIN_SLOWDOWN_AFTER + 1;
    if (over > 0) await sleep(Math.min(5_000, over * this.config.LOGIN_SLOWDOWN_MS));
  }

  async recordFailure(email: string): Promise<void> {
    const key = this.key(email);
    await this.redis.client.multi().incr(key).expire(key, this.config.LOGIN_LOCK_SECONDS).exec();
  }

  async recordSuccess(email: string): Promise<void> {
    await this.redis.client.del(this.key(email));
  }
}
