import { bigint, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAtColumn, tenantIdColumn } from './columns.js';

/** Files uploaded by agents or fetched from channel providers; the bytes live in the storage driver. */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    /** `${tenantId}/${yyyy}/${mm}/${id}`, validated by the storage drivers. */
    storageKey: text('storage_key').notNull(),
    /** Display name only (path parts and control characters removed); never used as a path. */
    fileName: text('file_name').notNull(),
    /** Sniffed from the first bytes when recognised, otherwise the declared type. */
    contentType: text('content_type').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    /** Hex SHA-256 of the stored bytes. */
    sha256: text('sha256').notNull(),
    /** The user who uploaded it; null for API keys and channel adapters. */
    uploadedBy: uuid('uploaded_by'),
    createdAt: createdAtColumn(),
  },
  (t) => [index('attachments_tenant_created_idx').on(t.tenantId, t.createdAt)],
);
