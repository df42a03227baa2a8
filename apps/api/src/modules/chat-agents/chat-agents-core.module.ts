import { Module } from '@nestjs/common';
import { QueueModule } from '../../common/queue/queue.module.js';
import { AiSettingsCoreModule } from '../ai-settings/ai-settings-core.module.js';
import { KnowledgeCoreModule } from '../knowledge/knowledge-core.module.js';
import { MessagesRepository } from '../messages/messages.repository.js';
import { AgentTurnBuilder } from './agent-turn.builder.js';
import { BotMessages } from './bot-messages.js';
import { ChatAgentsRepository } from './chat-agents.repository.js';

/**
 * What answering as an AI agent needs in any process (API, worker) and any caller (the reply pipeline, previews,
 * the flows' AI Response node): the agents' queries, the request to the AI service with retrieved knowledge, and
 * posting as the bot through the outbound queue.
 */
@Module({
  imports: [AiSettingsCoreModule, KnowledgeCoreModule, QueueModule],
  providers: [ChatAgentsRepository, AgentTurnBuilder, BotMessages, MessagesRepository],
  exports: [ChatAgentsRepository, AgentTurnBuilder, BotMessages],
})
export class ChatAgentsCoreModule {}
