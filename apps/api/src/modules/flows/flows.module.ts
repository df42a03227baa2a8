import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ConversationsModule } from '../conversations/conversations.module.js';
import { MessagesModule } from '../messages/messages.module.js';
import { RealtimeModule } from '../realtime/realtime.module.js';
import { FlowContextRepository } from './engine/flow-context.repository.js';
import { FlowExecutorService } from './engine/flow-executor.service.js';
import { CORE_NODE_HANDLERS } from './engine/nodes-core/core-nodes.js';
import { FlowSessionsRepository } from './flow-sessions.repository.js';
import { FlowsController } from './flows.controller.js';
import { FlowsRepository } from './flows.repository.js';
import { FlowsService } from './flows.service.js';
import { FlowNodesModule } from './nodes/flow-nodes.module.js';
import { FlowRegistryModule } from './nodes/flow-registry.module.js';
import { FlowResumeQueue, FlowRunQueue } from './queue/flow-queues.js';
import { FlowActivity } from './triggers/flow-activity.js';
import { FlowEventsListener } from './triggers/flow-events.listener.js';
import { FlowWebhookController } from './webhook/flow-webhook.controller.js';
import { FlowWebhookService } from './webhook/flow-webhook.service.js';

/**
 * Flows, API side: administration, the public webhook trigger, test runs (executed here; they send nothing),
 * and the listener that queues events for the worker. Real runs happen in the worker (FlowsWorkerModule).
 */
@Module({
  imports: [
    FlowRegistryModule,
    FlowNodesModule,
    AuditModule,
    MessagesModule,
    ConversationsModule,
    RealtimeModule,
  ],
  controllers: [FlowsController, FlowWebhookController],
  providers: [
    FlowsService,
    FlowsRepository,
    FlowSessionsRepository,
    FlowContextRepository,
    FlowExecutorService,
    FlowRunQueue,
    FlowResumeQueue,
    FlowEventsListener,
    FlowActivity,
    FlowWebhookService,
    ...CORE_NODE_HANDLERS,
  ],
})
export class FlowsModule {}
