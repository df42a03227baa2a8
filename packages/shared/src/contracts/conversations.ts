import { z } from 'zod';
import {
  CONVERSATION_PRIORITIES,
  CONVERSATION_STATUSES,
  MESSAGE_SENDER_TYPES,
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
} from '../constants/channels.js';
import { ZCursorQuery, ZIsoDate, ZPage } from './common.js';
import { ZMessageUnderstanding } from './ai.js';

export const ZConversation = z.object({
  id: z.uuid(),
  number: z.number().int(),
  channelId: z.uuid(),
  contactId: z.uuid(),
  status: z.enum(CONVERSATION_STATUSES),
  snoozedUntil: ZIsoDate.nullable(),
  assigneeId: z.uuid().nullable(),
  teamId: z.uuid().nullable(),
  tags: z.array(z.string()),
  priority: z.enum(CONVERSATION_PRIORITIES),
  lastMessagePreview: z.string().nullable(),
  lastMessageAt: ZIsoDate,
  unreadCount: z.number().int(),
  waitingSince: ZIsoDate.nullable(),
  /** The AI chat agent answering this conversation; null once a human took over or none was assigned. */
  chatAgentId: z.uuid().nullable(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TConversation = z.infer<typeof ZConversation>;

export const ZMessage = z.object({
  id: z.uuid(),
  conversationId: z.uuid(),
  channelId: z.uuid(),
  direction: z.enum(['in', 'out']),
  type: z.enum(MESSAGE_TYPES),
  content: z.record(z.string(), z.unknown()),
  providerMessageId: z.string().nullable(),
  status: z.enum(MESSAGE_STATUSES),
  failureReason: z.string().nullable(),
  senderType: z.enum(MESSAGE_SENDER_TYPES),
  senderId: z.string().nullable(),
  isPrivate: z.boolean(),
  /** Intent, sentiment and language of an inbound message, once classified (null before, and for outbound). */
  understanding: ZMessageUnderstanding.nullable(),
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TMessage = z.infer<typeof ZMessage>;

export const ZListConversationsQuery = ZCursorQuery.extend({
  status: z.enum(CONVERSATION_STATUSES).optional(),
  /** `me` (the calling user), `unassigned`, or a user id. */
  assignee: z.union([z.literal('me'), z.literal('unassigned'), z.uuid()]).optional(),
  channelId: z.uuid().optional(),
  /** A team's id, or `none` for conversations without a team. */
  team: z.union([z.literal('none'), z.uuid()]).optional(),
  priority: z.enum(CONVERSATION_PRIORITIES).optional(),
  tag: z.string().trim().min(1).max(50).optional(),
  /** Matches the contact's name or the last message preview. */
  q: z.string().trim().min(1).max(100).optional(),
});
export type TListConversationsQuery = z.infer<typeof ZListConversationsQuery>;

export const ZConversationPage = ZPage(ZConversation);
export type TConversationPage = z.infer<typeof ZConversationPage>;

/**
 * `null` clears the assignee or team. Snoozing sets `status: 'snoozed'` together with `snoozedUntil` (in the
 * future); the conversation opens again by itself at that time, or earlier when the contact writes. Any other
 * status clears `snoozedUntil`.
 */
export const ZUpdateConversationRequest = z
  .strictObject({
    status: z.enum(CONVERSATION_STATUSES).optional(),
    snoozedUntil: ZIsoDate.optional(),
    assigneeId: z.uuid().nullable().optional(),
    teamId: z.uuid().nullable().optional(),
    tags: z
      .array(z.string().trim().min(1).max(50))
      .max(20)
      .refine((t) => new Set(t).size === t.length, 'tags must not repeat')
      .optional(),
    priority: z.enum(CONVERSATION_PRIORITIES).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required')
  .superRefine((v, ctx) => {
    if (v.status === 'snoozed' && v.snoozedUntil === undefined) {
      ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: "is required with status 'snoozed'" });
    } else if (v.snoozedUntil !== undefined && v.status !== 'snoozed') {
      ctx.addIssue({
        code: 'custom',
        path: ['snoozedUntil'],
        message: "is only accepted with status 'snoozed'",
      });
    } else if (v.snoozedUntil !== undefined && Date.parse(v.snoozedUntil) <= Date.now()) {
      ctx.addIssue({ code: 'custom', path: ['snoozedUntil'], message: 'must be in the future' });
    }
  });
export type TUpdateConversationRequest = z.infer<typeof ZUpdateConversationRequest>;

export const ZListMessagesQuery = ZCursorQuery;
export type TListMessagesQuery = z.infer<typeof ZListMessagesQuery>;

export const ZMessagePage = ZPage(ZMessage);
export type TMessagePage = z.infer<typeof ZMessagePage>;
