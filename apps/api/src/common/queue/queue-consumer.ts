import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../../config/app-config.js';
import { bullPrefix, createBullConnection } from './bullmq-connection.js';

/**
 * The consumer of one BullMQ queue, on a connection of its own, started with the worker process's Nest context
 * and closed with it (running jobs finish first). Subclasses provide `handle`.
 */
export abstract class QueueConsumer<T> implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger: Logger;
  private connection?: Redis;
  protected worker?: Worker<T>;

  protected constructor(
    protected readonly config: AppConfig,
    private readonly queueName: string,
    private readonly options: Omit<WorkerOptions, 'connection' | 'prefix'>,
  ) {
    this.logger = new Logger(new.target.name);
  }

  protected abstract handle(job: Job<T>): Promise<void>;

  async onApplicationBootstrap(): Promise<void> {
    this.connection = createBullConnection(this.config, 'worker');
    this.worker = new Worker<T>(this.queueName, (job) => this.handle(job), {
      ...this.options,
      connection: this.connection,
      prefix: bullPrefix(this.config),
    });
    // Job failures are handled and logged by the processors; this catches the worker's own connection errors.
    this.worker.on('error', (err) => this.logger.error(`worker error: ${err.message}`));
    await this.worker.waitUntilReady();
  }

  /**
   * Calls `abandon` once BullMQ has failed a job for good: normally the processor has ended what the job tracks (an
   * import, a knowledge source) by then, but not when BullMQ gave up on it without calling the processor (stalled
   * too often), and that must not stay in progress forever. Call after `onApplicationBootstrap` made the worker.
   */
  protected abandonWhenFailedForGood(abandon: (job: Job<T>) => Promise<unknown>): void {
    this.worker?.on('failed', (job) => {
      if (!job) return;
      void job
        .isFailed()
        .then((final) => (final ? abandon(job) : undefined))
        .catch((err: Error) => this.logger.error(`job ${job.id}: ${err.message}`));
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
