import { z } from 'zod';
import {
  CONVERSATION_PRIORITIES,
  CONVERSATION_STATUSES,
  MESSAGE_SENDER_TYPES,
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
} from '../constants/channels.js';
import { ZIsoDate } from './common.js';

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
  createdAt: ZIsoDate,
  updatedAt: ZIsoDate,
});
export type TMessage = z.infer<typeof ZMessage>;
