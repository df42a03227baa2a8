import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../../attachments/attachments.module.js';
import { ChannelCoreModule } from '../channel-core.module.js';
import { MetaChannelAdapter } from './meta-channel.adapter.js';
import { MetaChannelTypes } from './meta-channel.types.js';
import { MetaGraphClient } from './meta-graph.client.js';
import { MetaInboundProcessor } from './meta-inbound.processor.js';
import { MetaMediaFetcher } from './meta-media.fetcher.js';
import { MetaMessagesRepository } from './meta-messages.repository.js';
import { MetaProfiles } from './meta-profiles.js';
import { MetaSentMids } from './meta-sent-mids.js';
import { MetaWebhookController } from './meta-webhook.controller.js';
import { MetaWebhookService } from './meta-webhook.service.js';

/** Messenger and Instagram DM (one Meta webhook): outbound adapter (API and worker). */
@Module({
  imports: [ChannelCoreModule, AttachmentsModule],
  providers: [MetaGraphClient, MetaSentMids, MetaChannelAdapter],
  exports: [MetaGraphClient, MetaSentMids],
})
export class MetaAdapterModule {}

/** Messenger and Instagram DM (one Meta webhook) in the API: type handler (create, test, connect) and inbound webhook. */
@Module({
  imports: [ChannelCoreModule, MetaAdapterModule, AttachmentsModule],
  controllers: [MetaWebhookController],
  providers: [
    MetaChannelTypes,
    MetaWebhookService,
    MetaInboundProcessor,
    MetaMediaFetcher,
    MetaMessagesRepository,
    MetaProfiles,
  ],
})
export class MetaChannelModule {}
