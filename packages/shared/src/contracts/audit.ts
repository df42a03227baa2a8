import { z } from 'zod';
import { ZCursorQuery, ZIsoDate, ZPage } from './common.js';

export const ZAuditEntry = z.object({
  id: z.uuid(),
  actorType: z.enum(['user', 'api_key', 'platform_admin', 'system']),
  actorId: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  createdAt: ZIsoDate,
});
export type TAuditEntry = z.infer<typeof ZAuditEntry>;

export const ZListAuditQuery = ZCursorQuery.extend({
  entityType: z.string().max(50).optional(),
  entityId: z.string().max(100).optional(),
});
export type TListAuditQuery = z.infer<typeof ZListAuditQuery>;
export const ZAuditPage = ZPage(ZAuditEntry);
export type TAuditPage = z.infer<typeof ZAuditPage>;
