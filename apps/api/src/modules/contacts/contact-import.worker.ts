import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { CONTACT_IMPORT_QUEUE, type ContactImportJobData } from '../../common/queue/contact-import.queue.js';
import { QueueConsumer } from '../../common/queue/queue-consumer.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ContactImportProcessor } from './contact-import.processor.js';

/** The consumer of the `contact-import` queue. */
@Injectable()
export class ContactImportWorker
  extends QueueConsumer<ContactImportJobData>
  implements OnApplicationBootstrap
{
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly processor: ContactImportProcessor,
  ) {
    // Each import is a long stream of batches; a few at a time keeps the pool free for the other queues.
    super(config, CONTACT_IMPORT_QUEUE, { concurrency: 2 });
  }

  protected handle(job: Job<ContactImportJobData>): Promise<void> {
    return this.processor.process(job);
  }

  override async onApplicationBootstrap(): Promise<void> {
    await super.onApplicationBootstrap();
    this.abandonWhenFailedForGood((job) => this.processor.abandon(job.data));
  }
}
