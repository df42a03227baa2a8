import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { tenantIdColumn, createdAtColumn } from './columns.js';
import { users } from './users.js';

/** An inbox: one connected account (an API channel, a WhatsApp number, a bot, a mailbox, a widget). */
export const channels = pgTable(
  'channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    type: text('type').notNull(),
    name: text('name').notNull(),
    /** Non-secret settings (callback URL, phone number id, ...). */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    /** Secrets as one SecretBox ciphertext of a JSON object, bound to the tenant id. */
    credentials: text('credentials'),
    isActive: boolean('is_active').notNull().default(true),
    /** Round-robin assignment among the inbox's online agents, each holding at most this many open conversations. */
    autoAssign: boolean('auto_assign').notNull().default(false),
    maxOpenPerAgent: integer('max_open_per_agent').notNull().default(10),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The provider's id of the account (WhatsApp phone_number_id, Page id, Instagram account id, Telegram bot id,
     * Twilio number, mailbox address, widget token): what provider webhooks are routed by, before any tenant is
     * known. One inbox per account across all workspaces.
     */
    externalId: text('external_id'),
    /** SHA-256 (hex) of the token a provider presents to find the inbox: Meta's verify token, Telegram's path. */
    webhookTokenHash: text('webhook_token_hash'),
    /** The adapter's own bookkeeping (IMAP UID cursor, link state, bot username); never shown to tenants raw. */
    state: jsonb('state').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('channels_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    uniqueIndex('channels_type_external_id_key')
      .on(t.type, t.externalId)
      .where(sql`${t.externalId} is not null`),
    uniqueIndex('channels_webhook_token_hash_key')
      .on(t.webhookTokenHash)
      .where(sql`${t.webhookTokenHash} is not null`),
  ],
);

/**
 * Key-value secrets an adapter keeps for one inbox beyond its credentials (the WhatsApp linked device's Signal
 * keys): each value is a SecretBox ciphertext bound to the tenant.
 */
export const channelAuthKeys = pgTable(
  'channel_auth_keys',
  {
    tenantId: tenantIdColumn(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: text('value').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.channelId, t.key] })],
);

export const channelMembers = pgTable(
  'channel_members',
  {
    tenantId: tenantIdColumn(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.channelId, t.userId] })],
);
