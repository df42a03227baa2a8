import {
  AI_EMBEDDING_PROVIDERS,
  ZChatCompletionRequest,
  ZClassifyRequest,
  ZEmbedRequest,
  ZRagQueryRequest,
  type TChatCompletionResponse,
  type TClassifyResponse,
  type TEmbedResponse,
  type TRagQueryResponse,
} from '@orbitdesk/shared';
import type { FastifyInstance } from 'fastify';
import { classifyMessage } from '../classify/classify-message.js';
import { HttpError, parseBody } from '../http/http-error.js';
import type { LocalModels } from '../local/local-models.js';
import { createProvider } from '../providers/create-provider.js';
import { CITATION_RULES, numberedContext, parseCitations } from '../rag/rag-context.js';

const EMBEDDING_PROVIDERS: ReadonlySet<string> = new Set(AI_EMBEDDING_PROVIDERS);

/** The single-call routes: completion, embeddings, classification, and one RAG answer. */
export function registerCompletionRoutes(app: FastifyInstance, localModels: LocalModels): void {
  app.post('/chat/completion', async (request): Promise<TChatCompletionResponse> => {
    const body = parseBody(ZChatCompletionRequest, request.body);
    const provider = createProvider(body.provider, localModels);
    const result = await provider.chat({
      model: body.provider.model,
      system: body.system,
      messages: body.messages,
      temperature: body.temperature,
      maxTokens: body.maxTokens,
    });
    return {
      text: result.text,
      provider: body.provider.provider,
      model: body.provider.model,
      usage: result.usage,
    };
  });

  app.post('/embed', async (request): Promise<TEmbedResponse> => {
    const body = parseBody(ZEmbedRequest, request.body);
    if (!EMBEDDING_PROVIDERS.has(body.provider.provider)) {
      throw new HttpError(
        400,
        `provider ${body.provider.provider} cannot embed; use one of ${AI_EMBEDDING_PROVIDERS.join(', ')}`,
      );
    }
    const provider = createProvider(body.provider, localModels);
    return provider.embed(body.texts, body.provider.model);
  });

  app.post('/classify', async (request): Promise<TClassifyResponse> => {
    const body = parseBody(ZClassifyRequest, request.body);
    const provider = createProvider(body.provider, localModels);
    return classifyMessage(body.text, body.provider, provider, localModels, request.log);
  });

  app.post('/rag/query', async (request): Promise<TRagQueryResponse> => {
    const body = parseBody(ZRagQueryRequest, request.body);
    const provider = createProvider(body.provider, localModels);
    const system = [body.system?.trim(), CITATION_RULES, numberedContext(body.chunks)]
      .filter(Boolean)
      .join('\n\n');
    const result = await provider.chat({
      model: body.provider.model,
      system,
      messages: [...body.history, { role: 'user', content: body.question }],
      knowledge: body.chunks,
    });
    const citations = parseCitations(result.text, body.chunks);
    return { answer: result.text, citations, answered: citations.length > 0, usage: result.usage };
  });
}
