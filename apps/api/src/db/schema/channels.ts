import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
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
  },
  (t) => [index('channels_tenant_created_idx').on(t.tenantId, t.createdAt, t.id)],
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
