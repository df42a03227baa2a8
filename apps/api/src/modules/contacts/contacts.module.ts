import { Module } from '@nestjs/common';
import { ContactImportQueue } from '../../common/queue/contact-import.queue.js';
import { StorageModule } from '../../common/storage/storage.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ContactImportService } from './contact-import.service.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';

@Module({
  imports: [AuditModule, StorageModule],
  controllers: [ContactsController],
  providers: [ContactsService, ContactImportService, ContactImportQueue, ContactsRepository],
  exports: [ContactsService],
})
export class ContactsModule {}
