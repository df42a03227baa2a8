import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../channel-core.module.js';

/** Messenger and Instagram DM (one Meta webhook): outbound adapter (API and worker). */
@Module({ imports: [ChannelCoreModule] })
export class MetaAdapterModule {}

/** Messenger and Instagram DM (one Meta webhook) in the API: type handler (create, test, connect) and inbound webhook. */
@Module({ imports: [ChannelCoreModule, MetaAdapterModule] })
export class MetaChannelModule {}
