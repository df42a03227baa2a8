import { Module } from '@nestjs/common';
import { ConversationWakeWorker } from './conversation-wake.worker.js';
import { ConversationsRepository } from './conversations.repository.js';

/** Worker process only: wake-up jobs of snoozed conversations and the sweep behind them. */
@Module({ providers: [ConversationWakeWorker, ConversationsRepository] })
export class ConversationWakeWorkerModule {}
