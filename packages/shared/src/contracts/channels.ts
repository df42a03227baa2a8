import { z } from 'zod';
import { CHANNEL_TYPES, MESSAGE_STATUSES, MESSAGE_TYPES } from '../constants/channels.js';
import { ZIsoDate } from './common.js';
import { refineMessageContent } from './messages.js';

const ZHttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

/** Settings of an `api` inbox: where OrbitDesk POSTs the messages agents send. */
export const ZApiChannelConfig = z.strictObject({ callbackUrl: ZHttpUrl });
export type TApiChannelConfig = z.infer<typeof ZApiChannelConfig>;

export const ZChannel = z.object({
  id: z.uuid(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  isActive: z.boolean(),
  autoAssign: z.boolean(),
  maxOpenPerAgent: z.number().int(),
  /** Where the provider (or, for `api` inboxes, the caller's system) delivers inbound messages. */
  webhookUrl: z.string().nullable(),
  /** The inbound secret masked to its last 4 characters; null for channels without one. */
  inboundSecret: z.string().nullable(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TChannel = z.infer<typeof ZChannel>;

/** Create and rotate-secret responses: the whole inbound secret, shown this once. */
export const ZChannelWithSecret = ZChannel.extend({ secret: z.string() });
export type TChannelWithSecret = z.infer<typeof ZChannelWithSecret>;

export const ZChannelList = z.object({ items: z.array(ZChannel) });
export type TChannelList = z.infer<typeof ZChannelList>;

const ZChannelName = z.string().trim().min(1).max(100);
const ZMaxOpenPerAgent = z.number().int().min(1).max(1000);

/** Only `api` inboxes are created here; provider channels get their own connect flows. */
export const ZCreateChannelRequest = z.strictObject({
  type: z.literal('api'),
  name: ZChannelName,
  config: ZApiChannelConfig,
  autoAssign: z.boolean().default(false),
  maxOpenPerAgent: ZMaxOpenPerAgent.default(10),
});
export type TCreateChannelRequest = z.infer<typeof ZCreateChannelRequest>;

export const ZUpdateChannelRequest = z
  .strictObject({
    name: ZChannelName.optional(),
    config: ZApiChannelConfig.optional(),
    isActive: z.boolean().optional(),
    autoAssign: z.boolean().optional(),
    maxOpenPerAgent: ZMaxOpenPerAgent.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export type TUpdateChannelRequest = z.infer<typeof ZUpdateChannelRequest>;

/** The agents of an inbox: round-robin assignment picks among them. */
export const ZChannelMembers = z.object({ userIds: z.array(z.uuid()) });
export type TChannelMembers = z.infer<typeof ZChannelMembers>;

/**
 * One inbound message in the shape every channel's normalizer produces, whatever the provider's wire format.
 * The tenant is not part of it: the pipeline runs inside the tenant that owns the channel.
 */
export const ZNormalizedMessage = z
  .object({
    channelId: z.uuid(),
    channelType: z.enum(CHANNEL_TYPES),
    contact: z.object({
      /** The contact's address on this channel type: a phone number, a chat id, a visitor id. */
      identifier: z.string().min(1).max(256),
      name: z.string().max(256).optional(),
      phone: z.string().max(32).optional(),
      email: z.string().max(320).optional(),
    }),
    /** The provider's id of the message, used to store a redelivered message once. */
    providerMessageId: z.string().min(1).max(256).optional(),
    type: z.enum(MESSAGE_TYPES),
    content: z.record(z.string(), z.unknown()),
    /** When the contact sent it, by the provider's clock. */
    sentAt: ZIsoDate.optional(),
  })
  .superRefine(refineMessageContent);
export type NormalizedMessage = z.infer<typeof ZNormalizedMessage>;

export const ZInboxParams = z.strictObject({ inboxId: z.uuid() });
export type TInboxParams = z.infer<typeof ZInboxParams>;

/** POST /channels/api/:inboxId/messages, authenticated by the X-Inbox-Secret header. */
export const ZApiInboundMessageRequest = z.strictObject({
  contact: z.strictObject({
    identifier: z.string().trim().min(1).max(256),
    name: z.string().trim().min(1).max(256).optional(),
    phone: z.string().trim().min(3).max(32).optional(),
    email: z.email().max(320).optional(),
  }),
  message: z
    .strictObject({
      id: z.string().min(1).max(256).optional(),
      type: z.enum(MESSAGE_TYPES),
      content: z.record(z.string(), z.unknown()),
      timestamp: ZIsoDate.optional(),
    })
    .superRefine(refineMessageContent),
});
export type TApiInboundMessageRequest = z.infer<typeof ZApiInboundMessageRequest>;

export const ZInboundMessageResponse = z.object({
  messageId: z.uuid(),
  conversationId: z.uuid(),
  /** True when this provider message id was already stored: nothing changed. */
  duplicate: z.boolean(),
});
export type TInboundMessageResponse = z.infer<typeof ZInboundMessageResponse>;

export const INBOUND_STATUS_UPDATES = ['delivered', 'read', 'failed'] as const;

export const ZApiStatusUpdateRequest = z.strictObject({
  providerMessageId: z.string().min(1).max(256),
  status: z.enum(INBOUND_STATUS_UPDATES),
  reason: z.string().max(1000).optional(),
});
export type TApiStatusUpdateRequest = z.infer<typeof ZApiStatusUpdateRequest>;

export const ZStatusUpdateResponse = z.object({
  messageId: z.uuid(),
  status: z.enum(MESSAGE_STATUSES),
  /** False when the update was stale (the message already had this or a later status). */
  changed: z.boolean(),
});
export type TStatusUpdateResponse = z.infer<typeof ZStatusUpdateResponse>;
