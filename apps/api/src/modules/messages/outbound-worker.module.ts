import { Module } from '@nestjs/common';
import { OutboundQueue } from '../../common/queue/queue.module.js';
import { ApiChannelAdapterModule } from '../channels/api/api-channel.module.js';
import { ChannelCoreModule } from '../channels/channel-core.module.js';
import { EmailAdapterModule } from '../channels/email/email.module.js';
import { LiveChatAdapterModule } from '../channels/live-chat/live-chat.module.js';
import { MetaAdapterModule } from '../channels/meta/meta.module.js';
import { TelegramAdapterModule } from '../channels/telegram/telegram.module.js';
import { TwilioSmsAdapterModule } from '../channels/twilio-sms/twilio-sms.module.js';
import { WhatsAppAdapterModule } from '../channels/whatsapp/whatsapp.module.js';
import { WhatsAppQrAdapterModule } from '../channels/whatsapp-qr/whatsapp-qr.module.js';
import { MessagesRepository } from './messages.repository.js';
import { OutboundProcessor } from './outbound.processor.js';
import { OutboundRecoveryWorker } from './outbound-recovery.worker.js';

/**
 * What the outbound processor needs in the worker process: the router and every adapter module; and the sweep that
 * re-queues sends whose job was lost.
 */
@Module({
  imports: [
    ChannelCoreModule,
    ApiChannelAdapterModule,
    WhatsAppAdapterModule,
    MetaAdapterModule,
    TelegramAdapterModule,
    TwilioSmsAdapterModule,
    EmailAdapterModule,
    LiveChatAdapterModule,
    WhatsAppQrAdapterModule,
  ],
  providers: [OutboundProcessor, MessagesRepository, OutboundQueue, OutboundRecoveryWorker],
  exports: [OutboundProcessor],
})
export class OutboundWorkerModule {}
