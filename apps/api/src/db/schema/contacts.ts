import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantIdColumn, createdAtColumn } from './columns.js';

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    /** E.164, normalised with libphonenumber-js. */
    phone: text('phone'),
    name: text('name'),
    /** Stored lower-case. */
    email: text('email'),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    customFields: jsonb('custom_fields').$type<Record<string, unknown>>().notNull().default({}),
    optedIn: boolean('opted_in').notNull().default(false),
    isOnDncList: boolean('is_on_dnc_list').notNull().default(false),
    avatarUrl: text('avatar_url'),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('contacts_tenant_phone_key')
      .on(t.tenantId, t.phone)
      .where(sql`${t.phone} is not null`),
    uniqueIndex('contacts_tenant_email_key')
      .on(t.tenantId, t.email)
      .where(sql`${t.email} is not null`),
    index('contacts_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('contacts_tenant_name_idx').on(t.tenantId, t.name, t.id),
    // Trigram search on name, email and phone; btree_gin lets the GIN index lead with tenant_id.
    index('contacts_tenant_search_idx').using(
      'gin',
      t.tenantId,
      sql`(coalesce(${t.name}, '') || ' ' || coalesce(${t.email}, '') || ' ' || coalesce(${t.phone}, '')) gin_trgm_ops`,
    ),
    index('contacts_tenant_tags_idx').using('gin', t.tenantId, t.tags),
  ],
);

/** One contact reachable on several channels: a WhatsApp number, a Telegram chat id, a widget visitor id, ... */
export const contactIdentities = pgTable(
  'contact_identities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    channelType: text('channel_type').notNull(),
    identifier: text('identifier').notNull(),
    createdAt: createdAtColumn(),
  },
  (t) => [
    uniqueIndex('contact_identities_tenant_channel_identifier_key').on(
      t.tenantId,
      t.channelType,
      t.identifier,
    ),
    index('contact_identities_tenant_contact_idx').on(t.tenantId, t.contactId),
  ],
);
