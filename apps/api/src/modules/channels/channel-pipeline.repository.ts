import { Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import { rowFromJson } from '../../db/json-rows.js';
import { contacts, conversations, messages } from '../../db/schema/index.js';
import type { ContactRow, ConversationRow, MessageRow } from '../conversations/conversation-dto.js';

export interface InboundPayload {
  channelId: string;
  channelType: string;
  providerMessageId: string | null;
  type: string;
  content: Record<string, unknown>;
  preview: string;
  sentAt: string | null;
  conversationId: string | null;
  newConversation: boolean;
  direction: 'in' | 'out';
  contact: { identifier: string; name: string | null; phone: string | null; email: string | null };
}

export interface InboundOutcome {
  duplicate: boolean;
  conversationCreated: boolean;
  conversationReopened: boolean;
  contactCreated: boolean;
  contact: ContactRow;
  conversation: ConversationRow;
  message: MessageRow;
}

/** The queries of the inbound pipeline and of delivery reports. */
@Injectable()
export class ChannelPipelineRepository {
  constructor(private readonly db: Database) {}

  /**
   * The whole inbound transaction in one round trip: the inbound_ingest function (migration 0010) switches its
   * statement's transaction to orbitdesk_app with this tenant, so row-level security applies to everything it
   * touches, then upserts the contact and its address, finds or opens the conversation and inserts the message.
   * This is the one tenant-scoped query that does not take a TenantTx: the function sets the tenant itself,
   * which saves the three round trips of an explicit transaction on the hottest path.
   */
  async ingest(tenantId: string, payload: InboundPayload): Promise<InboundOutcome> {
    type Raw = Omit<InboundOutcome, 'contact' | 'conversation' | 'message'> &
      Record<'contact' | 'conversation' | 'message', Record<string, unknown>>;
    const { rows } = await this.db.pool.query<{ r: Raw }>('select inbound_ingest($1, $2) as r', [
      tenantId,
      JSON.stringify(payload),
    ]);
    const r = rows[0]!.r;
    return {
      duplicate: r.duplicate,
      conversationCreated: r.conversationCreated,
      conversationReopened: r.conversationReopened,
      contactCreated: r.contactCreated,
      contact: rowFromJson(contacts, r.contact),
      conversation: rowFromJson(conversations, r.conversation),
      message: rowFromJson(messages, r.message),
    };
  }

  async findMessageByProviderId(
    tx: TenantTx,
    channelId: string,
    providerMessageId: string,
  ): Promise<MessageRow | undefined> {
    const [row] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.channelId, channelId), eq(messages.providerMessageId, providerMessageId)));
    return row;
  }
  async findConversation(tx: TenantTx, id: string): Promise<ConversationRow | undefined> {
    const [row] = await tx.select().from(conversations).where(eq(conversations.id, id));
    return row;
  }

  async findOutboundByProviderId(
    tx: TenantTx,
    channelId: string,
    providerMessageId: string,
  ): Promise<MessageRow | undefined> {
    const [row] = await tx
      .select()
      .from(messages)
      .where(
        and(
          eq(messages.channelId, channelId),
          eq(messages.providerMessageId, providerMessageId),
          eq(messages.direction, 'out'),
        ),
      )
      .for('update');
    return row;
  }

  async setStatus(
    tx: TenantTx,
    id: string,
    values: Pick<MessageRow, 'status' | 'failureReason'>,
  ): Promise<MessageRow> {
    const [row] = await tx
      .update(messages)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(messages.id, id))
      .returning();
    return row!;
  }
}
