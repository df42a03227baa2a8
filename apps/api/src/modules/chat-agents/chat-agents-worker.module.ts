import { Module } from '@nestjs/common';
import { ChatAgentActivity } from './chat-agent-activity.js';
import { ChatAgentEventsListener } from './chat-agent-events.listener.js';
import { ChatAgentHandoff } from './chat-agent-handoff.js';
import { ChatAgentReplyService } from './chat-agent-reply.service.js';
import { ChatAgentsCoreModule } from './chat-agents-core.module.js';
import { ChatAgentReplyQueue } from './queue/chat-agent-reply.queue.js';
import { ChatAgentReplyWorker } from './queue/chat-agent-reply.worker.js';

/**
 * Chat agents, worker side: the `chat-agent-reply` consumer (claim, answer, hand over). The worker ingests too
 * (email, linked WhatsApp devices), so it queues its own inbound messages as well. Assignment on handoff uses the
 * worker's AssignmentService (AssignmentWorkerModule).
 */
@Module({
  imports: [ChatAgentsCoreModule],
  providers: [
    ChatAgentActivity,
    ChatAgentEventsListener,
    ChatAgentReplyQueue,
    ChatAgentReplyWorker,
    ChatAgentReplyService,
    ChatAgentHandoff,
  ],
})
export class ChatAgentsWorkerModule {}
