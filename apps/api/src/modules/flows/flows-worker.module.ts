import { Module } from '@nestjs/common';
import { OutboundQueue } from '../../common/queue/queue.module.js';
import { ConversationWakeQueue } from '../conversations/conversation-wake.queue.js';
import { ConversationsRepository } from '../conversations/conversations.repository.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { MessagesRepository } from '../messages/messages.repository.js';
import { MessagesService } from '../messages/messages.service.js';
import { NotificationsRepository } from '../notifications/notifications.repository.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { RealtimeRelayModule } from '../realtime/realtime.module.js';
import { FlowContextRepository } from './engine/flow-context.repository.js';
import { FlowExecutorService } from './engine/flow-executor.service.js';
import { CORE_NODE_HANDLERS } from './engine/nodes-core/core-nodes.js';
import { FlowSessionsRepository } from './flow-sessions.repository.js';
import { FlowsRepository } from './flows.repository.js';
import { FlowNodesModule } from './nodes/flow-nodes.module.js';
import { FlowRegistryModule } from './nodes/flow-registry.module.js';
import { FlowResumeQueue, FlowRunQueue } from './queue/flow-queues.js';
import { FlowResumeWorker } from './queue/flow-resume.worker.js';
import { FlowRunWorker } from './queue/flow-run.worker.js';
import { FlowWaitRecoveryWorker } from './queue/flow-wait-recovery.worker.js';
import { FlowActivity } from './triggers/flow-activity.js';
import { FlowEventsListener } from './triggers/flow-events.listener.js';
import { FlowTriggerService } from './triggers/flow-trigger.service.js';

/**
 * Flows, worker side: the `flow-run` and `flow-resume` consumers, the executor and the node handlers. Sends and
 * assignments go through the inbox's own services (provided here, as the worker has no HTTP modules), so they
 * are stored, queued, notified and published exactly like an agent's. The worker ingests too (email, linked
 * WhatsApp), so it also queues its own events.
 */
@Module({
  imports: [FlowRegistryModule, FlowNodesModule, RealtimeRelayModule],
  providers: [
    FlowsRepository,
    FlowSessionsRepository,
    FlowContextRepository,
    FlowExecutorService,
    FlowTriggerService,
    FlowRunQueue,
    FlowResumeQueue,
    FlowRunWorker,
    FlowResumeWorker,
    FlowWaitRecoveryWorker,
    FlowEventsListener,
    FlowActivity,
    ...CORE_NODE_HANDLERS,
    MessagesService,
    MessagesRepository,
    OutboundQueue,
    NotificationsService,
    NotificationsRepository,
    ConversationsService,
    ConversationsRepository,
    ConversationWakeQueue,
  ],
})
export class FlowsWorkerModule {}
