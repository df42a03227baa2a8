import { Injectable } from '@nestjs/common';
import { and, count, desc, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import { apiKeys, tenants } from '../../db/schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;

const activeNow = () =>
  and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, sql`now()`)));

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly db: Database) {}

  list(tx: TenantTx): Promise<ApiKeyRow[]> {
    return tx.select().from(apiKeys).orderBy(desc(apiKeys.createdAt));
  }

  async findById(tx: TenantTx, id: string): Promise<ApiKeyRow | undefined> {
    const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id));
    return row;
  }

  async countActive(tx: TenantTx): Promise<number> {
    const [row] = await tx.select({ n: count() }).from(apiKeys).where(activeNow());
    return row?.n ?? 0;
  }

  /** Serialises key creation per tenant so two concurrent requests cannot both pass the 20-key limit. */
  async lockTenantKeys(tx: TenantTx, tenantId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'api_keys:' + tenantId}))`);
  }

  async insert(tx: TenantTx, values: NewApiKey): Promise<ApiKeyRow> {
    const [row] = await tx.insert(apiKeys).values(values).returning();
    return row!;
  }

  async update(
    tx: TenantTx,
    id: string,
    values: Partial<Pick<ApiKeyRow, 'name' | 'scopes' | 'revokedAt'>>,
  ): Promise<ApiKeyRow | undefined> {
    const [row] = await tx.update(apiKeys).set(values).where(eq(apiKeys.id, id)).returning();
    return row;
  }

  /**
   * Authentication: the key's hash is all we know, the tenant is not known yet. Returns the key only when it is
   * active and its tenant is ACTIVE.
   */
  async unsafeFindActiveByHash(keyHash: string): Promise<(ApiKeyRow & { tenantStatus: string }) | undefined> {
    const [row] = await this.db.unsafe
      .select({ key: apiKeys, tenantStatus: tenants.status })
      .from(apiKeys)
      .innerJoin(tenants, eq(tenants.id, apiKeys.tenantId))
      .where(eq(apiKeys.keyHash, keyHash));
    return row ? { ...row.key, tenantStatus: row.tenantStatus } : undefined;
  }

  /** Bookkeeping outside any request transaction; throttled so a busy key does not write on every call. */
  async unsafeTouchLastUsed(id: string): Promise<void> {
    await this.db.unsafe
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.id, id),
          or(isNull(apiKeys.lastUsedAt), sql`${apiKeys.lastUsedAt} < now() - interval '1 minute'`),
        ),
      );
  }
}
