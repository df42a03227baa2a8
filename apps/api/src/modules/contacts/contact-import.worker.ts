import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullPrefix, createBullConnection } from '../../common/queue/bullmq-connection.js';
import { CONTACT_IMPORT_QUEUE, type ContactImportJobData } from '../../common/queue/contact-import.queue.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ContactImportProcessor } from './contact-import.processor.js';

/** The consumer of the `contact-import` queue, started with the worker process's Nest context and closed with it. */
@Injectable()
export class ContactImportWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ContactImportWorker');
  private connection?: Redis;
  private worker?: Worker<ContactImportJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly processor: ContactImportProcessor,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.connection = createBullConnection(this.config, 'worker');
    this.worker = new Worker<ContactImportJobData>(
      CONTACT_IMPORT_QUEUE,
      (job) => this.processor.process(job),
      {
        connection: this.connection,
        prefix: bullPrefix(this.config),
        // Each import is a long stream of batches; a few at a time keeps the pool free for the other queues.
        concurrency: 2,
      },
    );
    // Job failures are logged by the processor; this catches the worker's own connection errors.
    this.worker.on('error', (err) => this.logger.error(`worker error: ${err.message}`));
    // A job failed for good: normally the processor has already ended the import, but not when BullMQ gave up on
    // it without calling the processor (stalled too often).
    this.worker.on('failed', (job) => {
      if (!job) return;
      void job
        .isFailed()
        .then((final) => (final ? this.processor.abandon(job.data) : undefined))
        .catch((err: Error) => this.logger.error(`contact import ${job.id}: ${err.message}`));
    });
    await this.worker.waitUntilReady();
  }

  async onModuleDestroy(): Promise<void> {
    // Lets running imports finish, then releases Redis.
    await this.worker?.close();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}
