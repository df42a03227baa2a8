import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../channel-core.module.js';

/** WhatsApp Cloud API: outbound adapter (API and worker). */
@Module({ imports: [ChannelCoreModule] })
export class WhatsAppAdapterModule {}

/** WhatsApp Cloud API in the API: type handler (create, test, connect) and inbound webhook. */
@Module({ imports: [ChannelCoreModule, WhatsAppAdapterModule] })
export class WhatsAppChannelModule {}
