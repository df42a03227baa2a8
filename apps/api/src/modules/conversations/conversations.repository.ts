import { Injectable } from '@nestjs/common';
import { and, arrayContains, desc, eq, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { Database, type TenantTx } from '../../db/database.js';
import { contacts, conversations, messages, teams, users } from '../../db/schema/index.js';
import { keysetBefore, likePattern } from '../../db/query-helpers.js';
import type { Cursor } from '../../common/http/pagination.js';
import type { ConversationRow, MessageRow } from './conversation-dto.js';

export interface ConversationFilter {
  status?: ConversationRow['status'];
  /** A user id, or null for unassigned. */
  assigneeId?: string | null;
  channelId?: string;
  /** A team id, or null for conversations without a team. */
  teamId?: string | null;
  priority?: ConversationRow['priority'];
  tag?: string;
  q?: string;
}

@Injectable()
export class ConversationsRepository {
  constructor(private readonly db: Database) {}

  /** Newest activity first, keyset on (last_message_at, id). */
  list(tx: TenantTx, f: ConversationFilter & { cursor?: Cursor; limit: number }): Promise<ConversationRow[]> {
    const where: SQL[] = [];
    if (f.status) where.push(eq(conversations.status, f.status));
    if (f.assigneeId === null) where.push(isNull(conversations.assigneeId));
    else if (f.assigneeId) where.push(eq(conversations.assigneeId, f.assigneeId));
    if (f.channelId) where.push(eq(conversations.channelId, f.channelId));
    if (f.teamId === null) where.push(isNull(conversations.teamId));
    else if (f.teamId) where.push(eq(conversations.teamId, f.teamId));
    if (f.priority) where.push(eq(conversations.priority, f.priority));
    if (f.tag) where.push(arrayContains(conversations.tags, [f.tag]));
    if (f.q) {
      const pattern = likePattern(f.q);
      where.push(or(ilike(contacts.name, pattern), ilike(conversations.lastMessagePreview, pattern))!);
    }
    if (f.cursor) where.push(keysetBefore(conversations.lastMessageAt, conversations.id, f.cursor));
    const base = tx.select({ conversation: conversations }).from(conversations);
    const query = f.q ? base.innerJoin(contacts, eq(contacts.id, conversations.contactId)) : base;
    return query
      .where(and(...where))
      .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
      .limit(f.limit + 1)
      .then((rows) => rows.map((r) => r.conversation));
  }

  async findById(tx: TenantTx, id: string): Promise<ConversationRow | undefined> {
    const [row] = await tx.select().from(conversations).where(eq(conversations.id, id));
    return row;
  }

  async update(
    tx: TenantTx,
    id: string,
    values: Partial<
      Pick<ConversationRow, 'status' | 'assigneeId' | 'teamId' | 'tags' | 'priority' | 'snoozedUntil'>
    >,
  ): Promise<ConversationRow> {
    const [row] = await tx
      .update(conversations)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(conversations.id, id))
      .returning();
    return row!;
  }

  /** Clears the unread count; returns the conversation and its latest inbound message (what the provider is told). */
  async markRead(
    tx: TenantTx,
    id: string,
  ): Promise<{ row: ConversationRow; changed: boolean; lastInbound: MessageRow | undefined } | undefined> {
    const existing = await this.findById(tx, id);
    if (!existing) return undefined;
    const row =
      existing.unreadCount === 0
        ? existing
        : (
            await tx
              .update(conversations)
              .set({ unreadCount: 0, updatedAt: sql`now()` })
              .where(eq(conversations.id, id))
              .returning()
          )[0]!;
    const [lastInbound] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, id), eq(messages.direction, 'in')))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(1);
    return { row, changed: existing.unreadCount !== 0, lastInbound };
  }

  /** An assignee must be an active user of this tenant (RLS hides everyone else's users). */
  async isActiveUser(tx: TenantTx, userId: string): Promise<boolean> {
    const [row] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, userId), eq(users.isActive, true)));
    return row !== undefined;
  }

  async teamExists(tx: TenantTx, teamId: string): Promise<boolean> {
    const [row] = await tx.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId));
    return row !== undefined;
  }

  /**
   * Ends a snooze that is due: still snoozed, until no later than `due` (the time its wake-up job was for) or
   * now. Undefined when there is nothing to do (woken already, re-snoozed later, deleted).
   */
  async wakeIfDue(tx: TenantTx, id: string, due: Date): Promise<ConversationRow | undefined> {
    const [row] = await tx
      .update(conversations)
      .set({ status: 'open', snoozedUntil: null, updatedAt: sql`now()` })
      .where(
        and(
          eq(conversations.id, id),
          eq(conversations.status, 'snoozed'),
          sql`${conversations.snoozedUntil} <= greatest(now(), ${due.toISOString()}::timestamptz)`,
        ),
      )
      .returning();
    return row;
  }

  /**
   * The sweeper's safety net, across every tenant (it serves no request, so there is no tenant to scope to):
   * opens up to `limit` conversations whose snooze is over, through the partial index on snoozed rows. Rows
   * another sweeper holds are skipped, so concurrent workers never wake one twice.
   */
  async unsafeWakeOverdue(limit: number): Promise<ConversationRow[]> {
    const due = this.db.unsafe
      .select({ id: conversations.id })
      .from(conversations)
      .where(and(eq(conversations.status, 'snoozed'), sql`${conversations.snoozedUntil} <= now()`))
      .limit(limit)
      .for('update', { skipLocked: true });
    return this.db.unsafe
      .update(conversations)
      .set({ status: 'open', snoozedUntil: null, updatedAt: sql`now()` })
      .where(and(inArray(conversations.id, due), eq(conversations.status, 'snoozed')))
      .returning();
  }

  /** Newest first, keyset on (created_at, id). */
  listMessages(
    tx: TenantTx,
    conversationId: string,
    q: { cursor?: Cursor; limit: number },
  ): Promise<MessageRow[]> {
    const where: SQL[] = [eq(messages.conversationId, conversationId)];
    if (q.cursor) where.push(keysetBefore(messages.createdAt, messages.id, q.cursor));
    return tx
      .select()
      .from(messages)
      .where(and(...where))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(q.limit + 1);
  }
}
