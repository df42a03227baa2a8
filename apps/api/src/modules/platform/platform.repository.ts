import { Injectable } from '@nestjs/common';
import { and, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { TenantStatus } from '@orbitdesk/shared';
import { Database } from '../../db/database.js';
import { keysetBefore, likePattern } from '../../db/query-helpers.js';
import { auditLogs, tenants, users } from '../../db/schema/index.js';
import type { NewAuditRow } from '../audit/audit.repository.js';
import type { Cursor } from '../../common/http/pagination.js';

export type TenantRow = typeof tenants.$inferSelect;
export type UserRow = typeof users.$inferSelect;

/** Platform administration spans tenants by definition, so every query here is `unsafe…` and SUPERADMIN-only. */
@Injectable()
export class PlatformRepository {
  constructor(private readonly db: Database) {}

  unsafeListTenants(q: {
    cursor?: Cursor;
    limit: number;
    status?: TenantStatus;
    search?: string;
  }): Promise<TenantRow[]> {
    const where: SQL[] = [];
    if (q.status) where.push(eq(tenants.status, q.status));
    if (q.search)
      where.push(or(ilike(tenants.name, likePattern(q.search)), ilike(tenants.slug, likePattern(q.search)))!);
    if (q.cursor) where.push(keysetBefore(tenants.createdAt, tenants.id, q.cursor));
    return this.db.unsafe
      .select()
      .from(tenants)
      .where(and(...where))
      .orderBy(desc(tenants.createdAt), desc(tenants.id))
      .limit(q.limit + 1);
  }

  async unsafeFindTenant(id: string): Promise<TenantRow | undefined> {
    const [row] = await this.db.unsafe.select().from(tenants).where(eq(tenants.id, id));
    return row;
  }

  /**
   * Conditional on the expected current status, so two admins acting at once cannot both succeed. The audit
   * entry is written in the same transaction: no status change without its record.
   */
  async unsafeTransitionTenant(
    id: string,
    from: TenantStatus[],
    to: TenantStatus,
    reason: string | null,
    audit: NewAuditRow,
  ): Promise<TenantRow | undefined> {
    return this.db.unsafe.transaction(async (tx) => {
      const [row] = await tx
        .update(tenants)
        .set({
          status: to,
          statusReason: reason,
          updatedAt: new Date(),
          // The first approval date is kept when a suspended tenant is reactivated.
          ...(to === 'ACTIVE' ? { approvedAt: sql`coalesce(${tenants.approvedAt}, now())` } : {}),
        })
        .where(and(eq(tenants.id, id), or(...from.map((s) => eq(tenants.status, s)))))
        .returning();
      if (row) await tx.insert(auditLogs).values(audit);
      return row;
    });
  }

  unsafeListUsers(q: { cursor?: Cursor; limit: number; tenantId?: string; search?: string }) {
    const where: SQL[] = [];
    if (q.tenantId) where.push(eq(users.tenantId, q.tenantId));
    if (q.search)
      where.push(or(ilike(users.name, likePattern(q.search)), ilike(users.email, likePattern(q.search)))!);
    if (q.cursor) where.push(keysetBefore(users.createdAt, users.id, q.cursor));
    return this.db.unsafe
      .select({ user: users, tenantName: tenants.name })
      .from(users)
      .innerJoin(tenants, eq(tenants.id, users.tenantId))
      .where(and(...where))
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(q.limit + 1);
  }
}
