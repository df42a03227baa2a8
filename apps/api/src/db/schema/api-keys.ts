import { index, pgTable, text, timestamp, uuid, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantIdColumn, createdAtColumn } from './columns.js';
import type { ApiKeyScope } from '@orbitdesk/shared';

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    name: text('name').notNull(),
    /** SHA-256 (hex) of the raw key; the raw key is never stored. */
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    scopes: text('scopes').array().$type<ApiKeyScope[]>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    createdBy: uuid('created_by'),
    createdAt: createdAtColumn(),
  },
  (t) => [
    // Authentication looks a key up by its hash before the tenant is known.
    uniqueIndex('api_keys_key_hash_key').on(t.keyHash),
    index('api_keys_tenant_created_idx').on(t.tenantId, t.createdAt),
  ],
);
