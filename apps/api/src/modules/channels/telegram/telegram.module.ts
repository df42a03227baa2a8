import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../../attachments/attachments.module.js';
import { ChannelCoreModule } from '../channel-core.module.js';
import { ChannelPipelineRepository } from '../channel-pipeline.repository.js';
import { TelegramBotApi } from './telegram-bot-api.js';
import { TelegramInboundService } from './telegram-inbound.service.js';
import { TelegramMediaService } from './telegram-media.service.js';
import { TelegramAdapter } from './telegram.adapter.js';
import { TelegramController } from './telegram.controller.js';
import { TelegramChannelType } from './telegram.type.js';

/** Telegram bots: the Bot API client and the outbound adapter (API and worker). */
@Module({
  imports: [ChannelCoreModule, AttachmentsModule],
  providers: [TelegramBotApi, TelegramAdapter],
  exports: [TelegramBotApi],
})
export class TelegramAdapterModule {}

/** Telegram bots in the API: type handler (create, test, connect) and inbound webhook. */
@Module({
  imports: [ChannelCoreModule, AttachmentsModule, TelegramAdapterModule],
  controllers: [TelegramController],
  providers: [TelegramChannelType, TelegramInboundService, TelegramMediaService, ChannelPipelineRepository],
})
export class TelegramChannelModule {}
