import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../../attachments/attachments.module.js';
import { AuditModule } from '../../audit/audit.module.js';
import { ChannelCoreModule } from '../channel-core.module.js';
import { WhatsAppQrAuthRepository } from './whatsapp-qr-auth.repository.js';
import { WhatsAppQrAuthStores } from './whatsapp-qr-auth-store.js';
import { WhatsAppQrAdapter } from './whatsapp-qr.adapter.js';
import { WhatsAppQrConnections } from './whatsapp-qr.connections.js';
import { WhatsAppQrController } from './whatsapp-qr.controller.js';
import { WhatsAppQrCoordination } from './whatsapp-qr.coordination.js';
import { WhatsAppQrDriver } from './whatsapp-qr.driver.js';
import { WhatsAppQrHostService } from './whatsapp-qr.host.js';
import { WhatsAppQrMedia } from './whatsapp-qr.media.js';
import { WhatsAppQrRealtime } from './whatsapp-qr.realtime.js';
import { WhatsAppQrService } from './whatsapp-qr.service.js';
import { WhatsAppQrSupervisor } from './whatsapp-qr.supervisor.js';
import { WhatsAppQrType } from './whatsapp-qr.type.js';

/**
 * WhatsApp through a linked device (Baileys plugin): the outbound adapter and the process's connection manager
 * it sends through. In the worker this one module instance serves both the outbound processor and the
 * supervisor, so a send goes straight into the live socket; in the API the manager is never started.
 */
@Module({
  imports: [ChannelCoreModule, AttachmentsModule],
  providers: [
    WhatsAppQrAuthRepository,
    WhatsAppQrAuthStores,
    WhatsAppQrCoordination,
    WhatsAppQrDriver,
    WhatsAppQrRealtime,
    WhatsAppQrHostService,
    WhatsAppQrConnections,
    WhatsAppQrMedia,
    WhatsAppQrAdapter,
  ],
  exports: [WhatsAppQrConnections, WhatsAppQrAuthStores, WhatsAppQrCoordination],
})
export class WhatsAppQrAdapterModule {}

/** WhatsApp through a linked device in the API: the type handler and the admins' link, status and logout routes. */
@Module({
  imports: [ChannelCoreModule, AuditModule, WhatsAppQrAdapterModule],
  controllers: [WhatsAppQrController],
  providers: [WhatsAppQrType, WhatsAppQrService],
})
export class WhatsAppQrChannelModule {}

/** WhatsApp through a linked device in the worker only: the supervisor that opens and keeps the connections. */
@Module({
  imports: [ChannelCoreModule, WhatsAppQrAdapterModule],
  providers: [WhatsAppQrSupervisor],
})
export class WhatsAppQrWorkerModule {}
