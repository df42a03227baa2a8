import { Injectable, Logger } from '@nestjs/common';
import type {
  TConversation,
  TConversationPage,
  TListConversationsQuery,
  TListMessagesQuery,
  TMessagePage,
  TUpdateConversationRequest,
} from '@orbitdesk/shared';
import { DomainEvents } from '../../common/events/domain-events.js';
import { badRequest, notFound, unprocessable } from '../../common/http/errors.js';
import { decodeCursor, toPage } from '../../common/http/pagination.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { ConversationWakeQueue } from './conversation-wake.queue.js';
import { toConversationDto, toMessageDto, type ConversationRow } from './conversation-dto.js';
import { ConversationsRepository } from './conversations.repository.js';

type ConversationChanges = Parameters<ConversationsRepository['update']>[2];

@Injectable()
export class ConversationsService {
  private readonly logger = new Logger('ConversationsService');

  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ConversationsRepository,
    private readonly events: DomainEvents,
    private readonly notifications: NotificationsService,
    private readonly wakeQueue: ConversationWakeQueue,
  ) {}

  async list(q: TListConversationsQuery): Promise<TConversationPage> {
    const cursor = decodeCursor(q.cursor);
    const assigneeId = q.assignee === undefined ? undefined : this.resolveAssignee(q.assignee);
    const rows = await this.tenantDb.run((tx) =>
      this.repo.list(tx, {
        status: q.status,
        assigneeId,
        channelId: q.channelId,
        teamId: q.team === 'none' ? null : q.team,
        priority: q.priority,
        tag: q.tag,
        q: q.q,
        cursor,
        limit: q.limit,
      }),
    );
    return toPage(rows, q.limit, toConversationDto, (r) => ({ createdAt: r.lastMessageAt, id: r.id }));
  }

  async get(id: string): Promise<TConversation> {
    const row = await this.tenantDb.run((tx) => this.repo.findById(tx, id));
    if (!row) throw notFound('Conversation');
    return toConversationDto(row);
  }

  async listMessages(id: string, q: TListMessagesQuery): Promise<TMessagePage> {
    const cursor = decodeCursor(q.cursor);
    const rows = await this.tenantDb.run(async (tx) => {
      if (!(await this.repo.findById(tx, id))) throw notFound('Conversation');
      return this.repo.listMessages(tx, id, { cursor, limit: q.limit });
    });
    return toPage(rows, q.limit, toMessageDto);
  }

  /**
   * Status, snooze, assignee, team, tags, priority. A new assignee (other than the caller) gets an `assignment`
   * notification; a snooze gets its wake-up job.
   */
  async update(id: string, input: TUpdateConversationRequest): Promise<TConversation> {
    const tenantId = requestContext.tenantId();
    const principal = requestContext.get()?.principal;
    const actorId = principal?.kind === 'user' ? principal.userId : null;
    const { row, changes, notified } = await this.tenantDb.run(async (tx) => {
      const existing = await this.repo.findById(tx, id);
      if (!existing) throw notFound('Conversation');
      if (input.assigneeId && !(await this.repo.isActiveUser(tx, input.assigneeId))) {
        throw unprocessable('assigneeId: no active user of this workspace has this id');
      }
      if (input.teamId && !(await this.repo.teamExists(tx, input.teamId))) {
        throw unprocessable('teamId: no team of this workspace has this id');
      }
      const values = valuesOf(input);
      const changed = changedFields(existing, values);
      if (!changed.length) return { row: existing, changes: changed, notified: [] };
      const row = await this.repo.update(tx, id, values);
      const assignee = changed.includes('assigneeId') ? row.assigneeId : null;
      const notified =
        assignee && assignee !== actorId
          ? await this.notifications.create(tx, tenantId, [
              {
                userId: assignee,
                type: 'assignment',
                conversationId: row.id,
                payload: { conversationNumber: row.number, assignedBy: actorId },
              },
            ])
          : [];
      return { row, changes: changed, notified };
    });
    const conversation = toConversationDto(row);
    if (changes.length) this.events.publish('conversation.updated', { tenantId, conversation, changes });
    this.notifications.deliver(tenantId, notified);
    if (row.status === 'snoozed' && row.snoozedUntil && changes.includes('snoozedUntil')) {
      await this.scheduleWake(tenantId, row.id, row.snoozedUntil);
    }
    return conversation;
  }

  /**
   * An agent has read the conversation: the unread count goes to zero (`conversation.updated`), and
   * `conversation.read` lets the channel tell the contact (WhatsApp's blue ticks) through its adapter.
   */
  async markRead(id: string): Promise<TConversation> {
    const tenantId = requestContext.tenantId();
    const result = await this.tenantDb.run((tx) => this.repo.markRead(tx, id));
    if (!result) throw notFound('Conversation');
    const conversation = toConversationDto(result.row);
    if (result.changed) {
      this.events.publish('conversation.updated', { tenantId, conversation, changes: ['unreadCount'] });
      this.events.publish('conversation.read', {
        tenantId,
        conversation,
        lastInbound: result.lastInbound ? toMessageDto(result.lastInbound) : null,
      });
    }
    return conversation;
  }

  private async scheduleWake(tenantId: string, id: string, until: Date): Promise<void> {
    try {
      await this.wakeQueue.schedule(tenantId, id, until);
    } catch (err) {
      // The snooze is committed; the worker's sweep opens it within a minute of its time even without a job.
      this.logger.warn(`wake-up job for conversation ${id} not queued: ${(err as Error).message}`);
    }
  }

  /** `me` is the calling user; API keys act for no one, so they must name a user id. */
  private resolveAssignee(assignee: string): string | null {
    if (assignee === 'unassigned') return null;
    if (assignee !== 'me') return assignee;
    const principal = requestContext.get()?.principal;
    if (principal?.kind !== 'user')
      throw badRequest('assignee=me needs a signed-in user; API keys must pass a user id');
    return principal.userId;
  }
}

/** What the request sets; any status but `snoozed` ends a snooze. */
function valuesOf(input: TUpdateConversationRequest): ConversationChanges {
  const values: ConversationChanges = {};
  if (input.status !== undefined) {
    values.status = input.status;
    values.snoozedUntil = input.status === 'snoozed' ? new Date(input.snoozedUntil!) : null;
  }
  if (input.assigneeId !== undefined) values.assigneeId = input.assigneeId;
  if (input.teamId !== undefined) values.teamId = input.teamId;
  if (input.tags !== undefined) values.tags = input.tags;
  if (input.priority !== undefined) values.priority = input.priority;
  return values;
}

function changedFields(existing: ConversationRow, values: ConversationChanges): string[] {
  const changes: string[] = [];
  if (values.status !== undefined && values.status !== existing.status) changes.push('status');
  if (
    values.snoozedUntil !== undefined &&
    values.snoozedUntil?.getTime() !== existing.snoozedUntil?.getTime()
  )
    changes.push('snoozedUntil');
  if (values.assigneeId !== undefined && values.assigneeId !== existing.assigneeId)
    changes.push('assigneeId');
  if (values.teamId !== undefined && values.teamId !== existing.teamId) changes.push('teamId');
  if (values.priority !== undefined && values.priority !== existing.priority) changes.push('priority');
  if (values.tags !== undefined && values.tags.join('\u0000') !== existing.tags.join('\u0000'))
    changes.push('tags');
  return changes;
}
