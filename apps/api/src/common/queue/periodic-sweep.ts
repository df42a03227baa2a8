import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../../config/app-config.js';
import { bullPrefix, createBullConnection, logQueueErrors } from './bullmq-connection.js';

export const SWEEP_JOB = 'sweep';
/** How often a sweep runs unless its subclass says otherwise. */
export const DEFAULT_SWEEP_EVERY_MS = 60_000;
/** Rows a sweep reads per page (`everyRow`) unless told otherwise. */
export const DEFAULT_SWEEP_PAGE = 500;

/**
 * A worker-side sweep run once at start and then every `everyMs` as a BullMQ job scheduler on a queue of its own,
 * so one worker runs it per tick however many workers there are. Subclasses implement `sweep` (idempotent: the
 * start-up run and a scheduled run may overlap on two workers).
 */
export abstract class PeriodicSweep implements OnApplicationBootstrap, OnModuleDestroy {
  protected readonly logger: Logger;
  private connection?: Redis;
  private queue?: Queue;
  private worker?: Worker;

  protected constructor(
    private readonly sweepConfig: AppConfig,
    private readonly queueName: string,
    private readonly everyMs: number = DEFAULT_SWEEP_EVERY_MS,
  ) {
    this.logger = new Logger(this.constructor.name);
  }

  /** Does one pass; returns how many items it acted on. */
  abstract sweep(): Promise<number>;

  /**
   * Calls `each` on every row `page` lists, `batch` rows at a time, each page after the last row of the one before
   * (keyset), and counts the rows for which `each` returned true.
   */
  protected async everyRow<T>(
    page: (limit: number, after: T | undefined) => Promise<T[]>,
    each: (row: T) => Promise<boolean>,
    batch = DEFAULT_SWEEP_PAGE,
  ): Promise<number> {
    let acted = 0;
    let after: T | undefined;
    for (;;) {
      const rows = await page(batch, after);
      for (const row of rows) if (await each(row)) acted++;
      if (rows.length < batch) return acted;
      after = rows.at(-1);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const connection = createBullConnection(this.sweepConfig, 'worker');
    this.connection = connection;
    const prefix = bullPrefix(this.sweepConfig);
    this.queue = new Queue(this.queueName, { connection, prefix });
    logQueueErrors(this.queue, this.logger, this.queueName);
    await this.queue.upsertJobScheduler(
      SWEEP_JOB,
      { every: this.everyMs },
      { name: SWEEP_JOB, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } },
    );
    this.worker = new Worker(this.queueName, () => this.sweep(), { connection, prefix });
    // A failed sweep is retried at the next tick; this catches the worker's own connection errors.
    this.worker.on('error', (err) => this.logger.error(`worker error: ${err.message}`));
    await this.worker.waitUntilReady();
    // A restarted worker catches up at once rather than at the scheduler's next tick.
    await this.sweep().catch((err: Error) => this.logger.error(`start-up sweep failed: ${err.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    // Lets a running sweep finish before Postgres (a global module, destroyed after this one) closes.
    await this.worker?.close();
    await this.queue?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
