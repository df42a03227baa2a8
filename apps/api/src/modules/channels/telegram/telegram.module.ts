import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../channel-core.module.js';

/** Telegram bots: outbound adapter (API and worker). */
@Module({ imports: [ChannelCoreModule] })
export class TelegramAdapterModule {}

/** Telegram bots in the API: type handler (create, test, connect) and inbound webhook. */
@Module({ imports: [ChannelCoreModule, TelegramAdapterModule] })
export class TelegramChannelModule {}
