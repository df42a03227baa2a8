import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../channel-core.module.js';
import { ApiChannelAdapter } from './api-channel.adapter.js';
import { ApiChannelController } from './api-channel.controller.js';
import { ApiChannelService } from './api-channel.service.js';

/** The `api` channel type: inbound webhook, delivery reports, and the signed-callback adapter. */
@Module({
  imports: [ChannelCoreModule],
  controllers: [ApiChannelController],
  providers: [ApiChannelService, ApiChannelAdapter],
})
export class ApiChannelModule {}
