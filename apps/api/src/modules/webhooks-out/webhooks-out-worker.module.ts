import { Module } from '@nestjs/common';
import { WebhooksQueue } from '../../common/queue/webhooks.queue.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor.js';
import { ActiveEndpointsCache } from './active-endpoints.cache.js';
import { WebhookEventsListener } from './webhook-events.listener.js';
import { WebhookRecoveryWorker } from './webhook-recovery.worker.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksWorker } from './webhooks.worker.js';

/**
 * Webhooks out, worker side: the `webhooks` queue consumer, the sweep that re-queues deliveries whose job was
 * lost, and fan-out of the events the worker publishes
 * (message.status after a send). Audit is provided directly: the worker has no routes, so no AuditController.
 */
@Module({
  providers: [
    WebhooksRepository,
    WebhooksQueue,
    WebhookEventsListener,
    ActiveEndpointsCache,
    WebhookDeliveryProcessor,
    WebhooksWorker,
    WebhookRecoveryWorker,
    AuditService,
    AuditRepository,
  ],
})
export class WebhooksOutWorkerModule {}
