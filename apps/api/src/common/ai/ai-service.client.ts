import { Global, Inject, Injectable, Module } from '@nestjs/common';
import {
  ZAgentChatResponse,
  ZChatCompletionResponse,
  ZClassifyResponse,
  ZEmbedResponse,
  ZRagQueryResponse,
  type TAgentChatRequest,
  type TAgentChatResponse,
  type TChatCompletionRequest,
  type TChatCompletionResponse,
  type TClassifyRequest,
  type TClassifyResponse,
  type TEmbedRequest,
  type TEmbedResponse,
  type TRagQueryRequest,
  type TRagQueryResponse,
} from '@orbitdesk/shared';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AI_SERVICE_AUDIENCE, signInternalToken } from './internal-jwt.js';

/** The AI service answered with an error, answered something unreadable, or could not be reached. */
export class AiServiceError extends Error {
  constructor(
    message: string,
    /** The AI service's HTTP status; 0 when it could not be reached or timed out. */
    readonly status: number,
  ) {
    super(message);
  }
}

/** API tokens for the AI service live this long (the two minutes). */
const TOKEN_TTL_SECONDS = 120;

/**
 * The API's and worker's one way into services/ai. Every call carries a fresh internal JWT naming the tenant;
 * every answer is validated against its shared contract before anyone uses it.
 */
@Injectable()
export class AiServiceClient {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  embed(tenantId: string, body: TEmbedRequest, signal?: AbortSignal): Promise<TEmbedResponse> {
    return this.post(tenantId, '/embed', body, ZEmbedResponse, signal);
  }

  classify(tenantId: string, body: TClassifyRequest, signal?: AbortSignal): Promise<TClassifyResponse> {
    return this.post(tenantId, '/classify', body, ZClassifyResponse, signal);
  }

  chatCompletion(
    tenantId: string,
    body: TChatCompletionRequest,
    signal?: AbortSignal,
  ): Promise<TChatCompletionResponse> {
    return this.post(tenantId, '/chat/completion', body, ZChatCompletionResponse, signal);
  }

  ragQuery(tenantId: string, body: TRagQueryRequest, signal?: AbortSignal): Promise<TRagQueryResponse> {
    return this.post(tenantId, '/rag/query', body, ZRagQueryResponse, signal);
  }

  agentChat(tenantId: string, body: TAgentChatRequest, signal?: AbortSignal): Promise<TAgentChatResponse> {
    return this.post(tenantId, '/api/v1/agent/chat', body, ZAgentChatResponse, signal);
  }

  private async post<S extends z.ZodType>(
    tenantId: string,
    path: string,
    body: unknown,
    schema: S,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    const token = await signInternalToken(
      this.config.INTERNAL_JWT_SECRET,
      AI_SERVICE_AUDIENCE,
      { tenantId },
      TOKEN_TTL_SECONDS,
    );
    const timeout = AbortSignal.timeout(this.config.AI_REQUEST_TIMEOUT_MS);
    let res: Response;
    try {
      res = await fetch(new URL(path, this.config.AI_SERVICE_URL), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      const reason = timeout.aborted ? 'timed out' : (err as Error).message;
      throw new AiServiceError(`AI service unreachable at ${this.config.AI_SERVICE_URL}: ${reason}`, 0);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AiServiceError(`AI service answered ${res.status} with a body that is not JSON`, res.status);
    }
    if (!res.ok) {
      const message = (json as { message?: unknown }).message;
      throw new AiServiceError(
        `AI service ${path} failed (${res.status}): ${typeof message === 'string' ? message : text.slice(0, 200)}`,
        res.status,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new AiServiceError(
        `AI service ${path} answered outside its contract: ${parsed.error.message}`,
        502,
      );
    }
    return parsed.data;
  }
}

@Global()
@Module({ providers: [AiServiceClient], exports: [AiServiceClient] })
export class AiServiceClientModule {}
