import { timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/** The owning tenant: required, and the tenant's deletion removes the row. Every tenant-owned table has it. */
export const tenantIdColumn = () =>
  uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' });

/** Millisecond precision, so the JS Date in a pagination cursor round-trips exactly. */
export const createdAtColumn = () =>
  timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();
