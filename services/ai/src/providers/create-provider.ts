import { ZAiProviderConfig } from '@orbitdesk/shared';
import type { z } from 'zod';
import { HttpError } from '../http/http-error.js';
import type { LocalModels } from '../local/local-models.js';
import { AnthropicClient } from './anthropic.provider.js';
import { LocalClient } from './local.provider.js';
import { OpenAiCompatibleClient } from './openai-compatible.provider.js';
import type { AiProviderClient } from './provider.js';

export type ProviderConfig = z.output<typeof ZAiProviderConfig>;

/**
 * The client for one request's provider config. Keys arrive per request (the API unseals them for this call
 * only), so clients are built per request and nothing about a tenant outlives it.
 */
export function createProvider(config: ProviderConfig, localModels: LocalModels): AiProviderClient {
  if (config.provider === 'local') return new LocalClient(localModels);
  if (!config.apiKey) {
    throw new HttpError(400, `provider ${config.provider} needs an apiKey (only local runs without one)`);
  }
  const common = {
    apiKey: config.apiKey,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
  };
  if (config.provider === 'anthropic') return new AnthropicClient(common);
  return new OpenAiCompatibleClient({ ...common, provider: config.provider });
}
