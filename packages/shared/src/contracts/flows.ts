import { z } from 'zod';
import { ZCursorQuery, ZIsoDate, ZPage } from './common.js';
import { ZFlowGraph, ZFlowGraphProblem } from './flow-graph.js';

export const FLOW_STATUSES = ['DRAFT', 'ACTIVE', 'PAUSED', 'ARCHIVED'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

export const FLOW_TRIGGER_TYPES = [
  'message_received',
  'keyword',
  'contact_created',
  'tag_added',
  'manual',
  'webhook',
] as const;
export type FlowTriggerType = (typeof FLOW_TRIGGER_TYPES)[number];

export const FLOW_SESSION_STATUSES = ['running', 'waiting', 'completed', 'failed'] as const;
export type FlowSessionStatus = (typeof FLOW_SESSION_STATUSES)[number];
/** What a waiting session waits for: a point in time (Delay) or the contact's next message (Wait for Reply). */
export const FLOW_WAITING_KINDS = ['delay', 'reply'] as const;
export type FlowWaitingKind = (typeof FLOW_WAITING_KINDS)[number];

const ZChannelFilter = z.array(z.uuid()).max(50).optional();

/** When a flow starts. `settings` depend on `type`. */
export const ZFlowTrigger = z.discriminatedUnion('type', [
  /** Any inbound message (optionally only on some inboxes): the catch-all, below every keyword flow. */
  z.strictObject({
    type: z.literal('message_received'),
    settings: z.strictObject({ channelIds: ZChannelFilter }).default({}),
  }),
  /** An inbound message matching one of the keywords, case-insensitive. */
  z.strictObject({
    type: z.literal('keyword'),
    settings: z.strictObject({
      keywords: z.array(z.string().trim().min(1).max(200)).min(1, 'needs at least one keyword').max(100),
      match: z.enum(['exact', 'contains']).default('exact'),
      channelIds: ZChannelFilter,
    }),
  }),
  z.strictObject({ type: z.literal('contact_created'), settings: z.strictObject({}).default({}) }),
  /** One of these tags was added to a contact. */
  z.strictObject({
    type: z.literal('tag_added'),
    settings: z.strictObject({
      tags: z.array(z.string().trim().min(1).max(100)).min(1, 'needs at least one tag').max(50),
    }),
  }),
  z.strictObject({ type: z.literal('manual'), settings: z.strictObject({}).default({}) }),
  /** POST /api/v1/webhooks/{token}; the token is made when the trigger becomes a webhook. */
  z.strictObject({
    type: z.literal('webhook'),
    settings: z
      .strictObject({
        /**
         * Who the run is for: the contact with this address on the inbox (created when new), and their latest
         * conversation there (opened when none), so Send Message and the other contact nodes work in webhook
         * runs. `identifier` (and `name`) are templates over the request: `{{webhook.body.phone}}`.
         */
        contact: z
          .strictObject({
            inboxId: z.uuid(),
            identifier: z.string().trim().min(1).max(512),
            name: z.string().trim().max(512).optional(),
          })
          .optional(),
      })
      .default({}),
  }),
]);
export type TFlowTrigger = z.infer<typeof ZFlowTrigger>;

export const ZFlow = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(FLOW_STATUSES),
  trigger: ZFlowTrigger,
  priority: z.number().int(),
  graph: ZFlowGraph,
  publishedVersionId: z.uuid().nullable(),
  publishedVersion: z.number().int().nullable(),
  /** Where outside systems POST to start the flow (webhook trigger only). */
  webhookUrl: z.string().nullable(),
  /** Whether webhook calls must be signed (the secret itself is never shown back). */
  webhookSecretSet: z.boolean(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TFlow = z.infer<typeof ZFlow>;

const ZFlowName = z.string().trim().min(1).max(200);
const ZFlowPriority = z.number().int().min(-1000).max(1000);

export const ZCreateFlowRequest = z.strictObject({
  name: ZFlowName,
  description: z.string().max(2000).nullable().optional(),
  trigger: ZFlowTrigger,
  priority: ZFlowPriority.default(0),
  /** Defaults to an empty canvas; a given graph must be valid (400 lists each problem with its node id). */
  graph: ZFlowGraph.optional(),
});
export type TCreateFlowRequest = z.infer<typeof ZCreateFlowRequest>;

export const ZUpdateFlowRequest = z.strictObject({
  name: ZFlowName.optional(),
  description: z.string().max(2000).nullable().optional(),
  trigger: ZFlowTrigger.optional(),
  priority: ZFlowPriority.optional(),
  graph: ZFlowGraph.optional(),
  /** ACTIVE needs a published version; DRAFT is only the state before the first publish. */
  status: z.enum(['ACTIVE', 'PAUSED', 'ARCHIVED']).optional(),
});
export type TUpdateFlowRequest = z.infer<typeof ZUpdateFlowRequest>;

export const ZListFlowsQuery = ZCursorQuery.extend({ status: z.enum(FLOW_STATUSES).optional() });
export type TListFlowsQuery = z.infer<typeof ZListFlowsQuery>;
export const ZFlowPage = ZPage(ZFlow);
export type TFlowPage = z.infer<typeof ZFlowPage>;

/** The 400 details of an invalid graph: every problem, each with its node id. */
export const ZFlowGraphErrorDetails = z.object({ problems: z.array(ZFlowGraphProblem) });

export const ZFlowVersion = z.object({
  id: z.uuid(),
  version: z.number().int(),
  graph: ZFlowGraph,
  createdAt: ZIsoDate,
});
export type TFlowVersion = z.infer<typeof ZFlowVersion>;
export const ZFlowVersionList = z.object({ items: z.array(ZFlowVersion) });
export type TFlowVersionList = z.infer<typeof ZFlowVersionList>;

export const ZFlowWebhookSecretRequest = z.strictObject({
  /** The HMAC-SHA256 key callers sign with; null stops requiring signatures. */
  secret: z.string().min(16, 'must be at least 16 characters').max(256).nullable(),
});
export type TFlowWebhookSecretRequest = z.infer<typeof ZFlowWebhookSecretRequest>;

export const ZTriggerFlowRequest = z.strictObject({ contactId: z.uuid() });
export type TTriggerFlowRequest = z.infer<typeof ZTriggerFlowRequest>;
export const ZTriggerFlowResponse = z.object({ queued: z.literal(true) });

/** A test run: for a real contact, or a made-up one; nothing is sent to any channel or outside system. */
export const ZTestFlowRequest = z.strictObject({
  contactId: z.uuid().optional(),
  contact: z
    .strictObject({
      name: z.string().max(200).optional(),
      phone: z.string().max(32).optional(),
      email: z.string().max(320).optional(),
      tags: z.array(z.string().max(100)).max(50).optional(),
      customFields: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  /** The inbound message text the run starts with ({{message.text}}). */
  message: z.string().max(4096).optional(),
  /** Uses the draft graph (default) or the published version. */
  useDraft: z.boolean().default(true),
});
export type TTestFlowRequest = z.infer<typeof ZTestFlowRequest>;

export const ZFlowSession = z.object({
  id: z.uuid(),
  flowId: z.uuid(),
  /** Null for a test run of the draft. */
  versionId: z.uuid().nullable(),
  contactId: z.uuid().nullable(),
  conversationId: z.uuid().nullable(),
  currentNodeId: z.string().nullable(),
  variables: z.record(z.string(), z.unknown()),
  status: z.enum(FLOW_SESSION_STATUSES),
  waitingKind: z.enum(FLOW_WAITING_KINDS).nullable(),
  waitingUntil: ZIsoDate.nullable(),
  error: z.string().nullable(),
  handedOff: z.boolean(),
  testMode: z.boolean(),
  startedAt: ZIsoDate,
  updatedAt: ZIsoDate,
  endedAt: ZIsoDate.nullable(),
});
export type TFlowSession = z.infer<typeof ZFlowSession>;

export const ZFlowSessionLogEntry = z.object({
  step: z.number().int(),
  nodeId: z.string(),
  nodeType: z.string(),
  input: z.unknown(),
  output: z.unknown(),
  error: z.string().nullable(),
  durationMs: z.number().int(),
  at: ZIsoDate,
});
export type TFlowSessionLogEntry = z.infer<typeof ZFlowSessionLogEntry>;

export const ZFlowSessionDetail = ZFlowSession.extend({ log: z.array(ZFlowSessionLogEntry) });
export type TFlowSessionDetail = z.infer<typeof ZFlowSessionDetail>;

export const ZListFlowSessionsQuery = ZCursorQuery.extend({
  status: z.enum(FLOW_SESSION_STATUSES).optional(),
});
export type TListFlowSessionsQuery = z.infer<typeof ZListFlowSessionsQuery>;
export const ZFlowSessionPage = ZPage(ZFlowSession);
export type TFlowSessionPage = z.infer<typeof ZFlowSessionPage>;

export const ZFlowSessionParams = z.strictObject({ id: z.uuid(), sessionId: z.uuid() });
export type TFlowSessionParams = z.infer<typeof ZFlowSessionParams>;

export const ZFlowWebhookParams = z.strictObject({ token: z.string().max(64) });
export type TFlowWebhookParams = z.infer<typeof ZFlowWebhookParams>;
export const ZFlowWebhookAck = z.object({ success: z.literal(true), message: z.literal('Webhook received') });
export type TFlowWebhookAck = z.infer<typeof ZFlowWebhookAck>;
export const ZFlowWebhookInfo = z.object({ name: z.string(), status: z.enum(FLOW_STATUSES) });
export type TFlowWebhookInfo = z.infer<typeof ZFlowWebhookInfo>;

/** Headers a signed webhook call may carry its `sha256=<hex>` signature in (the first present is checked). */
export const FLOW_WEBHOOK_SIGNATURE_HEADERS = [
  'x-hub-signature-256',
  'x-webhook-signature',
  'x-signature',
] as const;

/** The live update for the builder, on the tenant's socket room. */
export const ZFlowSessionEvent = z.object({
  sessionId: z.uuid(),
  flowId: z.uuid(),
  status: z.enum(FLOW_SESSION_STATUSES),
  currentNodeId: z.string().nullable(),
  testMode: z.boolean(),
  /** The node that just ran, when the update is about one. */
  step: ZFlowSessionLogEntry.nullable(),
});
export type TFlowSessionEvent = z.infer<typeof ZFlowSessionEvent>;
