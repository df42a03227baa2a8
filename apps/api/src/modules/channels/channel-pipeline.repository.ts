import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { and, eq, sql } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import { GroupCommit } from '../../db/group-commit.js';
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
  /** Only when this message created the contact. */
  contact: ContactRow | null;
  conversation: ConversationRow;
  message: MessageRow;
}

type RawOutcome = Omit<InboundOutcome, 'contact' | 'conversation' | 'message'> &
  Record<'conversation' | 'message', Record<string, unknown>> & { contact: Record<string, unknown> | null };
interface IngestItem {
  tenant: string;
  msg: InboundPayload;
}

/** The queries of the inbound pipeline and of delivery reports. */
@Injectable()
export class ChannelPipelineRepository {
  /**
   * Inbound messages go to Postgres by group commit (db/group-commit.ts): INBOUND_BATCH_LANES lanes by sender, each
   * one transaction at a time, and what arrives meanwhile is stored by the lane's next transaction, up to
   * INBOUND_BATCH_MAX messages (inbound_ingest_batch, migration 0024: known senders' messages to their current
   * conversation by set-based statements, the rest through inbound_ingest).
   */
  private readonly inbound: GroupCommit<IngestItem, RawOutcome>;

  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.inbound = new GroupCommit<IngestItem, RawOutcome>(
      (items) => this.ingestMany(items),
      (item) => this.ingestOne(item),
      {
        lanes: config.INBOUND_BATCH_LANES,
        maxBatch: config.INBOUND_BATCH_MAX,
        // The sender's key of inbound_ingest's advisory lock.
        laneOf: ({ tenant, msg }) => `${tenant}:${msg.channelType}:${msg.contact.identifier}`,
      },
    );
  }

  /**
   * The whole inbound transaction in one round trip: the inbound_ingest function (migration 0010) switches its
   * statement's transaction to orbitdesk_app with this tenant, so row-level security applies to everything it
   * touches, then upserts the contact and its address, finds or opens the conversation and inserts the message.
   * This is the one tenant-scoped query that does not take a TenantTx: the function sets the tenant itself,
   * which saves the three round trips of an explicit transaction on the hottest path. Deliveries that arrive
   * together share one transaction (group commit); a failing one is stored, or fails, alone.
   */
  async ingest(tenantId: string, payload: InboundPayload): Promise<InboundOutcome> {
    const r = await this.inbound.submit({ tenant: tenantId, msg: payload });
    return {
      duplicate: r.duplicate,
      conversationCreated: r.conversationCreated,
      conversationReopened: r.conversationReopened,
      contactCreated: r.contactCreated,
      contact: r.contact ? rowFromJson(contacts, r.contact) : null,
      conversation: rowFromJson(conversations, r.conversation),
      message: rowFromJson(messages, r.message),
    };
  }

  // Named (prepared once per pooled connection): Postgres parses and plans them once instead of per batch.
  private async ingestOne({ tenant, msg }: IngestItem): Promise<RawOutcome> {
    const { rows } = await this.db.pool.query<{ r: RawOutcome }>({
      name: 'inbound_ingest',
      text: 'select inbound_ingest($1, $2) as r',
      values: [tenant, JSON.stringify(msg)],
    });
    return rows[0]!.r;
  }

  private async ingestMany(items: IngestItem[]): Promise<RawOutcome[]> {
    const { rows } = await this.db.pool.query<{ r: RawOutcome }>({
      name: 'inbound_ingest_batch',
      text: 'select r from inbound_ingest_batch($1) r',
      values: [JSON.stringify(items)],
    });
    return rows.map((row) => row.r);
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
