import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAtColumn, tenantIdColumn } from './columns.js';

/** A tenant's endpoint that receives signed event deliveries (webhooks out). */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    url: text('url').notNull(),
    description: text('description'),
    /** Event types delivered to this endpoint (message.created, conversation.updated, ...). */
    events: text('events').array().notNull(),
    /** Signing secret, sealed with SecretBox (associated data: tenant id). */
    secret: text('secret').notNull(),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_tenant_created_idx').on(t.tenantId, t.createdAt, t.id)],
);

/** One event for one endpoint, retried with backoff until it succeeds or 24 hours have passed. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventType: text('event_type').notNull(),
    /** Stable across retries and re-sends, so receivers can deduplicate. */
    eventId: uuid('event_id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<'pending' | 'succeeded' | 'failed'>().notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastLatencyMs: integer('last_latency_ms'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('webhook_deliveries_tenant_endpoint_created_idx').on(t.tenantId, t.endpointId, t.createdAt, t.id),
    index('webhook_deliveries_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    // The delivery recovery sweep: only pending deliveries, a small fraction of the log.
    index('webhook_deliveries_tenant_pending_idx')
      .on(t.tenantId, t.createdAt)
      .where(sql`${t.status} = 'pending'`),
  ],
);

/** Every HTTP attempt of a delivery: status code, latency, error. */
export const webhookDeliveryAttempts = pgTable(
  'webhook_delivery_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    error: text('error'),
    createdAt: createdAtColumn(),
  },
  (t) => [index('webhook_delivery_attempts_tenant_delivery_idx').on(t.tenantId, t.deliveryId, t.attempt)],
);
