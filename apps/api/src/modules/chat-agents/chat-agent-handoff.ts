import { Injectable } from '@nestjs/common';
import type { TenantTx } from '../../db/database.js';
import { AssignmentService } from '../conversations/assignment.service.js';
import { toConversationDto, type ConversationRow } from '../conversations/conversation-dto.js';
import type { BotWrites } from './bot-messages.js';
import { ChatAgentsRepository, type ChatAgentRow } from './chat-agents.repository.js';

/**
 * An AI agent hands a conversation over to people: it stops being the agent's for good (`ai_handoff_at`), a private
 * note tells colleagues why, and the inbox's round-robin assigns it to an online member below the inbox's cap, or
 * leaves it open and unassigned for whoever comes first.
 */
@Injectable()
export class ChatAgentHandoff {
  constructor(
    private readonly repo: ChatAgentsRepository,
    private readonly assignment: AssignmentService,
  ) {}

  /** The handover's writes, in the caller's transaction; undefined when the agent no longer had it. */
  async handOver(
    tx: TenantTx,
    writes: BotWrites,
    agent: Pick<ChatAgentRow, 'id' | 'name'>,
    conversationId: string,
    why: string,
  ): Promise<ConversationRow | undefined> {
    const row = await this.repo.handOver(tx, conversationId, agent.id);
    if (!row) return undefined;
    writes.conversationChanged(row, ['chatAgentId']);
    await writes.post(conversationId, {
      senderId: agent.id,
      text: `${agent.name} (AI agent) handed this conversation over to a person: ${why}`,
      isPrivate: true,
    });
    return row;
  }

  /** After the handover committed. */
  async assign(tenantId: string, row: ConversationRow): Promise<void> {
    await this.assignment.assignOnHandoff(tenantId, toConversationDto(row));
  }
}
