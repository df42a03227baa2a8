import { Injectable } from '@nestjs/common';
import {
  MAX_WEBHOOK_ENDPOINTS,
  WEBHOOK_SECRET_PREFIX,
  type TCreateWebhookEndpointRequest,
  type TListWebhookDeliveriesQuery,
  type TUpdateWebhookEndpointRequest,
  type TWebhookDelivery,
  type TWebhookDeliveryDetail,
  type TWebhookDeliveryPage,
  type TWebhookEndpoint,
  type TWebhookEndpointList,
  type TWebhookEndpointWithSecret,
  type TWebhookEventPayload,
  type WebhookEventType,
} from '@orbitdesk/shared';
import { randomToken } from '../../common/crypto/hash.js';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { SafeHttpClient } from '../../common/http-client/safe-http-client.js';
import { conflict, notFound } from '../../common/http/errors.js';
import { decodeCursor, toPage } from '../../common/http/pagination.js';
import { ActiveEndpointsCache } from './active-endpoints.cache.js';
import { WebhooksQueue } from '../../common/queue/webhooks.queue.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { AuditService } from '../audit/audit.service.js';
import {
  WebhooksRepository,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from './webhooks.repository.js';

/** `whsec_` + 32 random bytes, base64url. */
const newSecret = () => `${WEBHOOK_SECRET_PREFIX}${randomToken(32)}`;

export const toDeliveryDto = (d: WebhookDeliveryRow): TWebhookDelivery => ({
  id: d.id,
  endpointId: d.endpointId,
  eventId: d.eventId,
  eventType: d.eventType as WebhookEventType,
  status: d.status,
  attemptCount: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  lastLatencyMs: d.lastLatencyMs,
  nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

const toAttemptDto = (a: WebhookAttemptRow) => ({
  id: a.id,
  attempt: a.attempt,
  statusCode: a.statusCode,
  latencyMs: a.latencyMs,
  error: a.error,
  createdAt: a.createdAt.toISOString(),
});

/** Endpoint administration and the delivery log. Deliveries themselves are made by WebhookDeliveryProcessor. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: WebhooksRepository,
    private readonly secrets: SecretBox,
    private readonly http: SafeHttpClient,
    private readonly queue: WebhooksQueue,
    private readonly audit: AuditService,
    private readonly endpoints: ActiveEndpointsCache,
  ) {}

  async list(): Promise<TWebhookEndpointList> {
    const rows = await this.tenantDb.run((tx) => this.repo.listEndpoints(tx));
    return { items: rows.map((r) => this.toDto(r)) };
  }

  async get(id: string): Promise<TWebhookEndpoint> {
    return this.toDto(await this.tenantDb.run((tx) => this.endpointOr404(tx, id)));
  }

  async create(input: TCreateWebhookEndpointRequest): Promise<TWebhookEndpointWithSecret> {
    await this.http.assertAllowedUrlField(input.url, 'body.url');
    const tenantId = requestContext.tenantId();
    const secret = newSecret();
    const row = await this.tenantDb.run(async (tx) => {
      await this.repo.lockTenantEndpoints(tx, tenantId);
      if ((await this.repo.countEndpoints(tx)) >= MAX_WEBHOOK_ENDPOINTS) {
        throw conflict(`A workspace can have at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints`);
      }
      const created = await this.repo.insertEndpoint(tx, {
        tenantId,
        url: input.url,
        description: input.description || null,
        events: input.events,
        isActive: input.isActive,
        secret: this.secrets.encrypt(secret, tenantId),
      });
      await this.audit.record(tx, {
        action: 'webhook_endpoint.created',
        entityType: 'webhook_endpoint',
        entityId: created.id,
        metadata: { url: input.url, events: input.events },
      });
      return created;
    });
    await this.endpoints.invalidate(requestContext.tenantId());
    return { ...this.toDto(row), secret };
  }

  async update(id: string, input: TUpdateWebhookEndpointRequest): Promise<TWebhookEndpoint> {
    if (input.url !== undefined) await this.http.assertAllowedUrlField(input.url, 'body.url');
    const row = await this.tenantDb.run(async (tx) => {
      await this.endpointOr404(tx, id);
      const updated = await this.repo.updateEndpoint(tx, id, {
        url: input.url,
        description: input.description === undefined ? undefined : input.description || null,
        events: input.events,
        isActive: input.isActive,
      });
      await this.audit.record(tx, {
        action: 'webhook_endpoint.updated',
        entityType: 'webhook_endpoint',
        entityId: id,
        metadata: { fields: Object.keys(input) },
      });
      return updated!;
    });
    await this.endpoints.invalidate(requestContext.tenantId());
    return this.toDto(row);
  }

  /** Deletes the endpoint with its delivery log; queued deliveries find nothing to send. */
  async remove(id: string): Promise<TWebhookEndpoint> {
    const row = await this.tenantDb.run(async (tx) => {
      const existing = await this.endpointOr404(tx, id);
      await this.repo.deleteEndpoint(tx, id);
      await this.audit.record(tx, {
        action: 'webhook_endpoint.deleted',
        entityType: 'webhook_endpoint',
        entityId: id,
        metadata: { url: existing.url },
      });
      return existing;
    });
    await this.endpoints.invalidate(requestContext.tenantId());
    return this.toDto(row);
  }

  /** The old secret stops signing at once, including retries of deliveries already queued. */
  async rotateSecret(id: string): Promise<TWebhookEndpointWithSecret> {
    const tenantId = requestContext.tenantId();
    const secret = newSecret();
    const row = await this.tenantDb.run(async (tx) => {
      await this.endpointOr404(tx, id);
      const updated = await this.repo.updateEndpoint(tx, id, {
        secret: this.secrets.encrypt(secret, tenantId),
      });
      await this.audit.record(tx, {
        action: 'webhook_endpoint.secret_rotated',
        entityType: 'webhook_endpoint',
        entityId: id,
      });
      return updated!;
    });
    return { ...this.toDto(row), secret };
  }

  async listDeliveries(endpointId: string, q: TListWebhookDeliveriesQuery): Promise<TWebhookDeliveryPage> {
    const cursor = decodeCursor(q.cursor);
    const rows = await this.tenantDb.run(async (tx) => {
      await this.endpointOr404(tx, endpointId);
      return this.repo.listDeliveries(tx, { endpointId, cursor, limit: q.limit, status: q.status });
    });
    return toPage(rows, q.limit, toDeliveryDto);
  }

  async getDelivery(id: string): Promise<TWebhookDeliveryDetail> {
    const { delivery, attempts } = await this.tenantDb.run(async (tx) => {
      const found = await this.repo.findDelivery(tx, id);
      if (!found) throw notFound('Webhook delivery');
      return { delivery: found, attempts: await this.repo.listAttempts(tx, id) };
    });
    return {
      ...toDeliveryDto(delivery),
      payload: delivery.payload as TWebhookEventPayload,
      attempts: attempts.map(toAttemptDto),
    };
  }

  /**
   * Sends the same event (same event id and payload) again as a new delivery with its own attempts and its own
   * retry horizon. Allowed in any state (a pending one may be stuck or far into its backoff); receivers
   * deduplicate on the event id anyway, since delivery is at least once.
   */
  async resend(id: string): Promise<TWebhookDelivery> {
    const tenantId = requestContext.tenantId();
    const created = await this.tenantDb.run(async (tx) => {
      const original = await this.repo.findDelivery(tx, id);
      if (!original) throw notFound('Webhook delivery');
      const endpoint = await this.repo.findEndpoint(tx, original.endpointId);
      if (!endpoint?.isActive) throw conflict('The webhook endpoint is disabled; enable it first');
      const [row] = await this.repo.insertDeliveries(tx, [
        {
          tenantId,
          endpointId: original.endpointId,
          eventType: original.eventType,
          eventId: original.eventId,
          payload: original.payload,
        },
      ]);
      await this.audit.record(tx, {
        action: 'webhook_delivery.resent',
        entityType: 'webhook_delivery',
        entityId: row!.id,
        metadata: { resentFrom: id, eventId: original.eventId },
      });
      return row!;
    });
    await this.queue.enqueue({ tenantId, deliveryId: created.id });
    return toDeliveryDto(created);
  }

  private async endpointOr404(tx: TenantTx, id: string): Promise<WebhookEndpointRow> {
    const row = await this.repo.findEndpoint(tx, id);
    if (!row) throw notFound('Webhook endpoint');
    return row;
  }

  /** Refused up front so the admin learns at once; SafeHttpClient checks again on every connection. */
  private toDto(r: WebhookEndpointRow): TWebhookEndpoint {
    const secret = this.secrets.decrypt(r.secret, r.tenantId);
    return {
      id: r.id,
      url: r.url,
      description: r.description,
      events: r.events as WebhookEventType[],
      isActive: r.isActive,
      signingSecret: `${WEBHOOK_SECRET_PREFIX}${'*'.repeat(8)}${secret.slice(-4)}`,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }
}
