import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAtColumn } from './columns.js';

/**
 * One row per issued refresh token (its jti). Tokens of one login form a family; presenting a token that was
 * already rotated revokes the whole family. Looked up by jti before any tenant is known, so it is not RLS-scoped;
 * only the auth service reads it.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey(),
    familyId: uuid('family_id').notNull(),
    subjectType: text('subject_type').$type<'user' | 'platform_admin'>().notNull(),
    subjectId: uuid('subject_id').notNull(),
    tenantId: uuid('tenant_id'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAtColumn(),
  },
  (t) => [
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_subject_idx').on(t.subjectId),
  ],
);
