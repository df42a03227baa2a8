export { buildAiServer, type AiServerOptions } from './server.js';
export type { LocalModels, LocalUnderstanding } from './local/local-models.js';
export {
  ProviderError,
  type AiProviderClient,
  type ProviderChatRequest,
  type ProviderChatResult,
  type ProviderEmbedResult,
  type ProviderMessage,
  type ProviderTool,
  type ProviderToolCall,
} from './providers/provider.js';
export { AI_SERVICE_AUDIENCE, INTERNAL_ISSUER, MAX_TOKEN_LIFETIME_SECONDS } from './auth/internal-auth.js';
