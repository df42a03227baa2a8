import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ContactImportService } from './contact-import.service.js';
import { ContactsController } from './contacts.controller.js';
import { ContactsRepository } from './contacts.repository.js';
import { ContactsService } from './contacts.service.js';

@Module({
  imports: [AuditModule],
  controllers: [ContactsController],
  providers: [ContactsService, ContactImportService, ContactsRepository],
  exports: [ContactsService],
})
export class ContactsModule {}
