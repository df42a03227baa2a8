import { Injectable } from '@nestjs/common';
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { TenantTx } from '../../db/database.js';
import {
  channelMembers,
  channels,
  chatAgentInboxes,
  chatAgents,
  conversations,
  users,
} from '../../db/schema/index.js';
import type { ConversationRow } from './conversation-dto.js';

/** The queries of automatic assignment. */
@Injectable()
export class AssignmentRepository {
  async inboxSettings(
    tx: TenantTx,
    channelId: string,
  ): Promise<{ autoAssign: boolean; maxOpenPerAgent: number } | undefined> {
    const [row] = await tx
      .select({ autoAssign: channels.autoAssign, maxOpenPerAgent: channels.maxOpenPerAgent })
      .from(channels)
      .where(eq(channels.id, channelId));
    return row;
  }

  /** The inbox's members who are active users, in a stable order (the rotation's order). */
  async activeMembers(tx: TenantTx, channelId: string): Promise<string[]> {
    const rows = await tx
      .select({ userId: channelMembers.userId })
      .from(channelMembers)
      .innerJoin(users, eq(users.id, channelMembers.userId))
      .where(and(eq(channelMembers.channelId, channelId), eq(users.isActive, true)))
      .orderBy(asc(channelMembers.userId));
    return rows.map((r) => r.userId);
  }

  /**
   * Serialises automatic assignment within a tenant until the transaction ends, so two conversations arriving
   * together both see the other's assignment when counting an agent's load.
   */
  async lockTenantAssignment(tx: TenantTx, tenantId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`assignment:${tenantId}`}, 0))`);
  }

  /** Open + pending conversations assigned to each of these users, over every inbox. */
  async openCounts(tx: TenantTx, userIds: string[]): Promise<Map<string, number>> {
    if (!userIds.length) return new Map();
    const rows = await tx
      .select({ userId: conversations.assigneeId, n: count() })
      .from(conversations)
      .where(
        and(inArray(conversations.assigneeId, userIds), inArray(conversations.status, ['open', 'pending'])),
      )
      .groupBy(conversations.assigneeId);
    return new Map(rows.map((r) => [r.userId!, r.n]));
  }

  /**
   * Whether an AI chat agent answers the conversation, or will claim it: it is an agent's already, or it was never
   * handed over to people and its inbox has an enabled agent. Such conversations reach people by a handoff.
   */
  async answeredByChatAgent(tx: TenantTx, id: string): Promise<boolean> {
    const [row] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(
        and(
          eq(conversations.id, id),
          sql`(${conversations.chatAgentId} is not null or (${conversations.aiHandoffAt} is null and exists (
            select 1 from ${chatAgentInboxes} join ${chatAgents} on ${chatAgents.id} = ${chatAgentInboxes.agentId}
            where ${chatAgentInboxes.channelId} = ${conversations.channelId} and ${chatAgents.enabled})))`,
        ),
      );
    return row !== undefined;
  }

  /** Only while still unassigned, not an AI agent's, and not closed: a choice made meanwhile wins. */
  async assignIfUnassigned(tx: TenantTx, id: string, userId: string): Promise<ConversationRow | undefined> {
    const [row] = await tx
      .update(conversations)
      .set({ assigneeId: userId, updatedAt: sql`now()` })
      .where(
        and(
          eq(conversations.id, id),
          isNull(conversations.assigneeId),
          isNull(conversations.chatAgentId),
          inArray(conversations.status, ['open', 'pending']),
        ),
      )
      .returning();
    return row;
  }
}
