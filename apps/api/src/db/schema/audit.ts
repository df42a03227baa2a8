import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, createdAtColumn } from './columns.js';

export type AuditActorType = 'user' | 'api_key' | 'platform_admin' | 'system';

export const auditLogs = pgTable(
  'audit_logs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    actorType: text('actor_type').$type<AuditActorType>().notNull(),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    ip: text('ip'),
    createdAt: createdAtColumn(),
  },
  (t) => [
    index('audit_logs_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('audit_logs_tenant_entity_idx').on(t.tenantId, t.entityType, t.entityId),
  ],
);
