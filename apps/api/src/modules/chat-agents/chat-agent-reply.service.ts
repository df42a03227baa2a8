import { Injectable, Logger } from '@nestjs/common';
import type { TAgentChatResponse } from '@orbitdesk/shared';
import { AiServiceClient } from '../../common/ai/ai-service.client.js';
import type { TenantTx } from '../../db/database.js';
import type { ConversationRow, MessageRow } from '../conversations/conversation-dto.js';
import {
  AgentTurnBuilder,
  contactForAgent,
  HISTORY_TURNS,
  historyTurns,
  messageText,
} from './agent-turn.builder.js';
import { BotMessages, BotSendRefused, type BotWrites } from './bot-messages.js';
import { ChatAgentHandoff } from './chat-agent-handoff.js';
import { ChatAgentsRepository, type ChatAgentRow, type ReplyContext } from './chat-agents.repository.js';
import { matchHandoffKeyword } from './handoff-keywords.js';

/** Said when the agent cannot answer at all (the AI service unreachable or failing after every retry). */
export const UNAVAILABLE_REPLY =
  "Sorry, I can't answer right now. A member of our team will get back to you as soon as possible.";
/** Said when a handoff keyword hands the conversation over. */
export const HANDOFF_REPLY = 'I am passing you to a member of our team; they will reply here shortly.';

/** One inbound message the agent is going to answer. */
interface Turn {
  tenantId: string;
  agent: ChatAgentRow;
  message: MessageRow;
  context: ReplyContext;
  knowledgeBaseIds: string[];
  history: MessageRow[];
  /** The handoff keyword the message contains, if any. */
  keyword: string | undefined;
}

/** What is recorded in ai_agent_runs for one answered message. */
type RunOutcome = Pick<
  TAgentChatResponse,
  'reply' | 'fallbackUsed' | 'handoff' | 'handoffReason' | 'iterations' | 'toolCalls' | 'citations'
> & {
  fallbackReason: string | null;
  usage: TAgentChatResponse['usage'] | null;
  error: string | null;
};

/**
 * The reply pipeline of a chat agent for one inbound message (worker, `chat-agent-reply` job): claim the
 * conversation if its inbox's agent may, hand over on a handoff keyword, otherwise ask the AI service and send its
 * reply as the agent. Every answered message gets one ai_agent_runs row, written with the reply in one
 * transaction and unique per message, so a retried or repeated job never answers twice. Only the contact's
 * latest message is answered: an earlier one is skipped, or its reply dropped, once a later one exists.
 */
@Injectable()
export class ChatAgentReplyService {
  private readonly logger = new Logger('ChatAgentReply');

  constructor(
    private readonly repo: ChatAgentsRepository,
    private readonly bot: BotMessages,
    private readonly builder: AgentTurnBuilder,
    private readonly ai: AiServiceClient,
    private readonly handoff: ChatAgentHandoff,
  ) {}

  /**
   * `lastAttempt`: when false, a failure to get an answer is thrown so the job is retried with backoff; on the
   * last attempt the contact gets the polite fallback and people get the conversation.
   */
  async handle(
    job: { tenantId: string; conversationId: string; messageId: string },
    lastAttempt: boolean,
  ): Promise<void> {
    const turn = await this.bot.transaction(job.tenantId, (tx, writes) =>
      this.prepare(tx, writes, job.tenantId, job.conversationId, job.messageId),
    );
    if (!turn) return;
    if (turn.keyword !== undefined) {
      await this.finish(turn, {
        ...emptyOutcome(),
        reply: HANDOFF_REPLY,
        handoff: true,
        handoffReason: `the contact wrote the handoff keyword "${turn.keyword}"`,
      });
      return;
    }

    let response: TAgentChatResponse;
    try {
      const { conversation, contact, channelType, tenantName } = turn.context;
      const request = await this.builder.build({
        tenantId: turn.tenantId,
        tenantName,
        agent: turn.agent,
        knowledgeBaseIds: turn.knowledgeBaseIds,
        contact: contactForAgent(contact),
        conversation: { id: conversation.id, number: conversation.number, channelType },
        history: historyTurns(turn.history),
        message: messageText(turn.message),
        runTools: true,
      });
      response = await this.ai.agentChat(turn.tenantId, request);
    } catch (err) {
      if (!lastAttempt) throw err;
      const reason = (err as Error).message;
      this.logger.warn(`agent ${turn.agent.id} could not answer message ${turn.message.id}: ${reason}`);
      await this.finish(turn, {
        ...emptyOutcome(),
        reply: UNAVAILABLE_REPLY,
        fallbackUsed: true,
        fallbackReason: 'ai_service_unavailable',
        handoff: true,
        handoffReason: 'the AI service could not answer',
        error: reason,
      });
      return;
    }
    await this.finish(turn, {
      ...response,
      // The agent's provider failing for good is the same as no agent: people take over.
      handoff: response.handoff || response.fallbackReason === 'provider_error',
      handoffReason:
        response.handoffReason ??
        (response.fallbackReason === 'provider_error' ? 'the AI provider failed' : null),
      error: null,
    });
  }

  /**
   * Decides whether the agent answers this message, claiming the conversation when its inbox's agent may. A
   * conversation a person was given meanwhile is let go for good.
   */
  private async prepare(
    tx: TenantTx,
    writes: BotWrites,
    tenantId: string,
    conversationId: string,
    messageId: string,
  ): Promise<Turn | undefined> {
    if (await this.repo.runOfMessage(tx, messageId)) return undefined;
    const message = await this.repo.findMessage(tx, messageId);
    const context = await this.repo.replyContext(tx, conversationId);
    if (!message || message.direction !== 'in' || message.isPrivate || !context) return undefined;
    // The contact wrote again: that later message's job answers, with this one in its history (a burst of
    // messages gets one reply, to all of it).
    if (await this.repo.wroteAgainAfter(tx, conversationId, message)) return undefined;
    let conversation: ConversationRow = context.conversation;

    let agent: ChatAgentRow | undefined;
    if (conversation.chatAgentId === null) {
      if (conversation.assigneeId !== null || conversation.aiHandoffAt !== null) return undefined;
      agent = await this.repo.enabledAgentOfInbox(tx, conversation.channelId);
      const claimed = agent ? await this.repo.claim(tx, conversation.id, agent.id) : undefined;
      if (!claimed) return undefined;
      writes.conversationChanged(claimed, ['chatAgentId']);
      conversation = claimed;
    } else {
      agent = (await this.repo.findById(tx, conversation.chatAgentId))?.agent;
    }
    if (!agent?.enabled) return undefined;
    if (conversation.assigneeId !== null) {
      // A person was assigned by hand: the agent stops here and never claims this conversation again.
      const released = await this.repo.handOver(tx, conversation.id, agent.id);
      if (released) writes.conversationChanged(released, ['chatAgentId']);
      return undefined;
    }
    return {
      tenantId,
      agent,
      message,
      context: { ...context, conversation },
      knowledgeBaseIds: await this.repo.knowledgeBaseIdsOf(tx, agent.id),
      history: await this.repo.history(tx, conversation.id, message, HISTORY_TURNS),
      keyword: matchHandoffKeyword(messageText(message), agent.handoffKeywords),
    };
  }

  /** Records the run and sends the reply in one transaction; hands over when asked; then assigns a person. */
  private async finish(turn: Turn, outcome: RunOutcome): Promise<void> {
    const { tenantId, agent, message } = turn;
    const conversationId = turn.context.conversation.id;
    const handedOver = await this.bot.transaction(tenantId, async (tx, writes) => {
      const current = await this.repo.lockConversation(tx, conversationId);
      const stillOurs = current?.chatAgentId === agent.id && current.assigneeId === null;
      // The contact wrote again while the agent was thinking: the newer message's job answers all of it, so this
      // reply would only be a second, staler answer. A handoff still happens (someone asked for a person).
      const superseded =
        stillOurs && !outcome.handoff && (await this.repo.wroteAgainAfter(tx, conversationId, message));
      const run = await this.repo.insertRun(tx, {
        tenantId,
        agentId: agent.id,
        conversationId,
        messageId: message.id,
        reply: outcome.reply,
        fallbackUsed: outcome.fallbackUsed,
        fallbackReason: outcome.fallbackReason,
        handoff: outcome.handoff,
        handoffReason: outcome.handoffReason,
        iterations: outcome.iterations,
        toolCalls: outcome.toolCalls,
        citations: outcome.citations,
        usage: outcome.usage,
        error: !stillOurs
          ? 'not sent: a person took the conversation over meanwhile'
          : superseded
            ? 'not sent: the contact wrote again meanwhile; the agent answers the newer message'
            : outcome.error,
      });
      // Answered before (a retried job that had committed, or the same message queued again).
      if (!run || !stillOurs || superseded) return undefined;
      if (outcome.reply.trim()) {
        try {
          await writes.post(conversationId, { senderId: agent.id, text: outcome.reply });
        } catch (err) {
          if (!(err instanceof BotSendRefused)) throw err;
          await this.repo.setRunError(tx, run.id, `not sent: ${err.message}`);
        }
      }
      if (!outcome.handoff) return undefined;
      return this.handoff.handOver(
        tx,
        writes,
        agent,
        conversationId,
        outcome.handoffReason ?? 'the agent asked for a person',
      );
    });
    if (handedOver) await this.handoff.assign(tenantId, handedOver);
  }
}

function emptyOutcome(): RunOutcome {
  return {
    reply: '',
    fallbackUsed: false,
    fallbackReason: null,
    handoff: false,
    handoffReason: null,
    iterations: 0,
    toolCalls: [],
    citations: [],
    usage: null,
    error: null,
  };
}
