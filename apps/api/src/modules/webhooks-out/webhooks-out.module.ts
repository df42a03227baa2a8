import { Module } from '@nestjs/common';
import { WebhooksQueue } from '../../common/queue/webhooks.queue.js';
import { AuditModule } from '../audit/audit.module.js';
import { WebhookDeliveriesController } from './webhook-deliveries.controller.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { ActiveEndpointsCache } from './active-endpoints.cache.js';
import { WebhookEventsListener } from './webhook-events.listener.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** Webhooks out, API side: endpoint administration, the delivery log, and fan-out of the API's own events. */
@Module({
  imports: [AuditModule],
  controllers: [WebhookEndpointsController, WebhookDeliveriesController],
  providers: [
    WebhooksService,
    WebhooksRepository,
    WebhookEventsListener,
    ActiveEndpointsCache,
    WebhooksQueue,
  ],
})
export class WebhooksOutModule {}
