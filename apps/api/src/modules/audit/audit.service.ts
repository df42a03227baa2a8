import { Injectable } from '@nestjs/common';
import type { TAuditEntry, TAuditPage, TListAuditQuery } from '@orbitdesk/shared';
import { actorOf } from '../../common/auth/principal.js';
import { decodeCursor, toPage } from '../../common/http/pagination.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { AuditRepository, type AuditRow, type NewAuditRow } from './audit.repository.js';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  metadata?: Record<string, unknown>;
}

const toDto = (r: AuditRow): TAuditEntry => ({
  id: r.id,
  actorType: r.actorType,
  actorId: r.actorId,
  action: r.action,
  entityType: r.entityType,
  entityId: r.entityId,
  metadata: r.metadata,
  ip: r.ip,
  createdAt: r.createdAt.toISOString(),
});

/** Who did what, when, to which record. Written in the same transaction as the change it describes. */
@Injectable()
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly tenantDb: TenantDb,
  ) {}

  async record(tx: TenantTx, input: AuditInput): Promise<void> {
    const ctx = requestContext.get();
    await this.repo.insert(tx, {
      tenantId: requestContext.tenantId(),
      ...actorOf(ctx?.principal),
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId ?? null,
      metadata: input.metadata ?? {},
      ip: ctx?.ip ?? null,
    });
  }

  /**
   * The row for an action taken outside the tenant's scope (platform administration, self-registration); the
   * caller's repository inserts it in the same transaction as the change it describes.
   */
  entryFor(tenantId: string, input: AuditInput): NewAuditRow {
    const ctx = requestContext.get();
    return {
      tenantId,
      ...actorOf(ctx?.principal),
      action: input.action,
      entityType: input.entityType,
      entityId: input.entityId ?? null,
      metadata: input.metadata ?? {},
      ip: ctx?.ip ?? null,
    };
  }

  async list(q: TListAuditQuery): Promise<TAuditPage> {
    const cursor = decodeCursor(q.cursor);
    const rows = await this.tenantDb.run((tx) => this.repo.list(tx, { ...q, cursor }));
    return toPage(rows, q.limit, toDto);
  }
}
