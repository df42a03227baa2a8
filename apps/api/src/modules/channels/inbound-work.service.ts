import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { requestContext } from '../../common/tenancy/request-context.js';

/**
 * Provider webhooks answer as soon as the request is verified (providers retry, or disable the webhook, when an
 * answer is slow); the verified payload is then stored here, after the answer, in the same process. A failure is
 * logged with the provider's name and never reaches the provider. Shutdown waits for the work still running, so a
 * deploy does not drop a message that was already acknowledged.
 */
@Injectable()
export class InboundWorkService implements OnApplicationShutdown {
  private readonly logger = new Logger('InboundWork');
  private readonly running = new Set<Promise<void>>();

  /** Runs `fn` after the current request's answer, in the request's context (request id, ip). */
  defer(label: string, fn: () => Promise<unknown>): void {
    const ctx = requestContext.get();
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => (ctx ? requestContext.run(ctx, fn) : fn()))
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
    await this.idle();
  }
}
