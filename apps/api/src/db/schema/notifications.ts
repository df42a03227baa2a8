import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAtColumn, tenantIdColumn } from './columns.js';
import { users } from './users.js';

/** A user's notifications (mentions, assignments); pushed live and kept so nobody misses one while offline. */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').$type<'mention' | 'assignment'>().notNull(),
    conversationId: uuid('conversation_id'),
    messageId: uuid('message_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: createdAtColumn(),
  },
  (t) => [index('notifications_tenant_user_created_idx').on(t.tenantId, t.userId, t.createdAt, t.id)],
);
