import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import {
  ProviderError,
  type AiProviderClient,
  type ProviderChatRequest,
  type ProviderChatResult,
  type ProviderEmbedResult,
  type ProviderMessage,
  type ProviderToolCall,
} from './provider.js';
import { retryAfterFromHeaders, withRetries, type ClassifiedFailure } from './retry.js';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
/** Anthropic requires max_tokens; this is what a request that sets none gets. */
const DEFAULT_MAX_TOKENS = 1024;

export interface AnthropicOptions {
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
}

/**
 * Our turns in Anthropic's shape: tool calls become `tool_use` blocks of the assistant turn, and the results of
 * one turn's calls go back together, as `tool_result` blocks of the next user turn.
 */
export function toAnthropicMessages(messages: ProviderMessage[]): MessageParam[] {
  const out: MessageParam[] = [];
  let pendingResults: ToolResultBlockParam[] = [];
  const flushResults = () => {
    if (pendingResults.length) out.push({ role: 'user', content: pendingResults });
    pendingResults = [];
  };
  for (const m of messages) {
    if (m.role === 'tool') {
      pendingResults.push({ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content });
      continue;
    }
    flushResults();
    // Anthropic refuses empty text blocks; an empty turn in the history says nothing anyway.
    if (!m.content.trim() && !(m.role === 'assistant' && m.toolCalls?.length)) continue;
    if (m.role === 'user') {
      out.push({ role: 'user', content: m.content });
    } else if (m.toolCalls?.length) {
      const blocks: ContentBlockParam[] = [];
      if (m.content) blocks.push({ type: 'text', text: m.content });
      for (const c of m.toolCalls)
        blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments });
      out.push({ role: 'assistant', content: blocks });
    } else {
      out.push({ role: 'assistant', content: m.content });
    }
  }
  flushResults();
  // Anthropic wants the conversation to open with the customer; a history that starts with our greeting gets a
  // neutral first turn.
  if (out[0]?.role === 'assistant') out.unshift({ role: 'user', content: '(conversation start)' });
  return out;
}

/** Claude, through the official SDK's Messages API. */
export class AnthropicClient implements AiProviderClient {
  private readonly client: Anthropic;

  constructor(private readonly options: AnthropicOptions) {
    this.client = new Anthropic({
      apiKey: options.apiKey,
      // Explicit, so ANTHROPIC_BASE_URL / ANTHROPIC_AUTH_TOKEN in the environment never redirect a tenant's call.
      authToken: null,
      baseURL: options.baseUrl ?? ANTHROPIC_BASE_URL,
      timeout: options.timeoutMs,
      maxRetries: 0,
      logLevel: 'off',
      // Anthropic documents API keys in `x-api-key`; this SDK version sends them as a Bearer token instead, which
      // API keys are not documented to work with (nor do Anthropic-compatible gateways take it). Send the
      // documented header and drop the other.
      defaultHeaders: { 'x-api-key': options.apiKey, authorization: null },
    });
  }

  async chat(request: ProviderChatRequest): Promise<ProviderChatResult> {
    const body: MessageCreateParamsNonStreaming = {
      model: request.model,
      max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      messages: toAnthropicMessages(request.messages),
    };
    if (request.system) body.system = request.system;
    // The Messages API no longer takes a temperature (the SDK dropped the field); the request's is not sent.
    if (request.tools?.length) {
      body.tools = request.tools.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: { ...t.parameters, type: 'object' as const },
      }));
    }
    const message = await withRetries(
      () => this.client.messages.create(body, { signal: request.signal }),
      this.options.maxRetries,
      classifyAnthropicError,
      request.signal,
    );
    const texts: string[] = [];
    const toolCalls: ProviderToolCall[] = [];
    for (const block of message.content ?? []) {
      if (block.type === 'text') texts.push(block.text);
      else if (block.type === 'tool_use') {
        const input = block.input;
        toolCalls.push({
          id: block.id,
          name: block.name,
          arguments:
            input && typeof input === 'object' && !Array.isArray(input)
              ? (input as Record<string, unknown>)
              : {},
        });
      }
    }
    return {
      text: texts.join(''),
      toolCalls,
      stopReason: toolCalls.length ? 'tool_calls' : message.stop_reason === 'max_tokens' ? 'length' : 'end',
      usage: {
        inputTokens: message.usage?.input_tokens ?? 0,
        outputTokens: message.usage?.output_tokens ?? 0,
      },
    };
  }

  embed(): Promise<ProviderEmbedResult> {
    return Promise.reject(
      new ProviderError('anthropic has no embeddings API; use local, openai, gemini or mistral', 400, false),
    );
  }
}

function providerMessage(error: unknown, fallback: string): string {
  // Anthropic's error body: {type: 'error', error: {type, message}}.
  if (error && typeof error === 'object' && 'error' in error) {
    const inner = error.error;
    if (inner && typeof inner === 'object' && 'message' in inner && typeof inner.message === 'string') {
      return inner.message;
    }
  }
  return fallback;
}

export function classifyAnthropicError(err: unknown): ClassifiedFailure {
  if (err instanceof ProviderError) return { error: err };
  if (err instanceof Anthropic.APIUserAbortError) {
    return { error: new ProviderError('anthropic request was aborted', null, false) };
  }
  if (err instanceof Anthropic.APIConnectionTimeoutError) {
    return { error: new ProviderError('anthropic did not answer in time', null, false) };
  }
  if (err instanceof Anthropic.APIConnectionError) {
    return { error: new ProviderError(`anthropic could not be reached: ${err.message}`, null, false) };
  }
  if (err instanceof Anthropic.APIError && typeof err.status === 'number') {
    const status = err.status;
    const detail = providerMessage(err.error, err.message);
    return {
      error: new ProviderError(
        `anthropic answered ${status}: ${detail}`,
        status,
        status === 429 || status >= 500,
      ),
      retryAfterMs: retryAfterFromHeaders(err.headers as Headers | undefined),
    };
  }
  return {
    error: new ProviderError(`anthropic failed: ${(err as Error)?.message ?? String(err)}`, null, false),
  };
}
