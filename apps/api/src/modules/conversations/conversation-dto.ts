import type { MessageIntent, MessageType, TConversation, TMessage } from '@orbitdesk/shared';
import type { contactIdentities, contacts, conversations, messages } from '../../db/schema/index.js';

export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
export type ContactIdentityRow = typeof contactIdentities.$inferSelect;

export const toConversationDto = (c: ConversationRow): TConversation => ({
  id: c.id,
  number: c.number,
  channelId: c.channelId,
  contactId: c.contactId,
  status: c.status,
  snoozedUntil: c.snoozedUntil?.toISOString() ?? null,
  assigneeId: c.assigneeId,
  teamId: c.teamId,
  tags: c.tags,
  priority: c.priority,
  lastMessagePreview: c.lastMessagePreview,
  lastMessageAt: c.lastMessageAt.toISOString(),
  unreadCount: c.unreadCount,
  waitingSince: c.waitingSince?.toISOString() ?? null,
  chatAgentId: c.chatAgentId,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

export const toMessageDto = (m: MessageRow): TMessage => ({
  id: m.id,
  conversationId: m.conversationId,
  channelId: m.channelId,
  direction: m.direction,
  type: m.type as MessageType,
  content: m.content,
  providerMessageId: m.providerMessageId,
  status: m.status,
  failureReason: m.failureReason,
  senderType: m.senderType,
  senderId: m.senderId,
  isPrivate: m.isPrivate,
  understanding:
    m.intent === null
      ? null
      : {
          intent: m.intent as MessageIntent,
          confidence: m.intentConfidence ?? 0,
          sentiment: m.sentiment ?? 0,
          language: m.language ?? 'und',
          model: m.understandingModel ?? '',
        },
  createdAt: m.createdAt.toISOString(),
  updatedAt: m.updatedAt.toISOString(),
});
