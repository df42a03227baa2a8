import { Module } from '@nestjs/common';
import { AttachmentsModule } from '../../attachments/attachments.module.js';
import { ChannelCoreModule } from '../channel-core.module.js';
import { EmailChannelAdapter } from './email-channel.adapter.js';
import { EmailChannelType } from './email-channel.type.js';
import { EmailIdleWatcher } from './email-idle.watcher.js';
import { EmailInboundService } from './email-inbound.service.js';
import { EmailMailboxPoller } from './email-mailbox.poller.js';
import { EmailPollLock } from './email-poll-lock.js';
import { EmailPollScheduler } from './email-poll.scheduler.js';
import { EmailThreadsRepository } from './email-threads.repository.js';

/** Email (IMAP in, SMTP out): the SMTP adapter (API and worker). */
@Module({
  imports: [ChannelCoreModule, AttachmentsModule],
  providers: [EmailChannelAdapter, EmailThreadsRepository],
  exports: [EmailThreadsRepository],
})
export class EmailAdapterModule {}

/** Email in the API: the type handler (create, test, details). Mail comes in through the worker's pollers. */
@Module({
  imports: [ChannelCoreModule, EmailAdapterModule],
  providers: [EmailChannelType],
})
export class EmailChannelModule {}

/** Email in the worker only: the IMAP pollers, one schedule (and IDLE connection) per active inbox. */
@Module({
  imports: [ChannelCoreModule, EmailAdapterModule, AttachmentsModule],
  providers: [EmailInboundService, EmailMailboxPoller, EmailPollLock, EmailIdleWatcher, EmailPollScheduler],
  exports: [EmailMailboxPoller, EmailPollScheduler],
})
export class EmailWorkerModule {}
