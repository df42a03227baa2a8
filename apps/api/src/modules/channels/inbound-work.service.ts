import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestContext } from '../../common/tenancy/request-context.js';
import { isTransientDbError } from '../../db/query-helpers.js';

/** Waits between tries of work that failed on a transient error: quick at first, then every 15 s. */
const RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000];
/** How long acknowledged work keeps being retried (a Postgres restart or failover takes seconds to a minute). */
export const INBOUND_RETRY_WINDOW_MS = 3 * 60_000;

/**
 * Provider webhooks answer as soon as the request is verified (providers retry, or disable the webhook, when an
 * answer is slow); the verified payload is then stored here, after the answer, in the same process. The provider
 * will not send it again, so work that fails on a transient error (Postgres down, restarting, refusing or out of
 * connections, a deadlock) is tried again with backoff for INBOUND_RETRY_WINDOW_MS; storing is idempotent (a
 * provider message id is stored once), so a retry after a partial success stores nothing twice. Any other failure
 * is logged with the provider's name at once and never reaches the provider. Shutdown waits for the work still
 * running, and gives work waiting for a retry one last try, so a deploy does not drop a message that was already
 * acknowledged.
 */
@Injectable()
export class InboundWorkService implements OnApplicationShutdown {
  private readonly logger = new Logger('InboundWork');
  private readonly running = new Set<Promise<void>>();
  /** Aborted at shutdown: cuts the backoff waits short, and no retry is planned after it. */
  private readonly closing = new AbortController();
  /** How long transient failures are retried (tests shorten it). */
  retryWindowMs = INBOUND_RETRY_WINDOW_MS;

  /** Runs `fn` after the current request's answer, in the request's context (request id, ip). */
  defer(label: string, fn: () => Promise<unknown>): void {
    const ctx = requestContext.get();
    const run = () => (ctx ? requestContext.run(ctx, fn) : fn());
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.withRetries(label, run))
      .then(
        () => undefined,
        (err: Error) => this.logger.error(`${label}: ${err.stack ?? err.message}`),
      )
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Resolves when everything deferred so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing.abort();
    await this.idle();
  }

  private async withRetries(label: string, run: () => Promise<unknown>): Promise<void> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await run();
        if (attempt > 0) this.logger.log(`${label}: stored on try ${attempt + 1}`);
        return;
      } catch (err) {
        const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
        const retry =
          isTransientDbError(err) &&
          !this.closing.signal.aborted &&
          Date.now() - started + delay <= this.retryWindowMs;
        if (!retry) throw err;
        this.logger.warn(`${label}: ${(err as Error).message}; trying again in ${delay} ms`);
        // Shutdown cuts the wait short: the work then gets its last try at once.
        await sleep(delay, undefined, { signal: this.closing.signal }).catch(() => undefined);
      }
    }
  }
}
