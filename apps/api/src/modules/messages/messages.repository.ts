import { Injectable } from '@nestjs/common';
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import { channels, contactIdentities, contacts, conversations, messages } from '../../db/schema/index.js';
import type { ChannelRow } from '../channels/channels.repository.js';
import type {
  ContactIdentityRow,
  ContactRow,
  ConversationRow,
  MessageRow,
} from '../conversations/conversation-dto.js';
import { keysetAfter, olderThan } from '../../db/query-helpers.js';

type NewMessage = typeof messages.$inferInsert;

export interface SendBundle {
  message: MessageRow;
  conversation: ConversationRow;
  contact: ContactRow;
  identities: ContactIdentityRow[];
  channel: ChannelRow;
}

/** A row the recovery sweep found, with its keyset position. */
export interface StuckRow {
  id: string;
  tenantId: string;
  createdAt: Date;
}

@Injectable()
export class MessagesRepository {
  constructor(private readonly db: Database) {}

  /**
   * Across tenants (the recovery sweep has none): outgoing, non-private messages still `queued` more than
   * `olderThanMs` after they were stored, oldest first, keyset after `after`. Served by the partial index
   * messages_tenant_queued_idx, which holds queued rows only.
   */
  unsafeListStuckQueued(olderThanMs: number, limit: number, after?: StuckRow): Promise<StuckRow[]> {
    const where: SQL[] = [
      eq(messages.status, 'queued'),
      eq(messages.direction, 'out'),
      eq(messages.isPrivate, false),
      olderThan(messages.createdAt, olderThanMs),
      // Finished jobs are kept 24 h; past that a lost status write could not be told from a lost job, and
      // re-queueing could send twice. Older rows are left for a person to look at.
      sql`${messages.createdAt} > now() - interval '23 hours'`,
    ];
    if (after) where.push(keysetAfter(messages.createdAt, messages.id, after.createdAt, after.id));
    return this.db.unsafe
      .select({ id: messages.id, tenantId: messages.tenantId, createdAt: messages.createdAt })
      .from(messages)
      .where(and(...where))
      .orderBy(asc(messages.createdAt), asc(messages.id))
      .limit(limit);
  }
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

  /**
   * A message written into `conversation` (read under its row lock): its time is now, but never before or equal
   * to the conversation's latest message, nor to `after` (an earlier message of the same transaction). Inbound
   * messages of a burst are spaced a millisecond apart and can run ahead of the clock (inbound_ingest), so a
   * reply stamped now() could otherwise sort before the message it answers at the column's millisecond precision.
   */
  async insert(
    tx: TenantTx,
    values: Omit<NewMessage, 'createdAt'>,
    conversation: Pick<ConversationRow, 'lastMessageAt'>,
    after?: Date,
  ): Promise<MessageRow> {
    const floor = Math.max(conversation.lastMessageAt.getTime(), after?.getTime() ?? 0) + 1;
    const [row] = await tx
      .insert(messages)
      .values({ ...values, createdAt: sql`greatest(now(), ${new Date(floor).toISOString()}::timestamptz)` })
      .returning();
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
  /** Records that the first `n` parts of a queued message were delivered (never moving back). */
  async recordPartsSent(tx: TenantTx, id: string, n: number): Promise<void> {
    await tx
      .update(messages)
      .set({ partsSent: sql`greatest(${messages.partsSent}, ${n})` })
      .where(and(eq(messages.id, id), eq(messages.status, 'queued')));
  }

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
