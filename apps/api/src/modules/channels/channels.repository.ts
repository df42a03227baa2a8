import { Injectable } from '@nestjs/common';
import { asc, desc, eq, sql } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import { channelMembers, channels, tenants } from '../../db/schema/index.js';

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
      Pick<ChannelRow, 'name' | 'config' | 'credentials' | 'isActive' | 'autoAssign' | 'maxOpenPerAgent'>
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

  /** Which of these ids are users of this tenant (RLS hides everyone else's). */

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
}
