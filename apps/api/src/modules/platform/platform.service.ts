import { Injectable } from '@nestjs/common';
import type {
  TenantStatus,
  TListPlatformUsersQuery,
  TListTenantsQuery,
  TPlatformUserPage,
  TTenant,
  TTenantPage,
} from '@orbitdesk/shared';
import { conflict, notFound } from '../../common/http/errors.js';
import { decodeCursor, toPage } from '../../common/http/pagination.js';
import { AuditService } from '../audit/audit.service.js';
import { AccessRevocationService } from '../auth/access-revocation.service.js';
import { toUserDto } from '../users/users.service.js';
import { PlatformRepository, type TenantRow } from './platform.repository.js';

export type TenantDecision = 'approve' | 'reject' | 'suspend' | 'reactivate';

/** Which statuses each decision may start from, and where it leads. */
const TRANSITIONS: Record<TenantDecision, { from: TenantStatus[]; to: TenantStatus; action: string }> = {
  approve: { from: ['PENDING'], to: 'ACTIVE', action: 'tenant.approved' },
  reject: { from: ['PENDING'], to: 'REJECTED', action: 'tenant.rejected' },
  suspend: { from: ['ACTIVE'], to: 'SUSPENDED', action: 'tenant.suspended' },
  reactivate: { from: ['SUSPENDED', 'REJECTED'], to: 'ACTIVE', action: 'tenant.reactivated' },
};

const toTenantDto = (t: TenantRow): TTenant => ({
  id: t.id,
  name: t.name,
  slug: t.slug,
  status: t.status,
  statusReason: t.statusReason,
  createdAt: t.createdAt.toISOString(),
  approvedAt: t.approvedAt?.toISOString() ?? null,
});

@Injectable()
export class PlatformService {
  constructor(
    private readonly repo: PlatformRepository,
    private readonly revocation: AccessRevocationService,
    private readonly audit: AuditService,
  ) {}

  async listTenants(q: TListTenantsQuery): Promise<TTenantPage> {
    const rows = await this.repo.unsafeListTenants({ ...q, cursor: decodeCursor(q.cursor) });
    return toPage(rows, q.limit, toTenantDto);
  }

  async getTenant(id: string): Promise<TTenant> {
    const row = await this.repo.unsafeFindTenant(id);
    if (!row) throw notFound('Tenant');
    return toTenantDto(row);
  }

  async decide(id: string, decision: TenantDecision, reason?: string): Promise<TTenant> {
    const { from, to, action } = TRANSITIONS[decision];
    const audit = this.audit.entryFor(id, {
      action,
      entityType: 'tenant',
      entityId: id,
      metadata: { from, to, reason: reason ?? null },
    });
    const row = await this.repo.unsafeTransitionTenant(
      id,
      from,
      to,
      to === 'ACTIVE' ? null : (reason ?? null),
      audit,
    );
    if (!row) {
      const current = await this.repo.unsafeFindTenant(id);
      if (!current) throw notFound('Tenant');
      throw conflict(
        `Cannot ${decision} a tenant that is ${current.status} (allowed from: ${from.join(', ')})`,
      );
    }
    // Users of a tenant that stopped being ACTIVE lose access now, not when their access token expires.
    await this.revocation.setTenantBlocked(id, to !== 'ACTIVE');
    return toTenantDto(row);
  }

  async listUsers(q: TListPlatformUsersQuery): Promise<TPlatformUserPage> {
    const rows = await this.repo.unsafeListUsers({ ...q, cursor: decodeCursor(q.cursor) });
    return toPage(
      rows,
      q.limit,
      (r) => ({ ...toUserDto(r.user), tenantName: r.tenantName }),
      (r) => r.user,
    );
  }
}
