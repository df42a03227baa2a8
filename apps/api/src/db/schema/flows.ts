import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type {
  FlowSessionStatus,
  FlowStatus,
  FlowTriggerType,
  FlowWaitingKind,
  TFlowGraph,
} from '@orbitdesk/shared';
import { contacts } from './contacts.js';
import { conversations } from './conversations.js';
import { createdAtColumn, tenantIdColumn } from './columns.js';

/** An automation: its trigger, its draft graph (the editor's document) and the version that runs. */
export const flows = pgTable(
  'flows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    name: text('name').notNull(),
    description: text('description'),
    status: text('status').$type<FlowStatus>().notNull().default('DRAFT'),
    triggerType: text('trigger_type').$type<FlowTriggerType>().notNull(),
    triggerSettings: jsonb('trigger_settings').$type<Record<string, unknown>>().notNull().default({}),
    /** Between flows whose triggers match the same message, the higher priority runs. */
    priority: integer('priority').notNull().default(0),
    /** The draft; what runs is the published version's snapshot. */
    graph: jsonb('graph').$type<TFlowGraph>().notNull(),
    /** Public URL token of a webhook trigger; looked up before any tenant is known. */
    webhookToken: uuid('webhook_token'),
    /** HMAC secret the webhook caller signs with, sealed with SecretBox (associated data: tenant id). */
    webhookSecret: text('webhook_secret'),
    publishedVersionId: uuid('published_version_id'),
    createdAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('flows_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('flows_tenant_status_trigger_idx').on(t.tenantId, t.status, t.triggerType),
    // Webhook triggers find their flow by the URL token before the tenant is known (docs/tenancy.md).
    uniqueIndex('flows_webhook_token_key')
      .on(t.webhookToken)
      .where(sql`${t.webhookToken} is not null`),
  ],
);

/** An immutable snapshot of a flow's graph, made by publishing; sessions run on the version they started on. */
export const flowVersions = pgTable(
  'flow_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    graph: jsonb('graph').$type<TFlowGraph>().notNull(),
    createdAt: createdAtColumn(),
  },
  (t) => [uniqueIndex('flow_versions_tenant_flow_version_key').on(t.tenantId, t.flowId, t.version)],
);

/** What the run was started or last resumed with: the template scope beyond the contact and variables. */
export interface FlowSessionContext {
  message: { id: string; type: string; text: string | null; content: Record<string, unknown> } | null;
  webhook: {
    body: unknown;
    query: Record<string, string | string[]>;
    headers: Record<string, string>;
    method: string;
    receivedAt: string;
    token: string;
  } | null;
}

/** One run of a flow for one contact (or one webhook call), durable across process restarts. */
export const flowSessions = pgTable(
  'flow_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    /** Null only for a test run of the draft graph. */
    versionId: uuid('version_id').references(() => flowVersions.id, { onDelete: 'cascade' }),
    contactId: uuid('contact_id').references(() => contacts.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    currentNodeId: text('current_node_id'),
    variables: jsonb('variables').$type<Record<string, unknown>>().notNull().default({}),
    context: jsonb('context').$type<FlowSessionContext>().notNull(),
    status: text('status').$type<FlowSessionStatus>().notNull(),
    waitingKind: text('waiting_kind').$type<FlowWaitingKind>(),
    waitingUntil: timestamp('waiting_until', { withTimezone: true }),
    /** The port a wait takes when `waitingUntil` passes (Wait for Reply's timeout branch). */
    timeoutPort: text('timeout_port'),
    /** Nodes run over the session's whole life: the loop guard across waits. */
    steps: integer('steps').notNull().default(0),
    error: text('error'),
    /** Ended by Human Handoff: message triggers leave the conversation to people while it stays open. */
    handedOff: boolean('handed_off').notNull().default(false),
    testMode: boolean('test_mode').notNull().default(false),
    startedAt: createdAtColumn(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    index('flow_sessions_tenant_flow_started_idx').on(t.tenantId, t.flowId, t.startedAt, t.id),
    index('flow_sessions_tenant_contact_status_idx').on(t.tenantId, t.contactId, t.status),
    index('flow_sessions_tenant_conversation_idx').on(t.tenantId, t.conversationId, t.startedAt),
    // The recovery sweep's overdue timers, across tenants (FlowWaitRecoveryWorker): timed waits only, in time
    // order, so a sweep reads the overdue ones and stops (a long Delay can keep many sessions waiting).
    index('flow_sessions_waiting_until_idx')
      .on(t.waitingUntil, t.id)
      .where(sql`${t.status} = 'waiting' and ${t.waitingUntil} is not null`),
    // One live session per contact and flow: a trigger that fires again while one runs or waits starts nothing.
    uniqueIndex('flow_sessions_tenant_flow_contact_live_key')
      .on(t.tenantId, t.flowId, t.contactId)
      .where(sql`${t.status} in ('running', 'waiting') and not ${t.testMode} and ${t.contactId} is not null`),
  ],
);

/** One executed node of a session: what it was given, what it produced, how long it took, what went wrong. */
export const flowSessionLogs = pgTable(
  'flow_session_logs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: tenantIdColumn(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => flowSessions.id, { onDelete: 'cascade' }),
    /** Order within the session (the session's step counter when the node ran). */
    step: integer('step').notNull(),
    nodeId: text('node_id').notNull(),
    nodeType: text('node_type').notNull(),
    input: jsonb('input').$type<unknown>(),
    output: jsonb('output').$type<unknown>(),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    at: createdAtColumn(),
  },
  (t) => [index('flow_session_logs_tenant_session_step_idx').on(t.tenantId, t.sessionId, t.step)],
);
