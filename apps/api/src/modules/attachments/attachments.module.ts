import { Module } from '@nestjs/common';
import { StorageModule } from '../../common/storage/storage.module.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AuditModule } from '../audit/audit.module.js';
import { AttachmentUrlSigner } from './attachment-url-signer.js';
import { AttachmentsController } from './attachments.controller.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { AttachmentsService } from './attachments.service.js';

@Module({
  imports: [AuditModule, StorageModule],
  controllers: [AttachmentsController],
  providers: [
    AttachmentsService,
    AttachmentsRepository,
    {
      provide: AttachmentUrlSigner,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) =>
        new AttachmentUrlSigner(
          Buffer.from(c.ENCRYPTION_KEY, 'base64'),
          c.PUBLIC_URL,
          c.ATTACHMENT_URL_TTL_SECONDS,
        ),
    },
  ],
  exports: [AttachmentsService],
})
export class AttachmentsModule {}
