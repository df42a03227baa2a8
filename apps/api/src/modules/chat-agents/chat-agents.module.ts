import { Module } from '@nestjs/common';
import { AppointmentsModule } from '../appointments/appointments.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ContactsModule } from '../contacts/contacts.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { ChatAgentActivity } from './chat-agent-activity.js';
import { ChatAgentEventsListener } from './chat-agent-events.listener.js';
import { ChatAgentsCoreModule } from './chat-agents-core.module.js';
import { ChatAgentsController } from './chat-agents.controller.js';
import { ChatAgentsService } from './chat-agents.service.js';
import { ChatAgentReplyQueue } from './queue/chat-agent-reply.queue.js';
import { AiToolsController } from './tools/ai-tools.controller.js';
import { AiToolsGuard } from './tools/ai-tools.guard.js';
import { AiToolsRepository } from './tools/ai-tools.repository.js';
import { AiToolsService } from './tools/ai-tools.service.js';
import { ToolFlowRunQueue } from './tools/tool-flow-run.queue.js';

/**
 * Chat agents, API side: administration and previews, the tool callbacks of the AI service, and the listener
 * that queues inbound messages for the agents' replies (made in the worker, ChatAgentsWorkerModule).
 */
@Module({
  imports: [ChatAgentsCoreModule, AuditModule, ContactsModule, ConversationsModule, AppointmentsModule],
  controllers: [ChatAgentsController, AiToolsController],
  providers: [
    ChatAgentsService,
    ChatAgentActivity,
    ChatAgentEventsListener,
    ChatAgentReplyQueue,
    AiToolsService,
    AiToolsRepository,
    AiToolsGuard,
    ToolFlowRunQueue,
  ],
})
export class ChatAgentsModule {}
