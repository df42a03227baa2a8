import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../../attachments/attachments.module.js';
import { ChannelCoreModule } from '../channel-core.module.js';
import { TwilioSmsAdapter } from './twilio-sms.adapter.js';
import { TwilioClientFactory } from './twilio-sms.client.js';
import { TwilioSmsController } from './twilio-sms.controller.js';
import { TwilioMediaFetcher } from './twilio-sms.media.js';
import { TwilioSmsWebhookService } from './twilio-sms.service.js';
import { TwilioSmsType } from './twilio-sms.type.js';

/** Twilio SMS: outbound adapter (API and worker). */
@Module({
  imports: [ChannelCoreModule, AttachmentsModule],
  providers: [TwilioClientFactory, TwilioSmsAdapter],
  exports: [TwilioClientFactory],
})
export class TwilioSmsAdapterModule {}

/** Twilio SMS in the API: type handler (create, test) and the inbound and status webhooks. */
@Module({
  imports: [ChannelCoreModule, AttachmentsModule, TwilioSmsAdapterModule],
  controllers: [TwilioSmsController],
  providers: [TwilioSmsType, TwilioSmsWebhookService, TwilioMediaFetcher],
})
export class TwilioSmsChannelModule {}
