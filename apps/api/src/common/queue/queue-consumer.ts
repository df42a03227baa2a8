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

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
