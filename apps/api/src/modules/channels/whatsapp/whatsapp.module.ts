import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../../attachments/attachments.module.js';
import { ChannelCoreModule } from '../channel-core.module.js';
import { WhatsAppAdapter } from './whatsapp.adapter.js';
import { WhatsAppGraphClient } from './whatsapp-graph.client.js';
import { WhatsAppInboundService } from './whatsapp-inbound.service.js';
import { WhatsAppChannelType } from './whatsapp.type.js';
import { WhatsAppWebhookController } from './whatsapp-webhook.controller.js';
import { WhatsAppWebhookService } from './whatsapp-webhook.service.js';

/** WhatsApp Cloud API: outbound adapter (API and worker); stored files go out as signed links. */
@Module({
  imports: [ChannelCoreModule, AttachmentsModule],
  providers: [WhatsAppGraphClient, WhatsAppAdapter],
  exports: [WhatsAppGraphClient, WhatsAppAdapter],
})
export class WhatsAppAdapterModule {}

/** WhatsApp Cloud API in the API: type handler (create, test, connect) and inbound webhook. */
@Module({
  imports: [ChannelCoreModule, AttachmentsModule, WhatsAppAdapterModule],
  controllers: [WhatsAppWebhookController],
  providers: [WhatsAppChannelType, WhatsAppWebhookService, WhatsAppInboundService],
})
export class WhatsAppChannelModule {}
