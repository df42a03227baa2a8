import { Module } from '@nestjs/common';
import { AssignmentModule } from './assignment.module.js';
import { ConversationWakeQueue } from './conversation-wake.queue.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';

@Module({
  imports: [AssignmentModule],
  controllers: [ConversationsController],
  providers: [ConversationsService, ConversationsRepository, ConversationWakeQueue],
  exports: [ConversationsService],
})
export class ConversationsModule {}
