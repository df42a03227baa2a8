import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../channel-core.module.js';

/** WhatsApp through a linked device (Baileys plugin): outbound adapter (API and worker). */
@Module({ imports: [ChannelCoreModule] })
export class WhatsAppQrAdapterModule {}

/** WhatsApp through a linked device (Baileys plugin) in the API: type handler (create, test, connect) and inbound webhook. */
@Module({ imports: [ChannelCoreModule, WhatsAppQrAdapterModule] })
export class WhatsAppQrChannelModule {}

/** WhatsApp through a linked device (Baileys plugin) in the worker only: the linked-device connections. */
@Module({ imports: [ChannelCoreModule, WhatsAppQrAdapterModule] })
export class WhatsAppQrWorkerModule {}
