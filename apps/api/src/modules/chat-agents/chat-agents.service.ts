import { HttpStatus, Injectable } from '@nestjs/common';
import type {
  TChatAgent,
  TChatAgentList,
  TChatAgentPreviewResponse,
  TCreateChatAgentRequest,
  TUpdateChatAgentRequest,
} from '@orbitdesk/shared';
import { ZCreateChatAgentRequest } from '@orbitdesk/shared';
import { randomUUID } from 'node:crypto';
import { AiServiceClient, AiServiceError } from '../../common/ai/ai-service.client.js';
import { DomainEvents } from '../../common/events/domain-events.js';
import { AppError, badRequest, conflict, notFound } from '../../common/http/errors.js';
import { requestContext } from '../../common/tenancy/request-context.js';
import { TenantDb } from '../../common/tenancy/tenant-db.service.js';
import type { TenantTx } from '../../db/database.js';
import { isUniqueViolation } from '../../db/query-helpers.js';
import { AuditService } from '../audit/audit.service.js';
import { toConversationDto, type ConversationRow } from '../conversations/conversation-dto.js';
import { AgentTurnBuilder } from './agent-turn.builder.js';
import { ChatAgentActivity } from './chat-agent-activity.js';
import { toChatAgentDto } from './chat-agent-dto.js';
import { ChatAgentsRepository } from './chat-agents.repository.js';

const nameTaken = (name: string) => conflict(`A chat agent named "${name}" already exists`);

/** The fields both create and update end with, checked together. */
type AgentFields = Required<Omit<TUpdateChatAgentRequest, 'knowledgeBaseIds' | 'inboxIds'>>;

@Injectable()
export class ChatAgentsService {
  constructor(
    private readonly tenantDb: TenantDb,
    private readonly repo: ChatAgentsRepository,
    private readonly audit: AuditService,
    private readonly activity: ChatAgentActivity,
    private readonly events: DomainEvents,
    private readonly builder: AgentTurnBuilder,
    private readonly ai: AiServiceClient,
  ) {}

  async list(): Promise<TChatAgentList> {
    const rows = await this.tenantDb.run((tx) => this.repo.list(tx));
    return { items: rows.map(toChatAgentDto) };
  }

  async get(id: string): Promise<TChatAgent> {
    const found = await this.tenantDb.run((tx) => this.repo.findById(tx, id));
    if (!found) throw notFound('Chat agent');
    return toChatAgentDto(found);
  }

  async create(raw: TCreateChatAgentRequest): Promise<TChatAgent> {
    const tenantId = requestContext.tenantId();
    // The contract has filled the defaults in already; parsing again gives the output type.
    const input = ZCreateChatAgentRequest.parse(raw);
    checkFields(input);
    const agent = await this.write(input.name, async (tx) => {
      await this.checkLinks(tx, input.knowledgeBaseIds, input.inboxIds);
      const { knowledgeBaseIds, inboxIds, ...fields } = input;
      const row = await this.repo.insert(tx, { tenantId, ...fields });
      await this.repo.replaceKnowledgeBases(tx, tenantId, row.id, knowledgeBaseIds);
      await this.repo.replaceInboxes(tx, tenantId, row.id, inboxIds);
      await this.audit.record(tx, {
        action: 'chat_agent.created',
        entityType: 'chat_agent',
        entityId: row.id,
        metadata: { name: row.name, mode: row.mode, inboxIds },
      });
      return this.repo.findById(tx, row.id);
    });
    await this.activity.changed(tenantId);
    return toChatAgentDto(agent!);
  }

  /**
   * Disabling an agent lets go of the conversations it answers (they stay open for people); naming inboxes takes
   * them from any other agent.
   */
  async update(id: string, input: TUpdateChatAgentRequest): Promise<TChatAgent> {
    const tenantId = requestContext.tenantId();
    const { agent, released } = await this.write(input.name ?? '', async (tx) => {
      const existing = await this.repo.lockById(tx, id);
      if (!existing) throw notFound('Chat agent');
      const { knowledgeBaseIds, inboxIds, ...changes } = input;
      checkFields({ ...existing, ...changes });
      await this.checkLinks(tx, knowledgeBaseIds ?? [], inboxIds ?? []);
      if (Object.keys(changes).length) await this.repo.update(tx, id, changes);
      if (knowledgeBaseIds) await this.repo.replaceKnowledgeBases(tx, tenantId, id, knowledgeBaseIds);
      if (inboxIds) await this.repo.replaceInboxes(tx, tenantId, id, inboxIds);
      const released = input.enabled === false ? await this.repo.releaseConversations(tx, id) : [];
      await this.audit.record(tx, {
        action: 'chat_agent.updated',
        entityType: 'chat_agent',
        entityId: id,
        metadata: { fields: Object.keys(input) },
      });
      return { agent: await this.repo.findById(tx, id), released };
    });
    await this.activity.changed(tenantId);
    this.publishReleased(tenantId, released);
    return toChatAgentDto(agent!);
  }

  /** Its conversations stay open and become nobody's (people answer them from the unassigned queue). */
  async remove(id: string): Promise<TChatAgent> {
    const tenantId = requestContext.tenantId();
    const { agent, released } = await this.tenantDb.run(async (tx) => {
      const agent = await this.repo.findById(tx, id);
      if (!agent) throw notFound('Chat agent');
      const released = await this.repo.releaseConversations(tx, id);
      await this.repo.delete(tx, id);
      await this.audit.record(tx, {
        action: 'chat_agent.deleted',
        entityType: 'chat_agent',
        entityId: id,
        metadata: { name: agent.agent.name, releasedConversations: released.length },
      });
      return { agent, released };
    });
    await this.activity.changed(tenantId);
    this.publishReleased(tenantId, released);
    return toChatAgentDto(agent);
  }

  /**
   * The agent's answer to one message with its provider, persona and knowledge, outside any conversation: no tool
   * runs and nothing is stored or sent.
   */
  async preview(id: string, message: string): Promise<TChatAgentPreviewResponse> {
    const tenantId = requestContext.tenantId();
    const found = await this.tenantDb.run(async (tx) => {
      const agent = await this.repo.findById(tx, id);
      return agent && { ...agent, tenantName: await this.repo.tenantName(tx) };
    });
    if (!found) throw notFound('Chat agent');
    try {
      const request = await this.builder.build({
        tenantId,
        tenantName: found.tenantName,
        agent: found.agent,
        knowledgeBaseIds: found.knowledgeBaseIds,
        contact: { id: randomUUID(), name: null, phone: null, email: null, tags: [], customFields: {} },
        conversation: { id: randomUUID(), number: 0, channelType: 'preview' },
        history: [],
        message,
        runTools: false,
      });
      const answer = await this.ai.agentChat(tenantId, request);
      return {
        reply: answer.reply,
        citations: answer.citations,
        fallbackUsed: answer.fallbackUsed,
        handoff: answer.handoff,
      };
    } catch (err) {
      if (!(err instanceof AiServiceError)) throw err;
      throw new AppError(
        err.status === 0 ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.BAD_GATEWAY,
        `The AI service could not answer: ${err.message}`,
      );
    }
  }

  /** Linked ids must be this workspace's; another workspace's id reads as one that does not exist. */
  private async checkLinks(tx: TenantTx, knowledgeBaseIds: string[], inboxIds: string[]): Promise<void> {
    const dup = (ids: string[]) => ids.find((id, i) => ids.indexOf(id) !== i);
    const kbDup = dup(knowledgeBaseIds);
    if (kbDup) throw badRequest(`Validation failed: body.knowledgeBaseIds: ${kbDup} is listed twice`);
    const inboxDup = dup(inboxIds);
    if (inboxDup) throw badRequest(`Validation failed: body.inboxIds: ${inboxDup} is listed twice`);
    const kbs = await this.repo.existingKnowledgeBaseIds(tx, knowledgeBaseIds);
    const missingKb = knowledgeBaseIds.find((id) => !kbs.has(id));
    if (missingKb) {
      throw badRequest(
        `Validation failed: body.knowledgeBaseIds: no knowledge base of this workspace has id ${missingKb}`,
      );
    }
    const inboxes = await this.repo.existingInboxIds(tx, inboxIds);
    const missingInbox = inboxIds.find((id) => !inboxes.has(id));
    if (missingInbox) {
      throw badRequest(`Validation failed: body.inboxIds: no inbox of this workspace has id ${missingInbox}`);
    }
  }

  private publishReleased(tenantId: string, rows: ConversationRow[]): void {
    for (const row of rows) {
      this.events.publish('conversation.updated', {
        tenantId,
        conversation: toConversationDto(row),
        changes: ['chatAgentId'],
      });
    }
  }

  /** A transaction whose unique violation (the name) becomes a 409. */
  private async write<T>(name: string, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
    try {
      return await this.tenantDb.run(fn);
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(name);
      throw err;
    }
  }
}

/** Rules across fields, on the agent as it will be. */
function checkFields(a: Pick<AgentFields, 'mode' | 'tools'>): void {
  if (a.mode !== 'tools' && a.tools.length) {
    throw badRequest(
      'Validation failed: body.tools: only an agent in "tools" mode runs tools; set mode to "tools"',
    );
  }
}
