import { Global, Module } from '@nestjs/common';
import { AiUnderstandingQueue } from '../../common/queue/ai-understanding.queue.js';
import { FlowMessageUnderstanding } from '../flows/nodes/flow-message-understanding.js';
import { AiUnderstandingListener } from './ai-understanding.listener.js';
import { MessageUnderstandingRepository } from './message-understanding.repository.js';
import { MessageUnderstandingService } from './message-understanding.service.js';

/**
 * What the API and the worker both run: the listener that queues inbound messages, and the classification
 * itself, which flows' Condition nodes use too (global, so FlowNodesModule finds FlowMessageUnderstanding).
 */
@Global()
@Module({
  providers: [
    AiUnderstandingQueue,
    AiUnderstandingListener,
    MessageUnderstandingRepository,
    MessageUnderstandingService,
    { provide: FlowMessageUnderstanding, useExisting: MessageUnderstandingService },
  ],
  exports: [MessageUnderstandingService, FlowMessageUnderstanding],
})
export class AiUnderstandingCoreModule {}
