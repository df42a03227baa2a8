import { z } from 'zod';
import { ZCursorQuery, ZIsoDate, ZPage } from './common.js';

/** The domain events a webhook endpoint can subscribe to. */
export const WEBHOOK_EVENT_TYPES = [
  'message.created',
  'message.status',
  'conversation.created',
  'conversation.updated',
  'contact.created',
  'contact.updated',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** Every endpoint multiplies each event into one delivery; the cap keeps that fan-out bounded. */
export const MAX_WEBHOOK_ENDPOINTS = 20;

/**
 * Headers of every delivery. The signature is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` keyed
 * with the endpoint's secret (the whole `whsec_…` string). Receivers recompute it over the raw request body,
 * compare in constant time, and reject timestamps more than 5 minutes from their clock.
 */
export const WEBHOOK_HEADERS = {
  event: 'OrbitDesk-Event',
  delivery: 'OrbitDesk-Delivery',
  signature: 'OrbitDesk-Signature',
} as const;

/** The JSON body POSTed to an endpoint. `id` stays the same across retries and re-sends: deduplicate on it. */
export const ZWebhookEventPayload = z.object({
  id: z.uuid(),
  type: z.enum(WEBHOOK_EVENT_TYPES),
  createdAt: ZIsoDate,
  tenantId: z.uuid(),
  data: z.record(z.string(), z.unknown()),
});
export type TWebhookEventPayload = z.infer<typeof ZWebhookEventPayload>;

export const ZWebhookEndpoint = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  isActive: z.boolean(),
  /** The signing secret masked to its last 4 characters. */
  signingSecret: z.string(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TWebhookEndpoint = z.infer<typeof ZWebhookEndpoint>;

/** Create and rotate-secret responses: the whole signing secret, shown this once. */
export const ZWebhookEndpointWithSecret = ZWebhookEndpoint.extend({ secret: z.string() });
export type TWebhookEndpointWithSecret = z.infer<typeof ZWebhookEndpointWithSecret>;

export const ZWebhookEndpointList = z.object({ items: z.array(ZWebhookEndpoint) });
export type TWebhookEndpointList = z.infer<typeof ZWebhookEndpointList>;

const ZWebhookUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
const ZWebhookEvents = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .refine((e) => new Set(e).size === e.length, 'events must not repeat');
const ZDescription = z.string().trim().max(500);

export const ZCreateWebhookEndpointRequest = z.strictObject({
  url: ZWebhookUrl,
  description: ZDescription.optional(),
  events: ZWebhookEvents,
  isActive: z.boolean().default(true),
});
export type TCreateWebhookEndpointRequest = z.infer<typeof ZCreateWebhookEndpointRequest>;

export const ZUpdateWebhookEndpointRequest = z
  .strictObject({
    url: ZWebhookUrl.optional(),
    /** null clears it. */
    description: ZDescription.nullable().optional(),
    events: ZWebhookEvents.optional(),
    isActive: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export type TUpdateWebhookEndpointRequest = z.infer<typeof ZUpdateWebhookEndpointRequest>;

export const ZWebhookDelivery = z.object({
  id: z.uuid(),
  endpointId: z.uuid(),
  eventId: z.uuid(),
  eventType: z.enum(WEBHOOK_EVENT_TYPES),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attemptCount: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastLatencyMs: z.number().int().nullable(),
  /** When the next retry is due; null once the delivery succeeded or failed. */
  nextAttemptAt: ZIsoDate.nullable(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TWebhookDelivery = z.infer<typeof ZWebhookDelivery>;

export const ZWebhookDeliveryAttempt = z.object({
  id: z.uuid(),
  attempt: z.number().int(),
  /** null when no HTTP answer came back (timeout, refused connection, blocked address). */
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().int(),
  error: z.string().nullable(),
  createdAt: ZIsoDate,
});
export type TWebhookDeliveryAttempt = z.infer<typeof ZWebhookDeliveryAttempt>;

export const ZWebhookDeliveryDetail = ZWebhookDelivery.extend({
  payload: ZWebhookEventPayload,
  attempts: z.array(ZWebhookDeliveryAttempt),
});
export type TWebhookDeliveryDetail = z.infer<typeof ZWebhookDeliveryDetail>;

export const ZListWebhookDeliveriesQuery = ZCursorQuery.extend({
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
});
export type TListWebhookDeliveriesQuery = z.infer<typeof ZListWebhookDeliveriesQuery>;

export const ZWebhookDeliveryPage = ZPage(ZWebhookDelivery);
export type TWebhookDeliveryPage = z.infer<typeof ZWebhookDeliveryPage>;
