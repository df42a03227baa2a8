import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { Principal } from '../auth/principal.js';
import { QueueProducer } from './queue-producer.js';

/** Contact CSV imports: one job per import, id = import id, run by the worker (contact-import.worker.ts). */
export const CONTACT_IMPORT_QUEUE = 'contact-import';
export const CONTACT_IMPORT_JOB = 'contact-import';

export interface ContactImportJobData {
  tenantId: string;
  importId: string;
  /** Where the upload was stored (StorageDriver key, tenant-prefixed). */
  storageKey: string;
  defaultCountry?: string;
  /** Who started the import, for the audit entry written when it ends. */
  principal?: Principal;
  ip?: string | null;
}

/**
 * Three tries: a retry resumes after the last committed row (see ContactImportProcessor), so a worker crash or
 * a passing database error costs only the batch that was in flight.
 */
export const CONTACT_IMPORT_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** The producer side, used by the API once the upload is stored. */
@Injectable()
export class ContactImportQueue extends QueueProducer<ContactImportJobData> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super(config, CONTACT_IMPORT_QUEUE, CONTACT_IMPORT_JOB_OPTIONS);
  }

  async enqueue(data: ContactImportJobData): Promise<void> {
    await this.queue.add(CONTACT_IMPORT_JOB, data, { jobId: data.importId });
  }
}
