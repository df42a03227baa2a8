import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AiServiceClient } from '../../../../common/ai/ai-service.client.js';
import { Database } from '../../../../db/database.js';
import { AiProviderResolver } from '../../../ai-settings/ai-provider.resolver.js';
import {
  AgentTurnBuilder,
  contactForAgent,
  HISTORY_TURNS,
  historyTurns,
} from '../../../chat-agents/agent-turn.builder.js';
import { BotMessages, BotSendRefused } from '../../../chat-agents/bot-messages.js';
import { ChatAgentsRepository } from '../../../chat-agents/chat-agents.repository.js';
import { FlowAiClient, FlowDependencyError, type FlowAiReply, type FlowAiRequest } from './flow-ai-client.js';

/**
 * The AI Response node's answers. With an agent: the AI service's agent turn with the agent's provider, persona
 * (the node's prompt added to it) and knowledge, and its tools when the run has a contact and a conversation.
 * Without one: a completion by the workspace's provider, the prompt as the system message and the contact's
 * message as the user's turn. Posted in the conversation as the bot (the agent, when there is one) on request.
 */
@Injectable()
export class ChatAgentFlowAiClient extends FlowAiClient {
  constructor(
    private readonly db: Database,
    private readonly agents: ChatAgentsRepository,
    private readonly builder: AgentTurnBuilder,
    private readonly resolver: AiProviderResolver,
    private readonly ai: AiServiceClient,
    private readonly bot: BotMessages,
  ) {
    super();
  }

  async reply(request: FlowAiRequest, signal: AbortSignal): Promise<FlowAiReply> {
    const text = (
      request.agentId
        ? await this.askAgent(request, request.agentId, signal)
        : await this.complete(request, signal)
    ).trim();
    if (!text) throw new FlowDependencyError('The AI answered with nothing to say');
    if (!request.sendToContact || !request.conversationId) return { text, sent: false };
    const conversationId = request.conversationId;
    try {
      await this.bot.transaction(request.tenantId, (_tx, writes) =>
        writes.post(conversationId, { senderId: request.agentId ?? null, text }),
      );
    } catch (err) {
      if (err instanceof BotSendRefused)
        throw new FlowDependencyError(`The answer was not sent: ${err.message}`);
      throw err;
    }
    return { text, sent: true };
  }

  private async complete(request: FlowAiRequest, signal: AbortSignal): Promise<string> {
    const provider = await this.resolver.chatConfigFor(request.tenantId);
    const answer = await this.ai.chatCompletion(
      request.tenantId,
      request.message?.trim()
        ? { provider, system: request.prompt, messages: [{ role: 'user', content: request.message }] }
        : { provider, messages: [{ role: 'user', content: request.prompt }] },
      signal,
    );
    return answer.text;
  }

  private async askAgent(request: FlowAiRequest, agentId: string, signal: AbortSignal): Promise<string> {
    const { tenantId } = request;
    const found = await this.db.tenantTransaction(tenantId, async (tx) => {
      const agent = await this.agents.findById(tx, agentId);
      if (!agent) return undefined;
      const context = request.conversationId
        ? await this.agents.replyContext(tx, request.conversationId)
        : undefined;
      const history = context
        ? await this.agents.history(tx, context.conversation.id, undefined, HISTORY_TURNS)
        : [];
      return { ...agent, context, history, tenantName: await this.agents.tenantName(tx) };
    });
    if (!found) throw new FlowDependencyError(`No AI agent of this workspace has id ${agentId}`);
    if (!found.agent.enabled) throw new FlowDependencyError(`The AI agent "${found.agent.name}" is disabled`);
    const message = request.message?.trim() ? request.message : request.prompt;
    const history = historyTurns(found.history);
    // The run's message is usually the conversation's latest turn already; it is asked, not repeated.
    const last = history.at(-1);
    if (last?.role === 'user' && last.content === message.trim()) history.pop();
    const { context } = found;
    const agent = {
      ...found.agent,
      systemPrompt: [found.agent.systemPrompt, request.prompt].filter((p) => p.trim()).join('\n\n'),
    };
    const turn = await this.builder.build({
      tenantId,
      tenantName: found.tenantName,
      agent,
      knowledgeBaseIds: found.knowledgeBaseIds,
      contact: context
        ? contactForAgent(context.contact)
        : {
            id: request.contactId ?? randomUUID(),
            name: null,
            phone: null,
            email: null,
            tags: [],
            customFields: {},
          },
      conversation: context
        ? {
            id: context.conversation.id,
            number: context.conversation.number,
            channelType: context.channelType,
          }
        : { id: randomUUID(), number: 0, channelType: 'flow' },
      history,
      message,
      // Tools act on a contact's conversation; a run without one has nothing for them to act on.
      runTools: context !== undefined && context.contact.id === request.contactId,
    });
    const answer = await this.ai.agentChat(tenantId, turn, signal);
    if (answer.fallbackUsed) {
      throw new Error(`the agent could not answer (${answer.fallbackReason ?? 'fallback'})`);
    }
    return answer.reply;
  }
}
