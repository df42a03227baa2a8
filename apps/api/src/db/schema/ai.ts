import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  customType,
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
import type {
  AiAgentMode,
  AiAgentTool,
  AiProvider,
  KnowledgeSourceStatus,
  KnowledgeSourceType,
  TAgentToolCallLog,
  TAiUsage,
} from '@orbitdesk/shared';
import { channels } from './channels.js';
import { createdAtColumn, tenantIdColumn } from './columns.js';
import { contacts } from './contacts.js';
import { conversations } from './conversations.js';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** One row per workspace: which provider answers by default, and its key (SecretBox, bound to the tenant id). */
export const aiSettings = pgTable('ai_settings', {
  tenantId: tenantIdColumn().primaryKey(),
  provider: text('provider').$type<AiProvider>().notNull().default('local'),
  model: text('model').notNull(),
  apiKeySealed: text('api_key_sealed'),
  apiKeyLast4: text('api_key_last4'),
  baseUrl: text('base_url'),
  understandingEnabled: boolean('understanding_enabled').notNull().default(true),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const knowledgeBases = pgTable(
  'knowledge_bases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    name: text('name').notNull(),
    description: text('description'),
    /** `provider:model` of every stored vector; a query is embedded by the same model. */
    embeddingModel: text('embedding_model').notNull(),
    /** Bumped on every chunk insert/delete, so in-memory vector indexes know they are stale. */
    indexVersion: integer('index_version').notNull().default(0),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('knowledge_bases_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    uniqueIndex('knowledge_bases_tenant_name_key').on(t.tenantId, t.name),
  ],
);

export const knowledgeSources = pgTable(
  'knowledge_sources',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    knowledgeBaseId: uuid('knowledge_base_id')
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
    type: text('type').$type<KnowledgeSourceType>().notNull(),
    name: text('name').notNull(),
    url: text('url'),
    mimeType: text('mime_type'),
    sizeBytes: integer('size_bytes'),
    /** Where the uploaded file or the pasted text is kept (StorageDriver key), so re-index needs no re-upload. */
    storageKey: text('storage_key'),
    status: text('status').$type<KnowledgeSourceStatus>().notNull().default('pending'),
    progress: integer('progress').notNull().default(0),
    error: text('error'),
    chunkCount: integer('chunk_count').notNull().default(0),
    indexedAt: timestamp('indexed_at', { withTimezone: true }),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('knowledge_sources_tenant_kb_created_idx').on(t.tenantId, t.knowledgeBaseId, t.createdAt, t.id),
    // The recovery sweep's unfinished sources, across tenants (KnowledgeRecoveryWorker): pending or processing
    // only, oldest change first.
    index('knowledge_sources_unfinished_idx')
      .on(t.updatedAt, t.id)
      .where(sql`${t.status} in ('pending', 'processing')`),
  ],
);

export const knowledgeChunks = pgTable(
  'knowledge_chunks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    knowledgeBaseId: uuid('knowledge_base_id')
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
    sourceId: uuid('source_id')
      .notNull()
      .references(() => knowledgeSources.id, { onDelete: 'cascade' }),
    /** Position of the chunk in its source. */
    seq: integer('seq').notNull(),
    text: text('text').notNull(),
    /** Full-text side of hybrid retrieval (english stemming; see docs/ai.md). */
    tsv: tsvector('tsv')
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector('english', text)`),
    /** Unit-length float32 vector, little-endian. */
    embedding: bytea('embedding').notNull(),
    /** The numeric key of this chunk in the in-memory vector index (usearch keys are integers). */
    vectorKey: bigserial('vector_key', { mode: 'number' }).notNull(),
    createdAt: createdAtColumn(),
  },
  (t) => [
    index('knowledge_chunks_tenant_kb_key_idx').on(t.tenantId, t.knowledgeBaseId, t.vectorKey),
    index('knowledge_chunks_tenant_source_seq_idx').on(t.tenantId, t.sourceId, t.seq),
    index('knowledge_chunks_tsv_idx').using('gin', t.tsv),
  ],
);

export const chatAgents = pgTable(
  'chat_agents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    name: text('name').notNull(),
    description: text('description'),
    mode: text('mode').$type<AiAgentMode>().notNull().default('rag'),
    /** Null: the workspace's AI settings. */
    provider: text('provider').$type<AiProvider>(),
    model: text('model'),
    systemPrompt: text('system_prompt').notNull().default(''),
    tools: text('tools')
      .array()
      .$type<AiAgentTool[]>()
      .notNull()
      .default(sql`'{}'::text[]`),
    maxIterations: integer('max_iterations').notNull().default(10),
    handoffKeywords: text('handoff_keywords')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('chat_agents_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    uniqueIndex('chat_agents_tenant_name_key').on(t.tenantId, t.name),
  ],
);

export const chatAgentKnowledgeBases = pgTable(
  'chat_agent_knowledge_bases',
  {
    tenantId: tenantIdColumn(),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => chatAgents.id, { onDelete: 'cascade' }),
    knowledgeBaseId: uuid('knowledge_base_id')
      .notNull()
      .references(() => knowledgeBases.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.agentId, t.knowledgeBaseId] })],
);

/** Which agent answers an inbox: at most one per inbox. */
export const chatAgentInboxes = pgTable(
  'chat_agent_inboxes',
  {
    tenantId: tenantIdColumn(),
    channelId: uuid('channel_id')
      .notNull()
      .references(() => channels.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => chatAgents.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.channelId] }),
    index('chat_agent_inboxes_tenant_agent_idx').on(t.tenantId, t.agentId),
  ],
);

/** One agent turn: what it answered, which tools it called with what result, and what it cost. */
export const aiAgentRuns = pgTable(
  'ai_agent_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    agentId: uuid('agent_id').references(() => chatAgents.id, { onDelete: 'set null' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    /** The inbound message answered. */
    messageId: uuid('message_id'),
    reply: text('reply'),
    fallbackUsed: boolean('fallback_used').notNull().default(false),
    fallbackReason: text('fallback_reason'),
    handoff: boolean('handoff').notNull().default(false),
    handoffReason: text('handoff_reason'),
    iterations: integer('iterations').notNull().default(0),
    toolCalls: jsonb('tool_calls').$type<TAgentToolCallLog[]>().notNull().default([]),
    citations: jsonb('citations').$type<unknown[]>().notNull().default([]),
    usage: jsonb('usage').$type<TAiUsage>(),
    error: text('error'),
    createdAt: createdAtColumn(),
  },
  (t) => [
    index('ai_agent_runs_tenant_conversation_idx').on(t.tenantId, t.conversationId, t.createdAt),
    // One answer per inbound message, however often the job is retried.
    uniqueIndex('ai_agent_runs_tenant_message_key')
      .on(t.tenantId, t.messageId)
      .where(sql`${t.messageId} is not null`),
  ],
);

export const appointments = pgTable(
  'appointments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    notes: text('notes'),
    /** `user:<id>`, `agent:<id>` (an AI agent) or `api`. */
    createdBy: text('created_by').notNull(),
    createdAt: createdAtColumn(),
  },
  (t) => [
    index('appointments_tenant_contact_starts_idx').on(t.tenantId, t.contactId, t.startsAt),
    index('appointments_tenant_starts_idx').on(t.tenantId, t.startsAt),
  ],
);
