import { z } from 'zod';
import { TENANT_STATUSES } from '../constants/roles.js';
import { ZCursorQuery, ZIsoDate, ZPage } from './common.js';
import { ZUser } from './users.js';

export const ZTenant = z.object({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(TENANT_STATUSES),
  statusReason: z.string().nullable(),
  createdAt: ZIsoDate,
  approvedAt: ZIsoDate.nullable(),
});
export type TTenant = z.infer<typeof ZTenant>;

export const ZListTenantsQuery = ZCursorQuery.extend({
  status: z.enum(TENANT_STATUSES).optional(),
  search: z.string().trim().min(1).max(100).optional(),
});
export type TListTenantsQuery = z.infer<typeof ZListTenantsQuery>;
export const ZTenantPage = ZPage(ZTenant);
export type TTenantPage = z.infer<typeof ZTenantPage>;

export const ZTenantDecisionRequest = z.strictObject({
  reason: z.string().trim().min(1).max(500).optional(),
});
export type TTenantDecisionRequest = z.infer<typeof ZTenantDecisionRequest>;

export const ZPlatformUser = ZUser.extend({ tenantName: z.string() });
export const ZListPlatformUsersQuery = ZCursorQuery.extend({
  tenantId: z.uuid().optional(),
  search: z.string().trim().min(1).max(100).optional(),
});
export type TListPlatformUsersQuery = z.infer<typeof ZListPlatformUsersQuery>;
export const ZPlatformUserPage = ZPage(ZPlatformUser);
export type TPlatformUserPage = z.infer<typeof ZPlatformUserPage>;
export type TPlatformUser = z.infer<typeof ZPlatformUser>;
