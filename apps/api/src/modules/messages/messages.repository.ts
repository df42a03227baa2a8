import { Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import { channels, contactIdentities, contacts, conversations, messages } from '../../db/schema/index.js';
import type { ChannelRow } from '../channels/channels.repository.js';
import type {
  ContactIdentityRow,
  ContactRow,
  ConversationRow,
  MessageRow,
} from '../conversations/conversation-dto.js';

type NewMessage = typeof messages.$inferInsert;

export interface SendBundle {
  message: MessageRow;
  conversation: ConversationRow;
  contact: ContactRow;
  identities: ContactIdentityRow[];
  channel: ChannelRow;
}

@Injectable()
export class MessagesRepository {
  async findConversationWithChannel(
    tx: TenantTx,
    conversationId: string,
  ): Promise<{ conversation: ConversationRow; channel: ChannelRow } | undefined> {
    const [row] = await tx
      .select({ conversation: conversations, channel: channels })
      .from(conversations)
      .innerJoin(channels, eq(channels.id, conversations.channelId))
      .where(eq(conversations.id, conversationId))
      .for('update', { of: conversations });
    return row;
  }

  async insert(tx: TenantTx, values: NewMessage): Promise<MessageRow> {
    const [row] = await tx.insert(messages).values(values).returning();
    return row!;
  }

  /** An agent's reply: it becomes the preview, and the contact is no longer waiting. */
  async applyReply(tx: TenantTx, id: string, m: { preview: string; at: Date }): Promise<ConversationRow> {
    const [row] = await tx
      .update(conversations)
      .set({
        lastMessagePreview: m.preview,
        lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${m.at.toISOString()}::timestamptz)`,
        waitingSince: null,
        unreadCount: 0,
        updatedAt: sql`now()`,
      })
      .where(eq(conversations.id, id))
      .returning();
    return row!;
  }

  /** Everything the adapter needs for one outbound message. */
  async loadForSend(tx: TenantTx, messageId: string): Promise<SendBundle | undefined> {
    const [row] = await tx
      .select({ message: messages, conversation: conversations, contact: contacts, channel: channels })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .innerJoin(channels, eq(channels.id, messages.channelId))
      .where(eq(messages.id, messageId));
    if (!row) return undefined;
    const identities = await tx
      .select()
      .from(contactIdentities)
      .where(eq(contactIdentities.contactId, row.contact.id))
      .orderBy(contactIdentities.createdAt);
    return { ...row, identities };
  }

  /** Moves a message on only from `from`; undefined when it is no longer there (another worker, a report). */
  async transition(
    tx: TenantTx,
    id: string,
    from: MessageRow['status'],
    values: Partial<Pick<MessageRow, 'status' | 'providerMessageId' | 'failureReason'>>,
  ): Promise<MessageRow | undefined> {
    const [row] = await tx
      .update(messages)
      .set({ ...values, updatedAt: sql`now()` })
      .where(and(eq(messages.id, id), eq(messages.status, from)))
      .returning();
    return row;
  }
}
