import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { tenantIdColumn, createdAtColumn } from './columns.js';
import { channels } from './channels.js';
import { contacts } from './contacts.js';
import { users } from './users.js';

export const teams = pgTable(
  'teams',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    name: text('name').notNull(),
    createdAt: createdAtColumn(),
  },
  (t) => [uniqueIndex('teams_tenant_name_key').on(t.tenantId, t.name)],
);

export const teamMembers = pgTable(
  'team_members',
  {
    tenantId: tenantIdColumn(),
    teamId: uuid('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.teamId, t.userId] })],
);

/** Per-tenant counters (conversation numbers); one row per tenant and name, incremented under its row lock. */
export const tenantSequences = pgTable(
  'tenant_sequences',
  {
    tenantId: tenantIdColumn(),
    name: text('name').notNull(),
    value: bigint('value', { mode: 'number' }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.name] })],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    number: integer('number').notNull(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    status: text('status').$type<'open' | 'pending' | 'snoozed' | 'resolved'>().notNull().default('open'),
    snoozedUntil: timestamp('snoozed_until', { withTimezone: true }),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    priority: text('priority')
      .$type<'none' | 'low' | 'medium' | 'high' | 'urgent'>()
      .notNull()
      .default('none'),
    lastMessagePreview: text('last_message_preview'),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    /** Start of the customer-service window (24 h on WhatsApp, Messenger, Instagram). */
    lastInboundAt: timestamp('last_inbound_at', { withTimezone: true }),
    unreadCount: integer('unread_count').notNull().default(0),
    /** Set when the contact writes and nobody has answered yet. */
    waitingSince: timestamp('waiting_since', { withTimezone: true }),
    /** The AI chat agent answering (chat_agents.id; no FK so the schema files stay acyclic, cleared on delete). */
    chatAgentId: uuid('chat_agent_id'),
    /** When the bot handed over to a human: an agent never claims the conversation again. */
    aiHandoffAt: timestamp('ai_handoff_at', { withTimezone: true }),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('conversations_tenant_number_key').on(t.tenantId, t.number),
    // The inbox list: newest activity first, keyset on (last_message_at, id).
    index('conversations_tenant_last_msg_idx').on(t.tenantId, t.lastMessageAt, t.id),
    index('conversations_tenant_status_last_msg_idx').on(t.tenantId, t.status, t.lastMessageAt, t.id),
    index('conversations_tenant_assignee_status_idx').on(t.tenantId, t.assigneeId, t.status),
    index('conversations_tenant_contact_channel_idx').on(t.tenantId, t.contactId, t.channelId, t.createdAt),
    index('conversations_tenant_snoozed_idx')
      .on(t.tenantId, t.snoozedUntil)
      .where(sql`${t.status} = 'snoozed'`),
  ],
);

export type MessageDirection = 'in' | 'out';
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type MessageSenderType = 'contact' | 'user' | 'bot' | 'flow' | 'campaign';

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    direction: text('direction').$type<MessageDirection>().notNull(),
    type: text('type').notNull(),
    content: jsonb('content').$type<Record<string, unknown>>().notNull(),
    providerMessageId: text('provider_message_id'),
    status: text('status').$type<MessageStatus>().notNull(),
    failureReason: text('failure_reason'),
    senderType: text('sender_type').$type<MessageSenderType>().notNull(),
    senderId: text('sender_id'),
    /** Private notes never leave the platform. */
    isPrivate: boolean('is_private').notNull().default(false),
    /** Message understanding (inbound only), filled in by the AI job after the message is stored. */
    intent: text('intent'),
    intentConfidence: real('intent_confidence'),
    sentiment: real('sentiment'),
    language: text('language'),
    understandingModel: text('understanding_model'),
    /**
     * Outbound, sent in several parts (a Telegram text over 4,096 characters): how many were delivered, so a send
     * tried again (a retry, or a job re-added after Redis lost it) skips them.
     */
    partsSent: integer('parts_sent').notNull().default(0),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // A provider delivering the same message twice is stored once.
    uniqueIndex('messages_tenant_channel_provider_id_key')
      .on(t.tenantId, t.channelId, t.providerMessageId)
      .where(sql`${t.providerMessageId} is not null`),
    index('messages_tenant_conversation_created_idx').on(t.tenantId, t.conversationId, t.createdAt, t.id),
    index('messages_tenant_created_idx').on(t.tenantId, t.createdAt),
    // The outbound recovery sweep: few rows are queued at any time, so this stays small.
    index('messages_tenant_queued_idx')
      .on(t.tenantId, t.createdAt)
      .where(sql`${t.status} = 'queued'`),
  ],
);
