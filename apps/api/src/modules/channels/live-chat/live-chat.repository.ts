import { Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { TenantTx } from '../../../db/database.js';
import { channels, contactIdentities, contacts, conversations, messages } from '../../../db/schema/index.js';
import type { MessageRow } from '../../conversations/conversation-dto.js';

const LIVE_CHAT = 'live_chat';

/** Queries of the widget: always one visitor's view of one inbox, inside the inbox's tenant. */
@Injectable()
export class LiveChatRepository {
  /** The contact a visitor id belongs to; undefined until the visitor's first message created it. */
  async contactIdOf(tx: TenantTx, visitorId: string): Promise<string | undefined> {
    const [row] = await tx
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.channelType, LIVE_CHAT), eq(contactIdentities.identifier, visitorId)));
    return row?.contactId;
  }

  /** The conversation the visitor's next message goes to (the same rule as inbound_ingest). */
  async latestConversation(tx: TenantTx, inboxId: string, contactId: string) {
    const [row] = await tx
      .select({ id: conversations.id, status: conversations.status })
      .from(conversations)
      .where(and(eq(conversations.channelId, inboxId), eq(conversations.contactId, contactId)))
      .orderBy(desc(conversations.createdAt), desc(conversations.id))
      .limit(1);
    return row;
  }

  /**
   * The visitor's messages on this inbox, newest first, never a private note: `limit + 1` rows so the caller
   * knows whether there are more. `before` is a message id; its own (created_at, id) is the keyset.
   */
  history(
    tx: TenantTx,
    q: { inboxId: string; contactId: string; before?: string; limit: number },
  ): Promise<MessageRow[]> {
    const filters = [
      eq(messages.channelId, q.inboxId),
      eq(conversations.contactId, q.contactId),
      eq(messages.isPrivate, false),
    ];
    if (q.before) {
      filters.push(
        sql`(${messages.createdAt}, ${messages.id}) < (select m2.created_at, m2.id from messages m2 where m2.id = ${q.before})`,
      );
    }
    return tx
      .select({ message: messages })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(...filters))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(q.limit + 1)
      .then((rows) => rows.map((r) => r.message));
  }

  /**
   * The pre-chat email becomes the contact's email only if it has none; a visitor can type anyone's address, so
   * it never attaches the visitor to the contact that already owns it (the unique index refuses that; the caller
   * treats the refusal as "not set").
   */
  async setEmailIfMissing(tx: TenantTx, contactId: string, email: string) {
    const [row] = await tx
      .update(contacts)
      .set({ email, updatedAt: sql`now()` })
      .where(and(eq(contacts.id, contactId), isNull(contacts.email)))
      .returning();
    return row;
  }

  identitiesOf(tx: TenantTx, contactId: string) {
    return tx
      .select({
        contactId: contactIdentities.contactId,
        channelType: contactIdentities.channelType,
        identifier: contactIdentities.identifier,
      })
      .from(contactIdentities)
      .where(eq(contactIdentities.contactId, contactId));
  }

  /** For agents' typing: the widget visitors of a conversation, when it is on a live-chat inbox. */
  async visitorsOfConversation(tx: TenantTx, conversationId: string) {
    const rows = await tx
      .select({
        inboxId: conversations.channelId,
        contactId: conversations.contactId,
        visitorId: contactIdentities.identifier,
      })
      .from(conversations)
      .innerJoin(channels, and(eq(channels.id, conversations.channelId), eq(channels.type, LIVE_CHAT)))
      .innerJoin(
        contactIdentities,
        and(
          eq(contactIdentities.contactId, conversations.contactId),
          eq(contactIdentities.channelType, LIVE_CHAT),
        ),
      )
      .where(eq(conversations.id, conversationId));
    const first = rows[0];
    return first ? { inboxId: first.inboxId, visitorIds: rows.map((r) => r.visitorId) } : undefined;
  }

  /**
   * Of `ids`, the agents' messages to this visitor not yet read: what a `read` from the widget may mark. A `queued`
   * one is being sent (the widget can show it before the worker records it as sent).
   */
  ownOutbound(tx: TenantTx, inboxId: string, contactId: string, ids: string[]) {
    return tx
      .select({ id: messages.id })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(
        and(
          inArray(messages.id, ids),
          eq(messages.channelId, inboxId),
          eq(conversations.contactId, contactId),
          eq(messages.direction, 'out'),
          eq(messages.isPrivate, false),
          inArray(messages.status, ['queued', 'sent', 'delivered']),
        ),
      );
  }
}
