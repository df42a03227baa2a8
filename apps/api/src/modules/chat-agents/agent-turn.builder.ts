import { Inject, Injectable } from '@nestjs/common';
import { AI_TOOLS_AUDIENCE, signInternalToken } from '../../common/ai/internal-jwt.js';
import type { TAgentChatRequest, TAiChatMessage, TRagChunk } from '@orbitdesk/shared';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AiProviderResolver } from '../ai-settings/ai-provider.resolver.js';
import type { ContactRow, MessageRow } from '../conversations/conversation-dto.js';
import { KnowledgeRetrievalService } from '../knowledge/knowledge-retrieval.service.js';
import type { ChatAgentRow } from './chat-agents.repository.js';

/** Earlier turns handed to the AI service with each message. */
export const HISTORY_TURNS = 20;
/** Knowledge chunks retrieved per message. */
export const KNOWLEDGE_TOP_K = 5;
/** A tool-callback token lives as long as one agent turn may take, and no longer. */
export const TOOL_TOKEN_TTL_SECONDS = 300;
const MAX_TURN_CHARS = 20_000;

/** What the AI service's tool callbacks may touch: one agent, one tenant, one contact and conversation. */
export interface AiToolClaims {
  tenantId: string;
  agentId: string;
  conversationId: string;
  contactId: string;
  tools: string[];
}

export interface AgentTurnInput {
  tenantId: string;
  tenantName: string;
  agent: ChatAgentRow;
  knowledgeBaseIds: string[];
  contact: TAgentChatRequest['contact'];
  conversation: TAgentChatRequest['conversation'];
  history: TAiChatMessage[];
  message: string;
  /** Offer the agent's tools (with a callback token); false for previews, which run nothing. */
  runTools: boolean;
}

export const contactForAgent = (c: ContactRow): TAgentChatRequest['contact'] => ({
  id: c.id,
  name: c.name,
  phone: c.phone,
  email: c.email,
  tags: c.tags,
  customFields: c.customFields,
});

/** Stored messages (newest first) as the AI service's turns (oldest first): the contact is the user. */
export function historyTurns(rows: MessageRow[]): TAiChatMessage[] {
  const turns: TAiChatMessage[] = [];
  for (const m of [...rows].reverse()) {
    const text = typeof m.content.text === 'string' ? m.content.text.trim() : '';
    if (!text) continue;
    turns.push({ role: m.direction === 'in' ? 'user' : 'assistant', content: text.slice(0, MAX_TURN_CHARS) });
  }
  return turns;
}

/** What the contact said, in words the agent can answer (a media message without a caption is named). */
export function messageText(m: Pick<MessageRow, 'type' | 'content'>): string {
  const { text, caption } = m.content;
  const said = typeof text === 'string' && text.trim() ? text : typeof caption === 'string' ? caption : '';
  return (said.trim() || `[The contact sent a ${m.type} message]`).slice(0, MAX_TURN_CHARS);
}

/**
 * Builds the AI service's agent request: the provider (the workspace's, or the agent's own), the agent's
 * persona, who the contact is, the conversation so far, the knowledge retrieved for this message from the
 * agent's bases, and for tools-mode agents where to call the tools back with a short-lived token.
 */
@Injectable()
export class AgentTurnBuilder {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly resolver: AiProviderResolver,
    private readonly knowledge: KnowledgeRetrievalService,
  ) {}

  async build(input: AgentTurnInput): Promise<TAgentChatRequest> {
    const { tenantId, agent } = input;
    const provider = await this.resolver.chatConfigFor(tenantId, {
      provider: agent.provider,
      model: agent.model,
    });
    const knowledge = input.knowledgeBaseIds.length
      ? await this.retrieve(tenantId, input.knowledgeBaseIds, input.message)
      : [];
    const offerTools = input.runTools && agent.mode === 'tools';
    return {
      provider,
      agent: {
        id: agent.id,
        name: agent.name,
        mode: agent.mode,
        systemPrompt: agent.systemPrompt,
        tools: offerTools ? agent.tools : [],
        maxIterations: agent.maxIterations,
      },
      tenant: { id: tenantId, name: input.tenantName },
      contact: input.contact,
      conversation: input.conversation,
      history: input.history,
      message: input.message,
      knowledge,
      ...(offerTools
        ? {
            toolCallback: {
              url: this.callbackUrl(),
              token: await signInternalToken(
                this.config.INTERNAL_JWT_SECRET,
                AI_TOOLS_AUDIENCE,
                {
                  tenantId,
                  agentId: agent.id,
                  conversationId: input.conversation.id,
                  contactId: input.contact.id,
                  tools: agent.tools,
                } satisfies AiToolClaims,
                TOOL_TOKEN_TTL_SECONDS,
              ),
            },
          }
        : {}),
    };
  }

  async retrieve(tenantId: string, knowledgeBaseIds: string[], query: string): Promise<TRagChunk[]> {
    const hits = await this.knowledge.retrieve(tenantId, knowledgeBaseIds, query, KNOWLEDGE_TOP_K);
    return hits.map((h) => ({
      id: h.chunkId,
      sourceId: h.sourceId,
      sourceName: h.sourceName,
      text: h.text.slice(0, MAX_TURN_CHARS),
      score: h.score,
    }));
  }

  private callbackUrl(): string {
    const base = this.config.AI_CALLBACK_BASE_URL ?? `http://127.0.0.1:${this.config.PORT}`;
    return `${base.replace(/\/+$/, '')}/api/v1/internal/ai-tools`;
  }
}
