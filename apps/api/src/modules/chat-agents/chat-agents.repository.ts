import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, inArray, gt, isNull, lt, ne, sql } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import {
  aiAgentRuns,
  channels,
  chatAgentInboxes,
  chatAgentKnowledgeBases,
  chatAgents,
  contacts,
  conversations,
  knowledgeBases,
  messages,
  tenants,
} from '../../db/schema/index.js';
import type { ContactRow, ConversationRow, MessageRow } from '../conversations/conversation-dto.js';

export type ChatAgentRow = typeof chatAgents.$inferSelect;
export type NewChatAgentRow = typeof chatAgents.$inferInsert;
export type AgentRunRow = typeof aiAgentRuns.$inferSelect;
export type NewAgentRunRow = typeof aiAgentRuns.$inferInsert;

/** An agent with the ids it is linked to. */
export interface ChatAgentWithLinks {
  agent: ChatAgentRow;
  knowledgeBaseIds: string[];
  inboxIds: string[];
}

/** What one reply needs to know about the conversation it answers. */
export interface ReplyContext {
  conversation: ConversationRow;
  channelType: string;
  contact: ContactRow;
  tenantName: string;
}

@Injectable()
export class ChatAgentsRepository {
  async list(tx: TenantTx): Promise<ChatAgentWithLinks[]> {
    const rows = await tx.select().from(chatAgents).orderBy(asc(chatAgents.createdAt), asc(chatAgents.id));
    return this.withLinks(tx, rows);
  }

  async findById(tx: TenantTx, id: string): Promise<ChatAgentWithLinks | undefined> {
    const [row] = await tx.select().from(chatAgents).where(eq(chatAgents.id, id));
    if (!row) return undefined;
    return (await this.withLinks(tx, [row]))[0];
  }

  async lockById(tx: TenantTx, id: string): Promise<ChatAgentRow | undefined> {
    const [row] = await tx.select().from(chatAgents).where(eq(chatAgents.id, id)).for('update');
    return row;
  }

  async insert(tx: TenantTx, values: NewChatAgentRow): Promise<ChatAgentRow> {
    const [row] = await tx.insert(chatAgents).values(values).returning();
    return row!;
  }

  async update(tx: TenantTx, id: string, values: Partial<NewChatAgentRow>): Promise<ChatAgentRow> {
    const [row] = await tx
      .update(chatAgents)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(chatAgents.id, id))
      .returning();
    return row!;
  }

  async delete(tx: TenantTx, id: string): Promise<void> {
    await tx.delete(chatAgents).where(eq(chatAgents.id, id));
  }

  /** Which of these ids are knowledge bases of this tenant (RLS hides everyone else's). */
  async existingKnowledgeBaseIds(tx: TenantTx, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await tx
      .select({ id: knowledgeBases.id })
      .from(knowledgeBases)
      .where(inArray(knowledgeBases.id, ids));
    return new Set(rows.map((r) => r.id));
  }

  /** Which of these ids are inboxes of this tenant. */
  async existingInboxIds(tx: TenantTx, ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const rows = await tx.select({ id: channels.id }).from(channels).where(inArray(channels.id, ids));
    return new Set(rows.map((r) => r.id));
  }

  async replaceKnowledgeBases(tx: TenantTx, tenantId: string, agentId: string, ids: string[]): Promise<void> {
    await tx.delete(chatAgentKnowledgeBases).where(eq(chatAgentKnowledgeBases.agentId, agentId));
    if (ids.length) {
      await tx
        .insert(chatAgentKnowledgeBases)
        .values(ids.map((knowledgeBaseId) => ({ tenantId, agentId, knowledgeBaseId })));
    }
  }

  /**
   * The agent answers exactly these inboxes. An inbox has at most one agent (its primary key), so naming an inbox
   * that another agent answers moves it here.
   */
  async replaceInboxes(tx: TenantTx, tenantId: string, agentId: string, ids: string[]): Promise<void> {
    await tx.delete(chatAgentInboxes).where(eq(chatAgentInboxes.agentId, agentId));
    if (!ids.length) return;
    await tx
      .insert(chatAgentInboxes)
      .values(ids.map((channelId) => ({ tenantId, channelId, agentId })))
      .onConflictDoUpdate({
        target: [chatAgentInboxes.tenantId, chatAgentInboxes.channelId],
        set: { agentId: sql`excluded.agent_id` },
      });
  }

  /** The conversations the agent answers stop being its own (they stay open, waiting for people). */
  releaseConversations(tx: TenantTx, agentId: string): Promise<ConversationRow[]> {
    return tx
      .update(conversations)
      .set({ chatAgentId: null, updatedAt: sql`now()` })
      .where(eq(conversations.chatAgentId, agentId))
      .returning();
  }

  /** Inboxes that an enabled agent answers. */
  async answeredInboxIds(tx: TenantTx): Promise<string[]> {
    const rows = await tx
      .select({ channelId: chatAgentInboxes.channelId })
      .from(chatAgentInboxes)
      .innerJoin(chatAgents, eq(chatAgents.id, chatAgentInboxes.agentId))
      .where(eq(chatAgents.enabled, true));
    return rows.map((r) => r.channelId);
  }

  /** The enabled agent answering an inbox, if any. */
  async enabledAgentOfInbox(tx: TenantTx, channelId: string): Promise<ChatAgentRow | undefined> {
    const [row] = await tx
      .select({ agent: chatAgents })
      .from(chatAgentInboxes)
      .innerJoin(chatAgents, eq(chatAgents.id, chatAgentInboxes.agentId))
      .where(and(eq(chatAgentInboxes.channelId, channelId), eq(chatAgents.enabled, true)));
    return row?.agent;
  }

  async knowledgeBaseIdsOf(tx: TenantTx, agentId: string): Promise<string[]> {
    const rows = await tx
      .select({ id: chatAgentKnowledgeBases.knowledgeBaseId })
      .from(chatAgentKnowledgeBases)
      .where(eq(chatAgentKnowledgeBases.agentId, agentId));
    return rows.map((r) => r.id);
  }

  /**
   * The agent takes the conversation, only if nobody has it: no agent, no person, and it was never handed over to
   * people. A person's assignment made meanwhile wins.
   */
  async claim(tx: TenantTx, conversationId: string, agentId: string): Promise<ConversationRow | undefined> {
    const [row] = await tx
      .update(conversations)
      .set({ chatAgentId: agentId, updatedAt: sql`now()` })
      .where(
        and(
          eq(conversations.id, conversationId),
          isNull(conversations.chatAgentId),
          isNull(conversations.assigneeId),
          isNull(conversations.aiHandoffAt),
          ne(conversations.status, 'resolved'),
        ),
      )
      .returning();
    return row;
  }

  /** The agent lets go of the conversation for good: people answer it from now on. */
  async handOver(
    tx: TenantTx,
    conversationId: string,
    agentId: string,
  ): Promise<ConversationRow | undefined> {
    const [row] = await tx
      .update(conversations)
      .set({ chatAgentId: null, aiHandoffAt: sql`now()`, updatedAt: sql`now()` })
      .where(and(eq(conversations.id, conversationId), eq(conversations.chatAgentId, agentId)))
      .returning();
    return row;
  }

  async replyContext(tx: TenantTx, conversationId: string): Promise<ReplyContext | undefined> {
    const [row] = await tx
      .select({
        conversation: conversations,
        channelType: channels.type,
        contact: contacts,
        tenantName: tenants.name,
      })
      .from(conversations)
      .innerJoin(channels, eq(channels.id, conversations.channelId))
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .innerJoin(tenants, eq(tenants.id, conversations.tenantId))
      .where(eq(conversations.id, conversationId));
    return row;
  }

  /** The conversation, locked until the transaction ends (a person's assignment waits for the bot's reply). */
  async lockConversation(tx: TenantTx, id: string): Promise<ConversationRow | undefined> {
    const [row] = await tx.select().from(conversations).where(eq(conversations.id, id)).for('update');
    return row;
  }

  /** The workspace's name (RLS shows a tenant its own row only). */
  async tenantName(tx: TenantTx): Promise<string> {
    const [row] = await tx.select({ name: tenants.name }).from(tenants);
    return row?.name ?? '';
  }

  async findMessage(tx: TenantTx, id: string): Promise<MessageRow | undefined> {
    const [row] = await tx.select().from(messages).where(eq(messages.id, id));
    return row;
  }

  /**
   * The conversation's text turns (before `before`, when given), newest first: what the contact wrote and what was
   * sent to them (notes are for colleagues and never part of it).
   */
  history(
    tx: TenantTx,
    conversationId: string,
    before: Pick<MessageRow, 'id' | 'createdAt'> | undefined,
    limit: number,
  ): Promise<MessageRow[]> {
    return tx
      .select()
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversationId),
          eq(messages.isPrivate, false),
          eq(messages.type, 'text'),
          ...(before ? [ne(messages.id, before.id), lt(messages.createdAt, before.createdAt)] : []),
        ),
      )
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(limit);
  }

  /**
   * Whether the contact wrote again in this conversation after `message` (a later inbound message that is not a
   * note). Inbound messages of one conversation never share a millisecond (inbound_ingest spaces them).
   */
  async wroteAgainAfter(
    tx: TenantTx,
    conversationId: string,
    message: Pick<MessageRow, 'createdAt'>,
  ): Promise<boolean> {
    const [row] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(
          eq(messages.conversationId, conversationId),
          eq(messages.direction, 'in'),
          eq(messages.isPrivate, false),
          gt(messages.createdAt, message.createdAt),
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  async runOfMessage(tx: TenantTx, messageId: string): Promise<AgentRunRow | undefined> {
    const [row] = await tx.select().from(aiAgentRuns).where(eq(aiAgentRuns.messageId, messageId));
    return row;
  }

  /** Undefined when this message already has its run: it was answered before (a retried or repeated job). */
  async insertRun(tx: TenantTx, values: NewAgentRunRow): Promise<AgentRunRow | undefined> {
    const [row] = await tx
      .insert(aiAgentRuns)
      .values(values)
      .onConflictDoNothing({
        target: [aiAgentRuns.tenantId, aiAgentRuns.messageId],
        where: sql`${aiAgentRuns.messageId} is not null`,
      })
      .returning();
    return row;
  }

  async setRunError(tx: TenantTx, id: string, error: string): Promise<void> {
    await tx.update(aiAgentRuns).set({ error }).where(eq(aiAgentRuns.id, id));
  }

  private async withLinks(tx: TenantTx, rows: ChatAgentRow[]): Promise<ChatAgentWithLinks[]> {
    const ids = rows.map((r) => r.id);
    const kbs = new Map<string, string[]>(ids.map((id) => [id, []]));
    const inboxes = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length) {
      const kbRows = await tx
        .select({ agentId: chatAgentKnowledgeBases.agentId, id: chatAgentKnowledgeBases.knowledgeBaseId })
        .from(chatAgentKnowledgeBases)
        .where(inArray(chatAgentKnowledgeBases.agentId, ids))
        .orderBy(asc(chatAgentKnowledgeBases.knowledgeBaseId));
      for (const r of kbRows) kbs.get(r.agentId)?.push(r.id);
      const inboxRows = await tx
        .select({ agentId: chatAgentInboxes.agentId, id: chatAgentInboxes.channelId })
        .from(chatAgentInboxes)
        .where(inArray(chatAgentInboxes.agentId, ids))
        .orderBy(asc(chatAgentInboxes.channelId));
      for (const r of inboxRows) inboxes.get(r.agentId)?.push(r.id);
    }
    return rows.map((agent) => ({
      agent,
      knowledgeBaseIds: kbs.get(agent.id) ?? [],
      inboxIds: inboxes.get(agent.id) ?? [],
    }));
  }
}
