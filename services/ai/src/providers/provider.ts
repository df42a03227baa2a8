import type { TAiUsage, TRagChunk } from '@orbitdesk/shared';

/*
 * One provider-neutral conversation shape. Every provider (the OpenAI and Anthropic SDKs, the OpenAI-compatible
 * endpoints, and `local`) translates it to and from its own wire format, so the agent loop, RAG and
 * classification are written once.
 */

/** A tool the model may call; `parameters` is a JSON Schema object. */
export interface ProviderTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ProviderToolCall {
  /** The provider's id of the call, echoed back with its result. */
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type ProviderMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ProviderToolCall[] }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

export interface ProviderChatRequest {
  model: string;
  system?: string;
  messages: ProviderMessage[];
  tools?: ProviderTool[];
  temperature?: number;
  maxTokens?: number;
  /**
   * The knowledge the system prompt already carries as numbered context ([1], [2], ...), also passed as data so
   * the offline `local` provider can answer from it; the remote providers read the prompt and ignore this.
   */
  knowledge?: TRagChunk[];
  signal?: AbortSignal;
}

export interface ProviderChatResult {
  text: string;
  toolCalls: ProviderToolCall[];
  stopReason: 'end' | 'tool_calls' | 'length';
  usage: TAiUsage;
}

export interface ProviderEmbedResult {
  /** `provider:model`. */
  model: string;
  dimensions: number;
  /** Unit-length vectors, one per text, in order. */
  vectors: number[][];
  usage: TAiUsage;
}

export interface AiProviderClient {
  chat(request: ProviderChatRequest): Promise<ProviderChatResult>;
  embed(texts: string[], model: string, signal?: AbortSignal): Promise<ProviderEmbedResult>;
}

/**
 * The provider failed in a way retrying will not fix (bad key, unknown model, refused request), or retries ran
 * out. `status` is the provider's HTTP status when there was one.
 */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
