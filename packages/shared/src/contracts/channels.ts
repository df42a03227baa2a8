import { z } from 'zod';
import { CHANNEL_TYPES, MESSAGE_STATUSES, MESSAGE_TYPES } from '../constants/channels.js';
import { CHANNEL_TYPE_SCHEMAS } from './channel-types.js';
import { ZIsoDate } from './common.js';
import { refineMessageContent } from './messages.js';

export const ZChannel = z.object({
  id: z.uuid(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  /** Every stored secret, masked to its last 4 characters (`********abcd`). */
  credentials: z.record(z.string(), z.string()),
  /**
   * What the admin needs to finish the connection at the provider, by type: the verify token to paste into Meta,
   * the widget's embed snippet, the Telegram bot's username, the QR link state. Never a credential the admin
   * entered; the one generated secret shown here is the widget's identity secret, which the admin must copy into
   * the host site (`/channels` is ADMIN-only).
   */
  details: z.record(z.string(), z.unknown()),
  isActive: z.boolean(),
  autoAssign: z.boolean(),
  maxOpenPerAgent: z.number().int(),
  /** The exact URL to register with the provider (for `api` inboxes: where the caller's system posts). */
  webhookUrl: z.string().nullable(),
  /** The inbound secret masked to its last 4 characters; null for channels without one. */
  inboundSecret: z.string().nullable(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TChannel = z.infer<typeof ZChannel>;

/** Create and rotate-secret responses: the whole inbound secret of an `api` inbox, shown this once. */
export const ZChannelWithSecret = ZChannel.extend({ secret: z.string().optional() });
export type TChannelWithSecret = z.infer<typeof ZChannelWithSecret>;

export const ZChannelList = z.object({ items: z.array(ZChannel) });
export type TChannelList = z.infer<typeof ZChannelList>;

const ZChannelName = z.string().trim().min(1).max(100);
const ZMaxOpenPerAgent = z.number().int().min(1).max(1000);

const createVariant = <T extends keyof typeof CHANNEL_TYPE_SCHEMAS, C extends z.ZodType, K extends z.ZodType>(
  type: T,
  config: C,
  credentials: K,
) =>
  z.strictObject({
    type: z.literal(type),
    name: ZChannelName,
    config,
    credentials,
    autoAssign: z.boolean().default(false),
    maxOpenPerAgent: ZMaxOpenPerAgent.default(10),
  });

const S = CHANNEL_TYPE_SCHEMAS;
/** One connected account of any type; `config` and `credentials` are checked against the type's schema. */
export const ZCreateChannelRequest = z.discriminatedUnion('type', [
  createVariant('api', S.api.config, S.api.credentials.default({})),
  createVariant('whatsapp', S.whatsapp.config, S.whatsapp.credentials),
  createVariant('messenger', S.messenger.config, S.messenger.credentials),
  createVariant('instagram', S.instagram.config, S.instagram.credentials),
  createVariant('telegram', S.telegram.config.default({}), S.telegram.credentials),
  createVariant('twilio_sms', S.twilio_sms.config, S.twilio_sms.credentials),
  createVariant('email', S.email.config, S.email.credentials),
  createVariant('live_chat', S.live_chat.config, S.live_chat.credentials.default({})),
  createVariant('whatsapp_qr', S.whatsapp_qr.config.default({}), S.whatsapp_qr.credentials.default({})),
]);
export type TCreateChannelRequest = z.infer<typeof ZCreateChannelRequest>;

/**
 * `config` replaces the stored one and is checked against the channel's type; `credentials` are merged into the
 * stored ones (send only what changes).
 */
export const ZUpdateChannelRequest = z
  .strictObject({
    name: ZChannelName.optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    credentials: z.record(z.string(), z.unknown()).optional(),
    isActive: z.boolean().optional(),
    autoAssign: z.boolean().optional(),
    maxOpenPerAgent: ZMaxOpenPerAgent.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export type TUpdateChannelRequest = z.infer<typeof ZUpdateChannelRequest>;

/** POST /channels/:id/test: whether the provider accepts the stored credentials, in plain words. */
export const ZChannelTestResult = z.object({
  ok: z.boolean(),
  /** `Connected as @acme_bot`, or what is wrong: `The access token was rejected (expired or revoked)`. */
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type TChannelTestResult = z.infer<typeof ZChannelTestResult>;

/** What every user may know of an inbox (names and types for the inbox list); no config, no secrets. */
export const ZInboxSummary = z.object({
  id: z.uuid(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  isActive: z.boolean(),
});
export const ZInboxSummaryList = z.object({ items: z.array(ZInboxSummary) });
export type TInboxSummaryList = z.infer<typeof ZInboxSummaryList>;

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
    /**
     * Which conversation it belongs to, when the provider threads (email): `conversationId` continues that
     * conversation (it must be this contact's, on this inbox; reopened when resolved); `newConversation` starts a
     * new one. Neither: the contact's latest conversation on the inbox, else a new one.
     */
    conversationId: z.uuid().optional(),
    newConversation: z.boolean().optional(),
    /**
     * `out` for an echo: a message the business sent from the provider's own app (Messenger's message_echoes,
     * Instagram's is_echo). Stored as sent by a user, it does not count as unread or start a wait. Default `in`.
     */
    direction: z.enum(['in', 'out']).optional(),
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
