import type { AiProvider } from '@orbitdesk/shared';
import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
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

export type OpenAiCompatibleProvider = Exclude<AiProvider, 'local' | 'anthropic'>;

/** Where each provider serves the OpenAI chat-completions wire format. */
export const OPENAI_COMPATIBLE_BASE_URLS: Record<OpenAiCompatibleProvider, string> = {
  openai: 'https://api.openai.com/v1',
  gemini: 'https://generativelanguage.googleapis.com/v1beta/openai/',
  mistral: 'https://api.mistral.ai/v1',
  deepseek: 'https://api.deepseek.com/v1',
  xai: 'https://api.x.ai/v1',
};

/** The providers among these that serve /embeddings. */
const EMBEDDING_PROVIDERS: ReadonlySet<OpenAiCompatibleProvider> = new Set(['openai', 'gemini', 'mistral']);

/**
 * Arguments the model sent that are not a JSON object are passed on under this key, so the agent loop can tell
 * the model exactly what went wrong instead of running the tool with no arguments.
 */
export const UNPARSED_ARGUMENTS_KEY = '__unparsedArguments';

export interface OpenAiCompatibleOptions {
  provider: OpenAiCompatibleProvider;
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
}

export function parseToolArguments(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  return { [UNPARSED_ARGUMENTS_KEY]: raw };
}

function toOpenAiMessages(
  system: string | undefined,
  messages: ProviderMessage[],
): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (system) out.push({ role: 'system', content: system });
  for (const m of messages) {
    switch (m.role) {
      case 'user':
        out.push({ role: 'user', content: m.content });
        break;
      case 'assistant':
        if (m.toolCalls?.length) {
          out.push({
            role: 'assistant',
            content: m.content || null,
            tool_calls: m.toolCalls.map((c) => ({
              id: c.id,
              type: 'function' as const,
              function: { name: c.name, arguments: JSON.stringify(c.arguments) },
            })),
          });
        } else {
          out.push({ role: 'assistant', content: m.content });
        }
        break;
      case 'tool':
        out.push({ role: 'tool', tool_call_id: m.toolCallId, content: m.content });
        break;
    }
  }
  return out;
}

/** OpenAI, and the providers that speak its wire format (Gemini, Mistral, DeepSeek, xAI), through the openai SDK. */
export class OpenAiCompatibleClient implements AiProviderClient {
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAiCompatibleOptions) {
    this.client = new OpenAI({
      apiKey: options.apiKey,
      // Explicit, so OPENAI_BASE_URL / OPENAI_ORG_ID / OPENAI_PROJECT_ID in the environment never redirect a
      // tenant's call or bill it to another account.
      baseURL: options.baseUrl ?? OPENAI_COMPATIBLE_BASE_URLS[options.provider],
      organization: null,
      project: null,
      timeout: options.timeoutMs,
      maxRetries: 0,
      logLevel: 'off',
    });
  }

  async chat(request: ProviderChatRequest): Promise<ProviderChatResult> {
    const { provider } = this.options;
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: request.model,
      messages: toOpenAiMessages(request.system, request.messages),
    };
    if (request.tools?.length) {
      body.tools = request.tools.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.parameters },
      }));
    }
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxTokens !== undefined) {
      // OpenAI's newer models refuse max_tokens; the compatible endpoints only know max_tokens.
      if (provider === 'openai') body.max_completion_tokens = request.maxTokens;
      else body.max_tokens = request.maxTokens;
    }
    const completion = await withRetries(
      () => this.client.chat.completions.create(body, { signal: request.signal }),
      this.options.maxRetries,
      (err) => classifyOpenAiError(provider, err),
      request.signal,
    );
    const choice = completion.choices?.[0];
    if (!choice) throw new ProviderError(`${provider} answered without a choice`, 502, false);
    const toolCalls: ProviderToolCall[] = [];
    for (const [i, call] of (choice.message.tool_calls ?? []).entries()) {
      if (call.type !== 'function') continue;
      toolCalls.push({
        // Some compatible endpoints leave the id empty; the follow-up needs one to pair the result.
        id: call.id || `call_${i}`,
        name: call.function.name,
        arguments: parseToolArguments(call.function.arguments ?? ''),
      });
    }
    return {
      text: choice.message.content ?? '',
      toolCalls,
      // Some compatible endpoints say "stop" while returning tool calls; the calls are what matters.
      stopReason: toolCalls.length ? 'tool_calls' : choice.finish_reason === 'length' ? 'length' : 'end',
      usage: {
        inputTokens: completion.usage?.prompt_tokens ?? 0,
        outputTokens: completion.usage?.completion_tokens ?? 0,
      },
    };
  }

  async embed(texts: string[], model: string, signal?: AbortSignal): Promise<ProviderEmbedResult> {
    const { provider } = this.options;
    if (!EMBEDDING_PROVIDERS.has(provider)) {
      throw new ProviderError(
        `${provider} has no embeddings API; use local, openai, gemini or mistral`,
        400,
        false,
      );
    }
    const response = await withRetries(
      // Floats, not the SDK's base64 default: not every compatible endpoint speaks base64.
      () => this.client.embeddings.create({ model, input: texts, encoding_format: 'float' }, { signal }),
      this.options.maxRetries,
      (err) => classifyOpenAiError(provider, err),
      signal,
    );
    const data = [...(response.data ?? [])].sort((a, b) => a.index - b.index);
    if (data.length !== texts.length) {
      throw new ProviderError(
        `${provider} returned ${data.length} embeddings for ${texts.length} texts`,
        502,
        false,
      );
    }
    const vectors = data.map((d) => normalize(d.embedding));
    const dimensions = vectors[0]?.length ?? 0;
    if (dimensions === 0 || vectors.some((v) => v.length !== dimensions)) {
      throw new ProviderError(`${provider} returned embeddings of inconsistent dimensions`, 502, false);
    }
    return {
      model: `${provider}:${model}`,
      dimensions,
      vectors,
      usage: { inputTokens: response.usage?.prompt_tokens ?? 0, outputTokens: 0 },
    };
  }
}

/** Scales a vector to unit length: the API compares vectors by dot product whatever the provider. */
export function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm > 0 ? vector.map((x) => x / norm) : vector;
}

function providerMessage(error: unknown, fallback: string): string {
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return fallback;
}

export function classifyOpenAiError(provider: string, err: unknown): ClassifiedFailure {
  if (err instanceof ProviderError) return { error: err };
  if (err instanceof OpenAI.APIUserAbortError) {
    return { error: new ProviderError(`${provider} request was aborted`, null, false) };
  }
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return { error: new ProviderError(`${provider} did not answer in time`, null, false) };
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return { error: new ProviderError(`${provider} could not be reached: ${err.message}`, null, false) };
  }
  if (err instanceof OpenAI.APIError && typeof err.status === 'number') {
    const status = err.status;
    const detail = providerMessage(err.error, err.message);
    return {
      error: new ProviderError(
        `${provider} answered ${status}: ${detail}`,
        status,
        status === 429 || status >= 500,
      ),
      retryAfterMs: retryAfterFromHeaders(err.headers as Headers | undefined),
    };
  }
  return {
    error: new ProviderError(`${provider} failed: ${(err as Error)?.message ?? String(err)}`, null, false),
  };
}
