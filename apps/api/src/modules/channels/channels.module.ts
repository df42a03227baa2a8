import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { UsersModule } from '../users/users.module.js';
import { ApiChannelModule } from './api/api-channel.module.js';
import { ChannelCoreModule } from './channel-core.module.js';
import { ChannelsController } from './channels.controller.js';
import { ChannelsService } from './channels.service.js';

/** Inbox administration plus every channel adapter module. */
@Module({
  imports: [UsersModule, AuditModule, ChannelCoreModule, ApiChannelModule],
  controllers: [ChannelsController],
  providers: [ChannelsService],
})
export class ChannelsModule {}
