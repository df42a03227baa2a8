import type { ApiKeyScope, TenantRole } from '@orbitdesk/shared';

export type Principal =
  | { kind: 'user'; userId: string; tenantId: string; role: TenantRole }
  | { kind: 'platform_admin'; adminId: string; role: 'SUPERADMIN' }
  | { kind: 'api_key'; keyId: string; tenantId: string; scopes: ApiKeyScope[] };

/** Who to record in the audit log for this principal. */
export function actorOf(p: Principal | undefined): {
  actorType: 'user' | 'api_key' | 'platform_admin' | 'system';
  actorId: string | null;
} {
  if (!p) return { actorType: 'system', actorId: null };
  switch (p.kind) {
    case 'user':
      return { actorType: 'user', actorId: p.userId };
    case 'platform_admin':
      return { actorType: 'platform_admin', actorId: p.adminId };
    case 'api_key':
      return { actorType: 'api_key', actorId: p.keyId };
  }
}
