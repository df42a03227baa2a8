import { Module } from '@nestjs/common';
import { ApiChannelModule } from '../channels/api/api-channel.module.js';
import { ChannelCoreModule } from '../channels/channel-core.module.js';
import { MessagesRepository } from './messages.repository.js';
import { OutboundProcessor } from './outbound.processor.js';

/** What the outbound processor needs in the worker process: the router and every adapter module. */
@Module({
  imports: [ChannelCoreModule, ApiChannelModule],
  providers: [OutboundProcessor, MessagesRepository],
  exports: [OutboundProcessor],
})
export class OutboundWorkerModule {}
