import { Injectable } from '@nestjs/common';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import { auditLogs } from '../../db/schema/index.js';
import { keysetBefore } from '../../db/query-helpers.js';
import type { Cursor } from '../../common/http/pagination.js';

export type AuditRow = typeof auditLogs.$inferSelect;
export type NewAuditRow = typeof auditLogs.$inferInsert;

@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  async insert(tx: TenantTx, values: NewAuditRow): Promise<void> {
    await tx.insert(auditLogs).values(values);
  }

  list(
    tx: TenantTx,
    q: { cursor?: Cursor; limit: number; entityType?: string; entityId?: string },
  ): Promise<AuditRow[]> {
    const where: SQL[] = [];
    if (q.entityType) where.push(eq(auditLogs.entityType, q.entityType));
    if (q.entityId) where.push(eq(auditLogs.entityId, q.entityId));
    if (q.cursor) {
      where.push(keysetBefore(auditLogs.createdAt, auditLogs.id, q.cursor));
    }
    return tx
      .select()
      .from(auditLogs)
      .where(and(...where))
      .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
      .limit(q.limit + 1);
  }
}
