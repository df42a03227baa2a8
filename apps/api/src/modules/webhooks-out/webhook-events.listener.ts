import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { WEBHOOK_EVENT_TYPES, type TWebhookEventPayload, type WebhookEventType } from '@orbitdesk/shared';
import { DomainEvents, type DomainEventMap } from '../../common/events/domain-events.js';
import { WebhooksQueue } from '../../common/queue/webhooks.queue.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { ActiveEndpointsCache } from './active-endpoints.cache.js';
import { WebhooksRepository } from './webhooks.repository.js';

/**
 * Turns each committed domain event into one delivery per active endpoint subscribed to it, then queues them.
 * Registered in the API and in the worker, because each process publishes its own events (the worker publishes
 * message.status); an event is published in exactly one process, so it is fanned out once.
 */
@Injectable()
export class WebhookEventsListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('WebhookEventsListener');
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly events: DomainEvents,
    private readonly tenantDb: TenantDb,
    private readonly repo: WebhooksRepository,
    private readonly queue: WebhooksQueue,
    private readonly endpoints: ActiveEndpointsCache,
  ) {}

  onModuleInit(): void {
    for (const type of WEBHOOK_EVENT_TYPES) {
      this.unsubscribe.push(this.events.on(type, (payload) => this.fanOut(type, payload)));
    }
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private fanOut<K extends WebhookEventType>(type: K, payload: DomainEventMap[K]): Promise<void> {
    const { tenantId, ...data } = payload;
    // Private notes never leave the platform.
    if ('message' in payload && payload.message.isPrivate) return Promise.resolve();
    return requestContext.run({ tenantId, requestId: `event:${type}` }, async () => {
      const endpoints = (await this.endpoints.forTenant(tenantId)).filter((e) => e.events.includes(type));
      if (!endpoints.length) return;
      const deliveries = await this.tenantDb.run(async (tx) => {
        // One event id for every endpoint and every retry: receivers deduplicate on it.
        const body: TWebhookEventPayload = {
          id: randomUUID(),
          type,
          createdAt: new Date().toISOString(),
          tenantId,
          data,
        };
        return this.repo.insertDeliveries(
          tx,
          endpoints.map((e) => ({
            tenantId,
            endpointId: e.id,
            eventType: type,
            eventId: body.id,
            payload: body,
          })),
        );
      });
      for (const d of deliveries) {
        // A delivery that cannot be queued stays pending in the log, where an admin can see and resend it.
        await this.queue
          .enqueue({ tenantId, deliveryId: d.id })
          .catch((err: Error) => this.logger.error(`delivery ${d.id} not queued: ${err.message}`));
      }
    });
  }
}
