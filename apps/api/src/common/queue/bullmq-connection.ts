import { Redis } from 'ioredis';
import type { AppConfig } from '../../config/app-config.js';

/**
 * BullMQ needs connections of its own: it namespaces keys itself, so ioredis' keyPrefix (used by RedisService) is
 * not allowed here. A worker's blocking commands must wait forever (maxRetriesPerRequest: null); a producer runs
 * inside HTTP requests, so its commands time out and a hung Redis fails the request instead of hanging it.
 */
export function createBullConnection(config: AppConfig, role: 'producer' | 'worker'): Redis {
  const connection = new Redis(
    config.REDIS_URL,
    role === 'worker'
      ? { maxRetriesPerRequest: null }
      : { maxRetriesPerRequest: 1, commandTimeout: 5_000, connectTimeout: 5_000 },
  );
  // Errors surface on the commands that fail; without a listener ioredis prints every reconnect attempt.
  connection.on('error', () => undefined);
  return connection;
}

/** Queue keys live under the deployment's REDIS_KEY_PREFIX like every other key: `<prefix>bull:<queue>:…`. */
export const bullPrefix = (config: AppConfig): string => `${config.REDIS_KEY_PREFIX}bull`;
