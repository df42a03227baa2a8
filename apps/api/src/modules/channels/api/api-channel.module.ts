import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../channel-core.module.js';
import { ApiChannelAdapter } from './api-channel.adapter.js';
import { ApiChannelController, ApiChannelInboundRoute } from './api-channel.controller.js';
import { ApiChannelService } from './api-channel.service.js';
import { ApiChannelType } from './api-channel.type.js';

/** The outbound half of the `api` channel: the signed-callback adapter. The worker needs only this. */
@Module({
  imports: [ChannelCoreModule],
  providers: [ApiChannelAdapter],
})
export class ApiChannelAdapterModule {}

/** The `api` channel type in the API: inbound webhook, delivery reports, and the adapter. */
@Module({
  imports: [ChannelCoreModule, ApiChannelAdapterModule],
  controllers: [ApiChannelController],
  providers: [ApiChannelService, ApiChannelType, ApiChannelInboundRoute],
})
export class ApiChannelModule {}
