import { Injectable } from '@nestjs/common';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { TenantTx } from '../../../db/database.js';
import { channelAuthKeys } from '../../../db/schema/index.js';

export interface AuthKeyRow {
  key: string;
  value: string;
}

/** channel_auth_keys: one linked device's auth state, key by key (values are ciphertexts; sealing is the caller's). */
@Injectable()
export class WhatsAppQrAuthRepository {
  read(tx: TenantTx, channelId: string, keys: string[]): Promise<AuthKeyRow[]> {
    return tx
      .select({ key: channelAuthKeys.key, value: channelAuthKeys.value })
      .from(channelAuthKeys)
      .where(and(eq(channelAuthKeys.channelId, channelId), inArray(channelAuthKeys.key, keys)));
  }

  async upsert(tx: TenantTx, tenantId: string, channelId: string, rows: AuthKeyRow[]): Promise<void> {
    await tx
      .insert(channelAuthKeys)
      .values(rows.map((r) => ({ tenantId, channelId, key: r.key, value: r.value })))
      .onConflictDoUpdate({
        target: [channelAuthKeys.tenantId, channelAuthKeys.channelId, channelAuthKeys.key],
        set: { value: sql`excluded.value`, updatedAt: sql`now()` },
      });
  }

  async delete(tx: TenantTx, channelId: string, keys: string[]): Promise<void> {
    await tx
      .delete(channelAuthKeys)
      .where(and(eq(channelAuthKeys.channelId, channelId), inArray(channelAuthKeys.key, keys)));
  }

  async clear(tx: TenantTx, channelId: string): Promise<void> {
    await tx.delete(channelAuthKeys).where(eq(channelAuthKeys.channelId, channelId));
  }
}
