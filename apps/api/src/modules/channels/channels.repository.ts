import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import { channelMembers, channels, contactIdentities, tenants } from '../../db/schema/index.js';

export type ChannelRow = typeof channels.$inferSelect;
export type NewChannel = typeof channels.$inferInsert;

@Injectable()
export class ChannelsRepository {
  constructor(private readonly db: Database) {}

  list(tx: TenantTx): Promise<ChannelRow[]> {
    return tx.select().from(channels).orderBy(desc(channels.createdAt), desc(channels.id));
  }

  async findById(tx: TenantTx, id: string): Promise<ChannelRow | undefined> {
    const [row] = await tx.select().from(channels).where(eq(channels.id, id));
    return row;
  }

  async insert(tx: TenantTx, values: NewChannel): Promise<ChannelRow> {
    const [row] = await tx.insert(channels).values(values).returning();
    return row!;
  }

  async update(
    tx: TenantTx,
    id: string,
    values: Partial<
      Pick<
        ChannelRow,
        | 'name'
        | 'config'
        | 'credentials'
        | 'isActive'
        | 'autoAssign'
        | 'maxOpenPerAgent'
        | 'externalId'
        | 'webhookTokenHash'
        | 'state'
      >
    >,
  ): Promise<ChannelRow | undefined> {
    const [row] = await tx
      .update(channels)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(channels.id, id))
      .returning();
    return row;
  }

  async delete(tx: TenantTx, id: string): Promise<boolean> {
    const rows = await tx.delete(channels).where(eq(channels.id, id)).returning({ id: channels.id });
    return rows.length > 0;
  }

  async memberIds(tx: TenantTx, channelId: string): Promise<string[]> {
    const rows = await tx
      .select({ userId: channelMembers.userId })
      .from(channelMembers)
      .where(eq(channelMembers.channelId, channelId))
      .orderBy(asc(channelMembers.userId));
    return rows.map((r) => r.userId);
  }

  async replaceMembers(tx: TenantTx, tenantId: string, channelId: string, userIds: string[]): Promise<void> {
    await tx.delete(channelMembers).where(eq(channelMembers.channelId, channelId));
    if (userIds.length) {
      await tx.insert(channelMembers).values(userIds.map((userId) => ({ tenantId, channelId, userId })));
    }
  }

  /**
   * Inbound webhook routing: the inbox id in the URL is all we know, the tenant is not known yet. The caller must
   * verify the inbox's secret before using the tenant id.
   */
  async unsafeFindForInbound(id: string): Promise<(ChannelRow & { tenantStatus: string }) | undefined> {
    const [row] = await this.db.unsafe
      .select({ channel: channels, tenantStatus: tenants.status })
      .from(channels)
      .innerJoin(tenants, eq(tenants.id, channels.tenantId))
      .where(eq(channels.id, id));
    return row ? { ...row.channel, tenantStatus: row.tenantStatus } : undefined;
  }

  /** The contact's address on a channel type (a PSID, a chat id), for calls that need the person, not a message. */
  async contactIdentifier(tx: TenantTx, contactId: string, channelType: string): Promise<string | null> {
    const [row] = await tx
      .select({ identifier: contactIdentities.identifier })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.contactId, contactId), eq(contactIdentities.channelType, channelType)))
      .limit(1);
    return row?.identifier ?? null;
  }

  /** Provider webhook routing by the provider's account id (phone_number_id, page id, ...); verify before use. */
  async unsafeFindIdByExternalId(type: string, externalId: string): Promise<string | undefined> {
    const [row] = await this.db.unsafe
      .select({ id: channels.id })
      .from(channels)
      .where(and(eq(channels.type, type), eq(channels.externalId, externalId)));
    return row?.id;
  }

  /** Provider webhook routing by a token in the URL or handshake (hashed); verify the request before use. */
  async unsafeFindIdByWebhookTokenHash(hash: string): Promise<string | undefined> {
    const [row] = await this.db.unsafe
      .select({ id: channels.id })
      .from(channels)
      .where(eq(channels.webhookTokenHash, hash));
    return row?.id;
  }

  /**
   * Background connections (IMAP polling, linked WhatsApp devices) run for every active inbox of a type in every
   * active workspace; each is then worked on inside its own tenant.
   */
  async unsafeListActiveByType(type: string): Promise<ChannelRow[]> {
    const rows = await this.db.unsafe
      .select({ channel: channels })
      .from(channels)
      .innerJoin(tenants, eq(tenants.id, channels.tenantId))
      .where(and(eq(channels.type, type), eq(channels.isActive, true), eq(tenants.status, 'ACTIVE')))
      .orderBy(asc(channels.createdAt));
    return rows.map((r) => r.channel);
  }

  /** Adapter bookkeeping outside any request (IMAP cursor, link state): merged into channels.state. */
  async mergeState(tx: TenantTx, id: string, patch: Record<string, unknown>): Promise<void> {
    await tx
      .update(channels)
      .set({ state: sql`${channels.state} || ${JSON.stringify(patch)}::jsonb` })
      .where(eq(channels.id, id));
  }
}
