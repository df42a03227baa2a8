import { Module } from '@nestjs/common';
import { ChannelCredentialsService } from './channel-credentials.service.js';
import { ChannelPipelineRepository } from './channel-pipeline.repository.js';
import { ChannelPipelineService } from './channel-pipeline.service.js';
import { ChannelRouterService } from './channel-router.service.js';
import { ChannelsRepository } from './channels.repository.js';
import { InboundChannelCache } from './inbound-channel-cache.js';
import { ChannelTypeRegistry } from './channel-type.js';
import { InboundWorkService } from './inbound-work.service.js';
import { ReadReceiptsListener } from './read-receipts.listener.js';

/**
 * What every channel adapter module builds on: the inbound pipeline, the outbound router, credentials.
 * Separate from ChannelsModule so adapter modules (and the worker) can import it without the admin routes.
 */
@Module({
  providers: [
    ChannelsRepository,
    ChannelCredentialsService,
    ChannelPipelineRepository,
    ChannelPipelineService,
    ChannelRouterService,
    ChannelTypeRegistry,
    InboundChannelCache,
    InboundWorkService,
    ReadReceiptsListener,
  ],
  exports: [
    ChannelsRepository,
    ChannelCredentialsService,
    ChannelPipelineService,
    ChannelRouterService,
    ChannelTypeRegistry,
    InboundChannelCache,
    InboundWorkService,
  ],
})
export class ChannelCoreModule {}
