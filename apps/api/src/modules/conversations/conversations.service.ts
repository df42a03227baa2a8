import { Injectable } from '@nestjs/common';
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
import { toConversationDto, toMessageDto, type ConversationRow } from './conversation-dto.js';
import { ConversationsRepository } from './conversations.repository.js';

@Injectable()
export class ConversationsService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ConversationsRepository,
    private readonly events: DomainEvents,
  ) {}

  async list(q: TListConversationsQuery): Promise<TConversationPage> {
    const cursor = decodeCursor(q.cursor);
    const assigneeId = q.assignee === undefined ? undefined : this.resolveAssignee(q.assignee);
    const rows = await this.tenantDb.run((tx) =>
      this.repo.list(tx, {
        status: q.status,
        assigneeId,
        channelId: q.channelId,
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

  async update(id: string, input: TUpdateConversationRequest): Promise<TConversation> {
    const tenantId = requestContext.tenantId();
    const { row, changes } = await this.tenantDb.run(async (tx) => {
      const existing = await this.repo.findById(tx, id);
      if (!existing) throw notFound('Conversation');
      if (input.assigneeId && !(await this.repo.isActiveUser(tx, input.assigneeId))) {
        throw unprocessable('assigneeId: no active user of this workspace has this id');
      }
      const values: Parameters<ConversationsRepository['update']>[2] = { ...input };
      // Leaving "snoozed" through this endpoint drops the wake-up time with it.
      if (input.status && existing.status === 'snoozed') values.snoozedUntil = null;
      const changed = changedFields(existing, input);
      if (!changed.length) return { row: existing, changes: changed };
      return { row: await this.repo.update(tx, id, values), changes: changed };
    });
    const conversation = toConversationDto(row);
    if (changes.length) this.events.publish('conversation.updated', { tenantId, conversation, changes });
    return conversation;
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

function changedFields(existing: ConversationRow, input: TUpdateConversationRequest): string[] {
  const changes: string[] = [];
  if (input.status !== undefined && input.status !== existing.status) changes.push('status');
  if (input.assigneeId !== undefined && input.assigneeId !== existing.assigneeId) changes.push('assigneeId');
  if (input.priority !== undefined && input.priority !== existing.priority) changes.push('priority');
  if (input.tags !== undefined && input.tags.join('\u0000') !== existing.tags.join('\u0000'))
    changes.push('tags');
  return changes;
}
