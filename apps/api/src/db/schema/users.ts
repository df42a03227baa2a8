import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, uuid, uniqueIndex } from 'drizzle-orm/pg-core';
import { tenantIdColumn, createdAtColumn } from './columns.js';
import type { TenantRole } from '@orbitdesk/shared';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').$type<TenantRole>().notNull(),
    /** Null while an invitation is pending. */
    passwordHash: text('password_hash'),
    inviteTokenHash: text('invite_token_hash'),
    inviteExpiresAt: timestamp('invite_expires_at', { withTimezone: true }),
    isActive: boolean('is_active').notNull().default(true),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Login happens before any tenant is known, so the email is globally unique (a deliberate exception to
    // "indexes lead with tenant_id", like provider-id routing indexes).
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    uniqueIndex('users_invite_token_key').on(t.inviteTokenHash),
    index('users_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
  ],
);

/** Platform operators. They belong to no tenant and never pass through tenant-scoped queries. */
export const platformAdmins = pgTable(
  'platform_admins',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: createdAtColumn(),
  },
  (t) => [uniqueIndex('platform_admins_email_key').on(sql`lower(${t.email})`)],
);
