/** Tenant roles, lowest to highest. SUPERADMIN is a platform role and belongs to no tenant. */
export const TENANT_ROLES = ['AGENT', 'MANAGER', 'ADMIN'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export const ROLES = [...TENANT_ROLES, 'SUPERADMIN'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<TenantRole, number> = { AGENT: 1, MANAGER: 2, ADMIN: 3 };

/** True when `role` is at least `required` in the tenant hierarchy (ADMIN ⊇ MANAGER ⊇ AGENT). */
export function roleAtLeast(role: TenantRole, required: TenantRole): boolean {
  return RANK[role] >= RANK[required];
}

export const TENANT_STATUSES = ['PENDING', 'ACTIVE', 'REJECTED', 'SUSPENDED'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];
