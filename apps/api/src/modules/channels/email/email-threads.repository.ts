import { Injectable } from '@nestjs/common';
import { emailAddressList } from '@orbitdesk/shared';
import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { TenantTx } from '../../../db/database.js';
import { messages } from '../../../db/schema/index.js';

/** An email conversation as a reply sees it. */
export interface EmailThread {
  /** The subject of its first received email; null when it had none (or nothing was received yet). */
  subject: string | null;
  /** The others on the customer's latest email (its `cc`), who get a copy of a reply unless it names its own. */
  cc: string[];
  /** Its latest emails with a Message-ID, oldest first. */
  messages: { direction: 'in' | 'out'; messageId: string }[];
}

/**
 * Email threading: Message-IDs are stored as provider ids (inbound: the sender's; outbound: the one we
 * generated), so a thread is found by looking its ids up among the inbox's messages.
 */
@Injectable()
export class EmailThreadsRepository {
  async isStored(tx: TenantTx, channelId: string, messageId: string): Promise<boolean> {
    const [row] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.providerMessageId, messageId)));
    return row !== undefined;
  }

  /**
   * The conversation of the first of `messageIds` (ordered most telling first) that is a message of this inbox,
   * sent or received.
   */
  async conversationOf(tx: TenantTx, channelId: string, messageIds: string[]): Promise<string | undefined> {
    if (!messageIds.length) return undefined;
    const rows = await tx
      .select({ providerMessageId: messages.providerMessageId, conversationId: messages.conversationId })
      .from(messages)
      .where(and(eq(messages.channelId, channelId), inArray(messages.providerMessageId, messageIds)));
    const byId = new Map(rows.map((r) => [r.providerMessageId, r.conversationId]));
    return messageIds.map((id) => byId.get(id)).find((c) => c !== undefined);
  }

  /**
   * What a reply needs: the subject of the conversation's first received email, the others on its latest one,
   * and the Message-IDs of its latest emails (sent or received), oldest first, for In-Reply-To and References.
   */
  async thread(tx: TenantTx, conversationId: string, limit = 100): Promise<EmailThread> {
    const [first] = await tx
      .select({ subject: sql<string | null>`${messages.content}->>'subject'` })
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'in')))
      .orderBy(asc(messages.createdAt), asc(messages.id))
      .limit(1);
    const rows = await tx
      .select({ direction: messages.direction, providerMessageId: messages.providerMessageId })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversationId),
          eq(messages.isPrivate, false),
          isNotNull(messages.providerMessageId),
        ),
      )
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(limit);
    const [latest] = await tx
      .select({ cc: sql<unknown>`${messages.content}->'cc'` })
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'in')))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(1);
    return {
      subject: first?.subject ?? null,
      cc: emailAddressList(latest?.cc) ?? [],
      messages: rows.reverse().map((r) => ({ direction: r.direction, messageId: r.providerMessageId! })),
    };
  }
}
