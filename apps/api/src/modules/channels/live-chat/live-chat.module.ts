import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../channel-core.module.js';

/** The live-chat widget: outbound adapter (API and worker). */
@Module({ imports: [ChannelCoreModule] })
export class LiveChatAdapterModule {}

/** The live-chat widget in the API: type handler (create, test, connect) and inbound webhook. */
@Module({ imports: [ChannelCoreModule, LiveChatAdapterModule] })
export class LiveChatChannelModule {}
