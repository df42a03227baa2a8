import { Injectable } from '@nestjs/common';
import type { TLiveChatHistory, TLiveChatSession } from '@orbitdesk/shared';
import { requestContext } from '../../../common/tenancy/request-context.js';
import { TenantDb } from '../../../common/tenancy/tenant-db.service.js';
import { toMessageDto, type MessageRow } from '../../conversations/conversation-dto.js';
import { LiveChatRepository } from './live-chat.repository.js';
import { LiveChatFileLinks } from './live-chat.visitor-message.js';

const LATEST = 30;

/** A visitor's own messages on one inbox, as the widget shows them. Runs inside the inbox's tenant. */
@Injectable()
export class LiveChatHistoryService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: LiveChatRepository,
    private readonly links: LiveChatFileLinks,
  ) {}

  /** The visitor's conversation and its latest messages: what a new or resumed session opens with. */
  latest(
    inboxId: string,
    visitorId: string,
  ): Promise<TLiveChatHistory & { conversation: TLiveChatSession['conversation'] }> {
    return this.tenantDb.run(async (tx) => {
      const contactId = await this.repo.contactIdOf(tx, visitorId);
      if (!contactId) return { conversation: null, items: [], hasMore: false };
      const conversation = await this.repo.latestConversation(tx, inboxId, contactId);
      const rows = await this.repo.history(tx, { inboxId, contactId, limit: LATEST });
      return {
        conversation: conversation ? { id: conversation.id, status: conversation.status } : null,
        ...this.toPage(rows, LATEST),
      };
    });
  }

  /** Older messages than `before` (a message id of the visitor's), or the latest ones. */
  page(inboxId: string, visitorId: string, q: { before?: string; limit: number }): Promise<TLiveChatHistory> {
    return this.tenantDb.run(async (tx) => {
      const contactId = await this.repo.contactIdOf(tx, visitorId);
      if (!contactId) return { items: [], hasMore: false };
      return this.toPage(await this.repo.history(tx, { inboxId, contactId, ...q }), q.limit);
    });
  }

  /** Rows come newest first with one extra; the widget wants the page oldest first. */
  private toPage(rows: MessageRow[], limit: number): TLiveChatHistory {
    const tenantId = requestContext.tenantId();
    return {
      items: rows
        .slice(0, limit)
        .reverse()
        .map((row) => this.links.toVisitorMessage(tenantId, toMessageDto(row))),
      hasMore: rows.length > limit,
    };
  }
}
