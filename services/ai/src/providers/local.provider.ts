import {
  LOCAL_EMBEDDING_DIMENSIONS,
  LOCAL_EMBEDDING_MODEL,
  type LocalModels,
} from '../local/local-models.js';
import type {
  AiProviderClient,
  ProviderChatRequest,
  ProviderChatResult,
  ProviderEmbedResult,
} from './provider.js';

/** The offline models behind the same interface as every remote provider: no key, no network, no retries. */
export class LocalClient implements AiProviderClient {
  constructor(private readonly models: LocalModels) {}

  chat(request: ProviderChatRequest): Promise<ProviderChatResult> {
    return Promise.resolve().then(() => this.models.complete(request));
  }

  embed(texts: string[]): Promise<ProviderEmbedResult> {
    return Promise.resolve().then(() => ({
      model: LOCAL_EMBEDDING_MODEL,
      dimensions: LOCAL_EMBEDDING_DIMENSIONS,
      vectors: this.models.embed(texts),
      usage: { inputTokens: 0, outputTokens: 0 },
    }));
  }
}
