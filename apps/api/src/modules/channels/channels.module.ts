import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { UsersModule } from '../users/users.module.js';
import { ApiChannelModule } from './api/api-channel.module.js';
import { ChannelCoreModule } from './channel-core.module.js';
import { ChannelsController } from './channels.controller.js';
import { InboxesController } from './inboxes.controller.js';
import { ChannelsService } from './channels.service.js';
import { EmailChannelModule } from './email/email.module.js';
import { LiveChatChannelModule } from './live-chat/live-chat.module.js';
import { MetaChannelModule } from './meta/meta.module.js';
import { TelegramChannelModule } from './telegram/telegram.module.js';
import { TwilioSmsChannelModule } from './twilio-sms/twilio-sms.module.js';
import { WhatsAppChannelModule } from './whatsapp/whatsapp.module.js';
import { WhatsAppQrChannelModule } from './whatsapp-qr/whatsapp-qr.module.js';

/** Inbox administration plus every channel adapter module. */
@Module({
  imports: [
    UsersModule,
    AuditModule,
    ChannelCoreModule,
    ApiChannelModule,
    WhatsAppChannelModule,
    MetaChannelModule,
    TelegramChannelModule,
    TwilioSmsChannelModule,
    EmailChannelModule,
    LiveChatChannelModule,
    WhatsAppQrChannelModule,
  ],
  controllers: [ChannelsController, InboxesController],
  providers: [ChannelsService],
})
export class ChannelsModule {}
