import { Module } from '@nestjs/common';
import { ChannelCoreModule } from '../channel-core.module.js';

/** Email (IMAP in, SMTP out): outbound adapter (API and worker). */
@Module({ imports: [ChannelCoreModule] })
export class EmailAdapterModule {}

/** Email (IMAP in, SMTP out) in the API: type handler (create, test, connect) and inbound webhook. */
@Module({ imports: [ChannelCoreModule, EmailAdapterModule] })
export class EmailChannelModule {}

/** Email (IMAP in, SMTP out) in the worker only: the IMAP pollers. */
@Module({ imports: [ChannelCoreModule, EmailAdapterModule] })
export class EmailWorkerModule {}
