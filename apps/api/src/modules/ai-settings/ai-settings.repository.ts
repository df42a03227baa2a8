import { Injectable } from '@nestjs/common';
import { eq, sql } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import { aiSettings } from '../../db/schema/index.js';

export type AiSettingsRow = typeof aiSettings.$inferSelect;
export type AiSettingsValues = Omit<typeof aiSettings.$inferInsert, 'tenantId' | 'updatedAt'>;

@Injectable()
export class AiSettingsRepository {
  /** Undefined until the workspace saves its settings (then the defaults apply: the local provider). */
  async find(tx: TenantTx, tenantId: string): Promise<AiSettingsRow | undefined> {
    const [row] = await tx.select().from(aiSettings).where(eq(aiSettings.tenantId, tenantId));
    return row;
  }

  async upsert(tx: TenantTx, tenantId: string, values: AiSettingsValues): Promise<AiSettingsRow> {
    const [row] = await tx
      .insert(aiSettings)
      .values({ tenantId, ...values })
      .onConflictDoUpdate({ target: aiSettings.tenantId, set: { ...values, updatedAt: sql`now()` } })
      .returning();
    return row!;
  }
}
