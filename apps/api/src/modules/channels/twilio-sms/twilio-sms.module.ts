import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../channel-core.module.js';

/** Twilio SMS: outbound adapter (API and worker). */
@Module({ imports: [ChannelCoreModule] })
export class TwilioSmsAdapterModule {}

/** Twilio SMS in the API: type handler (create, test, connect) and inbound webhook. */
@Module({ imports: [ChannelCoreModule, TwilioSmsAdapterModule] })
export class TwilioSmsChannelModule {}
