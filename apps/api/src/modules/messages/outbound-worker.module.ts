import { Module } from '@nestjs/common';
import { ApiChannelAdapterModule } from '../channels/api/api-channel.module.js';
import { ChannelCoreModule } from '../channels/channel-core.module.js';
import { MessagesRepository } from './messages.repository.js';
import { OutboundProcessor } from './outbound.processor.js';

/** What the outbound processor needs in the worker process: the router and every adapter module. */
@Module({
  imports: [ChannelCoreModule, ApiChannelAdapterModule],
  providers: [OutboundProcessor, MessagesRepository],
  exports: [OutboundProcessor],
})
export class OutboundWorkerModule {}
