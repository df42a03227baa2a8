import { Injectable } from '@nestjs/common';
import { and, asc, eq, inArray, isNotNull, lte } from 'drizzle-orm';
import type { TenantTx } from '../../../db/database.js';
import { contactIdentities, conversations, messages } from '../../../db/schema/index.js';

/** Read receipts cover everything up to a moment; this bounds how many messages one receipt may move. */
const MAX_PER_RECEIPT = 500;

/** The message lookups Meta's webhooks need beyond the pipeline's: redeliveries and watermark receipts. */
@Injectable()
export class MetaMessagesRepository {
  async exists(tx: TenantTx, channelId: string, providerMessageId: string): Promise<boolean> {
    const [row] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.providerMessageId, providerMessageId)))
      .limit(1);
    return row !== undefined;
  }

  /** When one of our outgoing messages was stored: Instagram's "seen" names a message, not a moment. */
  async outboundCreatedAt(
    tx: TenantTx,
    channelId: string,
    providerMessageId: string,
  ): Promise<Date | undefined> {
    const [row] = await tx
      .select({ createdAt: messages.createdAt })
      .from(messages)
      .where(
        and(
          eq(messages.channelId, channelId),
          eq(messages.providerMessageId, providerMessageId),
          eq(messages.direction, 'out'),
        ),
      );
    return row?.createdAt;
  }

  /**
   * Provider ids of what we sent one contact on this inbox up to `upTo` that is still in one of `statuses`,
   * oldest first. Our clock stands in for Meta's send time (a message is stored a moment before Meta has it).
   */
  async outboundUpTo(
    tx: TenantTx,
    q: {
      channelId: string;
      channelType: string;
      identifier: string;
      upTo: Date;
      statuses: ('sent' | 'delivered')[];
    },
  ): Promise<string[]> {
    const rows = await tx
      .select({ providerMessageId: messages.providerMessageId })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .innerJoin(
        contactIdentities,
        and(
          eq(contactIdentities.contactId, conversations.contactId),
          eq(contactIdentities.channelType, q.channelType),
          eq(contactIdentities.identifier, q.identifier),
        ),
      )
      .where(
        and(
          eq(messages.channelId, q.channelId),
          eq(messages.direction, 'out'),
          eq(messages.isPrivate, false),
          isNotNull(messages.providerMessageId),
          inArray(messages.status, q.statuses),
          lte(messages.createdAt, q.upTo),
        ),
      )
      .orderBy(asc(messages.createdAt))
      .limit(MAX_PER_RECEIPT);
    return rows.map((r) => r.providerMessageId!);
  }
}
