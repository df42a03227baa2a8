import { Module } from '@nestjs/common';
import { StorageModule } from '../../common/storage/storage.module.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { ContactImportProcessor } from './contact-import.processor.js';
import { ContactImportWorker } from './contact-import.worker.js';
import { ContactsRepository } from './contacts.repository.js';

/**
 * Contact CSV imports, worker side: the `contact-import` queue consumer. Audit is provided directly: the worker
 * has no routes, so no AuditController.
 */
@Module({
  imports: [StorageModule],
  providers: [ContactImportProcessor, ContactImportWorker, ContactsRepository, AuditService, AuditRepository],
})
export class ContactImportWorkerModule {}
