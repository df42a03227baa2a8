/** What the AI Response node asks the AI service. */
export interface FlowAiRequest {
  tenantId: string;
  /** The AI agent to answer as (its knowledge and persona); the workspace default when absent. */
  agentId?: string;
  contactId: string | null;
  conversationId: string | null;
  /** The node's rendered prompt: what to do, in the flow author's words. */
  prompt: string;
  /** The contact's message that started or resumed the run, if any. */
  message: string | null;
  /** Post the answer in the conversation (as the AI agent) as well as returning it. */
  sendToContact: boolean;
}

export interface FlowAiReply {
  text: string;
  /** Whether the answer was posted in the conversation. */
  sent: boolean;
}

/** A dependency the node needs is not set up; the message says so plainly and ends up in the run's log. */
export class FlowDependencyError extends Error {}

/**
 * The AI service as the flow engine sees it: answers and, when asked, posts the answer in the conversation the way
 * AI agents reply. Implemented by ChatAgentFlowAiClient (chat-agent-flow-ai-client.ts).
 */
export abstract class FlowAiClient {
  abstract reply(request: FlowAiRequest, signal: AbortSignal): Promise<FlowAiReply>;
}
