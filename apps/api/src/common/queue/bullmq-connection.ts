import type { Logger } from '@nestjs/common';
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

/** How often a queue that keeps failing logs again (the commands that fail also fail their callers). */
const QUEUE_ERROR_LOG_EVERY_MS = 60_000;

/**
 * A BullMQ queue re-emits the errors of its connection (a Redis that hangs while the queue loads its scripts, say),
 * and BullMQ prints an error nobody listens for straight to stderr, stack and all. They go to the log instead: the
 * first at once, then at most one line a minute per queue, saying how many were left out.
 */
export function logQueueErrors(
  queue: { on(event: 'error', listener: (err: Error) => void): unknown },
  logger: Logger,
  name: string,
): void {
  let lastAt = -Infinity;
  let left = 0;
  queue.on('error', (err) => {
    const now = Date.now();
    if (now - lastAt < QUEUE_ERROR_LOG_EVERY_MS) {
      left++;
      return;
    }
    logger.warn(`queue ${name}: ${err.message}${left ? ` (and ${left} more since the last report)` : ''}`);
    lastAt = now;
    left = 0;
  });
}
